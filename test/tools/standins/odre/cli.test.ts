import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { buildSync } from 'esbuild';

let dir: string;
let cli: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'fake-odre-cli-'));
  cli = path.join(dir, 'cli.js');
  buildSync({
    entryPoints: [path.join(__dirname, '../../../../tools/standins/odre/cli.ts')],
    bundle: true,
    platform: 'node',
    target: 'node20',
    outfile: cli,
    logLevel: 'silent',
  });
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('fake-api CLI', () => {
  it.each([
    [['--bogus'], /Unknown option '--bogus'/],
    [['--port', 'abc'], /--port must be a whole number from 0 to 65535, got "abc"/],
    [['--latency=-5'], /--latency must be a whole number/],
    [['--daily-limit', '1.5'], /--daily-limit must be a whole number/],
    [['--now', 'someday'], /--now must be an ISO-8601 instant/],
    [['extra'], /Unexpected argument 'extra'/],
    [['--release-start', 'soon'], /--release-start must be an ISO-8601 instant/],
    [['--lag-minutes=-1'], /--lag-minutes must be a whole number/],
  ])('exits 64 on %j', (args, message) => {
    const run = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });
    expect(run.status).toBe(64);
    expect(run.stderr).toMatch(message);
  });

  it('prints help', () => {
    const run = spawnSync(process.execPath, [cli, '--help'], { encoding: 'utf8' });
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('Usage: fake-api [--port 8787]');
  });

  it('serves on the printed URL and stops on SIGTERM', async () => {
    const child = spawn(process.execPath, [
      cli,
      '--port',
      '0',
      '--now',
      '2026-03-31T12:00:00Z',
      '--daily-limit',
      '5',
      '--release-start',
      '2026-03-01T00:00:00Z',
    ]);
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
        if (m) resolve(m[1]!);
      });
      child.on('exit', () => reject(new Error(`exited early: ${out}`)));
    });
    const res = await fetch(`${url}/api/explore/v2.1/catalog/datasets/eco2mix-national-tr/records?limit=1`);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-ratelimit-remaining')).toBe('4');
    const before = await fetch(
      `${url}/api/explore/v2.1/catalog/datasets/eco2mix-national-tr/records?select=min(date_heure)%20as%20first`,
    );
    expect(await before.json()).toEqual({
      total_count: 1,
      results: [{ first: '2026-02-28T23:00:00+00:00' }],
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
