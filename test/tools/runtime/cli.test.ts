import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { parseCommand, UsageError, type CliIo } from '../../../tools/runtime/cli/args';
import { runCli } from '../../../tools/runtime/cli/main';
import { localProfile } from '../../../shared/localProfile';

const main = (argv: string[], io: CliIo): Promise<number> => runCli(localProfile, argv, io);
import { ROOT, tmpDir } from './helpers';

function capture(): CliIo & { outLines: string[]; errLines: string[] } {
  const outLines: string[] = [];
  const errLines: string[] = [];
  return { outLines, errLines, out: (l) => void outLines.push(l), err: (l) => void errLines.push(l) };
}

const INGEST_ROOT = path.join(__dirname, 'fixtures', 'ingest');

describe('watt-watcher CLI', () => {
  it.each([
    [['ingest', '--from']],
    [['ingest', '--from', '--to', 'x']],
    [['ingest', '--bogus']],
    [['ingest', '--from', 'a', '--from', 'b']],
    [['runs', 'list', '--limit', 'zero']],
    [['runs', 'list', '--status', 'Sleeping']],
    [['runs', 'frobnicate']],
    [['start', '--port', '99999']],
    [['start', 'extra']],
    [['nope']],
    [[]],
  ])('exits 64 on bad usage: %j', async (argv) => {
    const io = capture();
    expect(await main(argv, io)).toBe(64);
  });

  it('prints help for every command', async () => {
    for (const argv of [
      ['--help'],
      ['start', '--help'],
      ['ingest', '--help'],
      ['runs', '--help'],
      ['runs', 'list', '--help'],
      ['state', '--help'],
    ]) {
      const io = capture();
      expect(await main(argv, io)).toBe(0);
      expect(io.outLines.join('\n')).toMatch(/Usage: watt-watcher/);
    }
  });

  it('parses repeatable flags and = forms', () => {
    const p = parseCommand(
      ['--dataset', 'a', '--dataset=b', '--from=2026-01-01T00:00:00Z', '--fast-timers'],
      {
        dataset: { type: 'string', multiple: true },
        from: { type: 'string' },
        'fast-timers': { type: 'string' },
      },
      0,
    );
    expect(p.flags).toEqual({ dataset: ['a', 'b'], from: '2026-01-01T00:00:00Z', 'fast-timers': '20' });
    expect(() => parseCommand(['--x'], {}, 0)).toThrow(new UsageError('unknown option --x'));
    expect(() => parseCommand(['--from='], { from: { type: 'string' } }, 0)).toThrow(
      new UsageError('option --from needs a value'),
    );
  });

  it('the compiled CLI exits 64 on a flag without value', () => {
    const cli = path.join(ROOT, 'dist', 'tools', 'watt-watcher.js');
    expect(fs.existsSync(cli)).toBe(true);
    const r = spawnSync(process.execPath, [cli, 'ingest', '--from'], { encoding: 'utf8' });
    expect(r.status).toBe(64);
    expect(r.stderr).toContain('option --from needs a value');
  });

  describe('ingest with a fixture app', () => {
    const durableDir = tmpDir();
    const base = ['--root', INGEST_ROOT, '--durable-dir', durableDir];

    it('400 from the starter: prints the app error and exits 64', async () => {
      const io = capture();
      expect(await main(['ingest', ...base, '--from', 'bad'], io)).toBe(64);
      expect(JSON.parse(io.outLines[io.outLines.length - 1] ?? '')).toEqual({
        error: 'invalid request',
        details: { from: 'bad' },
      });
    });

    it('429 from the starter exits 1', async () => {
      const io = capture();
      expect(await main(['ingest', ...base, '--dataset', 'expensive'], io)).toBe(1);
      expect(JSON.parse(io.outLines[io.outLines.length - 1] ?? '').error).toBe(
        'monthly API call budget exceeded',
      );
    });

    it('follows the run, prints progress and the summary; exit 0 / 2 / 1', async () => {
      let io = capture();
      expect(await main(['ingest', ...base, '--from', '2026-03-01T00:00:00Z', '--dataset', 'ok'], io)).toBe(
        0,
      );
      expect(io.outLines[0]).toBe('started ingest-fx-ok');
      expect(io.outLines).toContain('[fetch] slices 0/2  fetched=0 stored=0 failed=0');
      expect(io.outLines).toContain('[done] slices 2/2  fetched=2 stored=2 failed=0');
      expect(JSON.parse(io.outLines[io.outLines.length - 1] ?? '')).toEqual({
        status: 'succeeded',
        records: 24,
        files: 2,
        failures: [],
        window: { from: '2026-03-01T00:00:00Z', to: null },
        instanceId: 'ingest-fx-ok',
      });

      io = capture();
      expect(await main(['ingest', ...base, '--dataset', 'partial-ds'], io)).toBe(2);
      expect(JSON.parse(io.outLines[io.outLines.length - 1] ?? '').status).toBe('partial');

      io = capture();
      expect(await main(['ingest', ...base, '--dataset', 'explode'], io)).toBe(1);
      const last = JSON.parse(io.outLines[io.outLines.length - 1] ?? '') as Record<string, string>;
      expect(last.instanceId).toBe('ingest-fx-explode');
      expect(last.status).toBe('failed');
      expect(last.error).toContain('exploded on purpose');
    });

    it('runs list / runs show / state read the same store', async () => {
      let io = capture();
      expect(
        await main(['runs', 'list', ...base.slice(2), '--root', INGEST_ROOT, '--status', 'failed'], io),
      ).toBe(0);
      expect(io.outLines).toHaveLength(1);
      expect(io.outLines[0]).toMatch(/^ingest-fx-explode\s+Failed/);

      io = capture();
      expect(await main(['runs', 'show', 'ingest-fx-ok', ...base], io)).toBe(0);
      const text = io.outLines.join('\n');
      expect(text).toContain('Status:        Completed');
      expect(text).toMatch(/#2\s+\S+\s+TaskScheduled\s+ingestFxWork\s+attempt 1/);
      expect(text).toMatch(/ExecutionCompleted\s+Completed/);

      io = capture();
      expect(await main(['runs', 'show', 'missing', ...base], io)).toBe(1);
      io = capture();
      expect(await main(['state', ...base], io)).toBe(0);
      expect(io.outLines).toEqual(['no entities']);
    });
  });
});
