/** Child processes of the conformance suite: free loopback ports, a line to wait for, a clean stop. */
import { spawn, type ChildProcess } from 'node:child_process';
import * as net from 'node:net';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface Child {
  process: ChildProcess;
  /** Everything it wrote, for the error message when it dies. */
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts `command` and resolves with the first stdout line that starts with `marker` (the text
 * after it), or rejects with the process's output if it exits or `timeoutMs` passes first.
 */
export async function startChild(
  command: string,
  args: string[],
  opts: { env: NodeJS.ProcessEnv; cwd: string; marker: string; timeoutMs: number; echo?: boolean },
): Promise<{ child: Child; value: string }> {
  const proc = spawn(command, args, { env: opts.env, cwd: opts.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
  let log = '';
  const child: Child = {
    process: proc,
    output: () => log.slice(-8000),
    stop: () =>
      new Promise((resolve) => {
        if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
        const kill = setTimeout(() => proc.kill('SIGKILL'), 15_000);
        proc.once('exit', () => {
          clearTimeout(kill);
          resolve();
        });
        proc.stdin?.end();
        proc.kill('SIGTERM');
      }),
  };
  const value = await new Promise<string>((resolve, reject) => {
    let pending = '';
    const timer = setTimeout(
      () => reject(new Error(`${command} did not start in ${opts.timeoutMs} ms:\n${log}`)),
      opts.timeoutMs,
    );
    const onData = (chunk: Buffer): void => {
      const text = chunk.toString('utf8');
      log += text;
      if (opts.echo) process.stderr.write(text);
      pending += text;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        if (line.startsWith(opts.marker)) {
          clearTimeout(timer);
          resolve(line.slice(opts.marker.length).trim());
        }
      }
    };
    proc.stdout.on('data', onData);
    proc.stderr.on('data', (c: Buffer) => {
      log += c.toString('utf8');
      if (opts.echo) process.stderr.write(c);
    });
    proc.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${command} exited (${String(code ?? signal)}) before it was ready:\n${log}`));
    });
  });
  return { child, value };
}
