/**
 * Kills a child process running the compiled runtime (SIGKILL) in the middle of an
 * orchestration, restarts it on the same durable store and checks that the instance completes
 * with at-least-once activities: every activity whose completion was persisted before the kill
 * ran exactly once. Needs `dist/` (npm test builds before jest).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';
import { encodeId } from '../../../tools/runtime/durable/store';
import { EventType, type InstanceRecord } from '../../../tools/runtime/durable/types';
import { ROOT, tmpDir } from './helpers';

const DIST_HOST = path.join(ROOT, 'dist', 'tools', 'runtime', 'host.js');

function childScript(): string {
  return `
const { startHost } = require(${JSON.stringify(DIST_HOST)});
(async () => {
  const host = await startHost({
    rootDir: __dirname, entryFiles: ['crashApp.js'], durableDir: process.env.DURABLE_DIR, hubName: 'CrashHub',
    http: false, timers: false, loadSettings: false, banner: false, logger: { log() {} },
  });
  if (process.argv[2] === 'start') await host.engine.startNew('crashOrch', { instanceId: 'crash-1', input: 6 });
  const rec = await host.engine.waitForCompletion('crash-1');
  process.stdout.write('DONE ' + rec.status + '\\n');
  await host.stop();
})().catch((err) => { process.stderr.write(String(err && err.stack || err)); process.exit(3); });
`;
}

function run(dir: string, env: NodeJS.ProcessEnv, args: string[]): ChildProcess {
  return spawn(process.execPath, [path.join(dir, 'child.js'), ...args], {
    env: { ...process.env, ...env, NODE_PATH: path.join(ROOT, 'node_modules') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function lines(file: string): string[] {
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
}

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`gave up waiting for ${what}`);
}

function exit(
  child: ChildProcess,
): Promise<{ code: number | null; signal: string | null; out: string; err: string }> {
  let out = '';
  let err = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, out, err })));
}

describe('crash and resume in a child process', () => {
  it('completes after SIGKILL; recorded activities are not re-run', async () => {
    expect(fs.existsSync(DIST_HOST)).toBe(true); // run `npm run build` first
    const dir = tmpDir('ww-crash-');
    const durableDir = path.join(dir, '.durable');
    const log = path.join(dir, 'executions.log');
    const source = fs.readFileSync(path.join(__dirname, 'fixtures', 'crashApp.ts'), 'utf8');
    const js = ts.transpileModule(source, {
      compilerOptions: {
        module: ts.ModuleKind.CommonJS,
        target: ts.ScriptTarget.ES2022,
        esModuleInterop: true,
      },
    }).outputText;
    fs.writeFileSync(path.join(dir, 'crashApp.js'), js);
    fs.writeFileSync(path.join(dir, 'child.js'), childScript());
    const env = { DURABLE_DIR: durableDir, CRASH_LOG: log };

    const first = run(dir, env, ['start']);
    const firstExit = exit(first);
    await until(() => lines(log).length >= 3, 'three activity executions');
    first.kill('SIGKILL');
    const killed = await firstExit;
    expect(killed.signal).toBe('SIGKILL');

    const file = path.join(durableDir, 'CrashHub', 'instances', `${encodeId('crash-1')}.json`);
    const atKill = JSON.parse(fs.readFileSync(file, 'utf8')) as InstanceRecord;
    expect(atKill.status).toBe('Running');
    const scheduled = new Map(
      atKill.history
        .filter((e) => e.EventType === EventType.TaskScheduled)
        .map((e) => [e.EventId, Number(e.Input)]),
    );
    const recorded = [...atKill.history, ...atKill.inbox]
      .filter((e) => e.EventType === EventType.TaskCompleted)
      .map((e) => scheduled.get(e.TaskScheduledId ?? -1));
    expect(recorded.length).toBeGreaterThanOrEqual(1);

    const second = run(dir, env, []);
    const done = await exit(second);
    expect(done.err).toBe('');
    expect(done.out.trim()).toBe('DONE Completed');
    expect(done.code).toBe(0);

    const final = JSON.parse(fs.readFileSync(file, 'utf8')) as InstanceRecord;
    expect(JSON.parse(final.output ?? 'null')).toEqual([0, 10, 20, 30, 40, 50]);
    const executions = lines(log).map(Number);
    for (let i = 0; i < 6; i++) {
      const n = executions.filter((x) => x === i).length;
      if (recorded.includes(i)) expect(n).toBe(1);
      else expect(n).toBeGreaterThanOrEqual(1);
      expect(n).toBeLessThanOrEqual(2);
    }
    // The activity that was running when the process died ran again (at least once).
    expect(executions.length).toBeGreaterThanOrEqual(6);
  });
});
