/** An app command (profile.ts `AppCommand`): invoke one HTTP function in-process, print its answer. */
import { HttpRequest, HttpResponse } from '@azure/functions';
import { AcceleratedClock, RealClock } from '../clock';
import type { InstanceRecord } from '../durable/types';
import { startHost } from '../host';
import { consoleLogger } from '../logger';
import type { AppCommand, AppProfile, CommandOutput, RunView } from '../profile';
import { EXIT_OK, parseAcceleration, parseCommand, resolvePaths, type CliIo } from './args';
import { hostProfileOptions } from './start';

function emit(io: CliIo, out: CommandOutput): number {
  for (const line of out.errLines ?? []) io.err(line);
  for (const line of out.lines) io.out(line);
  return out.exit;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** Status and body of whatever the function returned (HttpResponse or HttpResponseInit). */
async function answerOf(raw: unknown): Promise<{ status: number; body: unknown }> {
  if (raw instanceof HttpResponse) {
    const text = await raw.text();
    return { status: raw.status, body: text ? parseJson(text) : undefined };
  }
  if (raw && typeof raw === 'object') {
    const init = raw as { status?: number; jsonBody?: unknown; body?: unknown };
    const body = init.jsonBody ?? (typeof init.body === 'string' ? parseJson(init.body) : init.body);
    return { status: init.status ?? 200, body };
  }
  return { status: 200, body: raw };
}

function view(rec: InstanceRecord): RunView {
  return {
    instanceId: rec.instanceId,
    status: rec.status,
    customStatus: rec.customStatus ? parseJson(rec.customStatus) : null,
    output: rec.output ? parseJson(rec.output) : null,
  };
}

export async function runAppCommand(
  profile: AppProfile,
  cmd: AppCommand,
  args: string[],
  io: CliIo,
): Promise<number> {
  const p = parseCommand(
    args,
    { ...cmd.flags, ...(cmd.fastTimers ? { 'fast-timers': { type: 'string' as const } } : {}) },
    0,
  );
  if (p.help) {
    io.out(cmd.usage);
    return EXIT_OK;
  }
  const factor = parseAcceleration(p);
  const { rootDir, durableDir, hubName } = resolvePaths(p);
  const host = await startHost({
    ...hostProfileOptions(profile),
    bannerExtras: undefined,
    rootDir,
    durableDir,
    hubName,
    clock: factor ? new AcceleratedClock(factor) : new RealClock(),
    http: false,
    timers: false,
    banner: false,
    logger: consoleLogger('warning'),
  });
  try {
    const url = new URL(`http://localhost:7071${cmd.call.path}`);
    for (const [k, v] of Object.entries(cmd.call.query?.(p.flags) ?? {})) url.searchParams.set(k, v);
    const body = cmd.call.body?.(p.flags);
    const request = new HttpRequest({
      method: cmd.call.method,
      url: url.toString(),
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: { string: JSON.stringify(body) } }),
    });
    const printed = cmd.print(await answerOf(await host.invokeHttp(cmd.call.function, request)));
    if (!('follow' in printed)) return emit(io, printed);
    for (const line of printed.lines ?? []) io.out(line);
    const instanceId = printed.follow;
    let last = '';
    const onChange = (rec: InstanceRecord): void => {
      if (rec.instanceId !== instanceId || !cmd.progress) return;
      const line = cmd.progress(view(rec));
      if (line && line !== last) io.out((last = line));
    };
    host.engine.on('instance', onChange);
    const rec = await host.engine.waitForCompletion(instanceId);
    host.engine.off('instance', onChange);
    // the run's entity signals are delivered after it completes: let them land before exiting
    await host.engine.waitForIdle();
    const done = cmd.finished?.(view(rec)) ?? {
      lines: [JSON.stringify({ instanceId, status: rec.status })],
      exit: rec.status === 'Completed' ? EXIT_OK : 1,
    };
    return emit(io, done);
  } finally {
    await host.stop();
  }
}
