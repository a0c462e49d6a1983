/**
 * What the embedded runtime (tools/runtime, never deployed) needs to know about this app on a
 * laptop: plain data and small functions, matching tools/runtime/profile.ts `AppProfile`
 * structurally (the app never imports tools/). tools/watt-watcher.ts hands it to the runtime CLI.
 *
 * A command is one entry of `commands`: name, summary, usage, flags (node:util parseArgs options),
 * `call` (the HTTP function, method, path, and the query or body built from the flags) and how the
 * answer prints (`print`, or `{ follow: instanceId }` then `progress` and `finished`). See the
 * example in tools/runtime/profile.ts.
 */
import { DEFAULT_SCHEDULE, loadConfig } from './config';
import { FN } from './constants';

type Env = Readonly<Record<string, string | undefined>>;
type Flags = Record<string, string | boolean | (string | boolean)[] | undefined>;
interface Run {
  instanceId: string;
  status: string;
  customStatus: unknown;
  output: unknown;
}

const EXIT = { ok: 0, failed: 1, partial: 2, usage: 64 } as const;

function lakeOf(env: Env): string {
  const c = loadConfig(env);
  return c.lake.kind === 'local'
    ? `${c.lake.dir}/${c.lake.filesystem}`
    : `abfss://${c.lake.filesystem}@${new URL(c.lake.endpoint).host}`;
}

function ingestBody(f: Flags): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if (typeof f.from === 'string') body.from = f.from;
  if (typeof f.to === 'string') body.to = f.to;
  if (Array.isArray(f.dataset)) body.datasets = f.dataset;
  return body;
}

function progress(run: Run): string {
  const cs = run.customStatus;
  if (!cs || typeof cs !== 'object') return run.status.toLowerCase();
  const rec = cs as Record<string, unknown>;
  const n = (k: string): number => (typeof rec[k] === 'number' ? rec[k] : 0);
  const stage = typeof rec.stage === 'string' ? rec.stage : run.status.toLowerCase();
  const done = stage === 'fetch' ? n('fetched') + n('failed') : n('stored') + n('failed');
  return `[${stage}] slices ${done}/${n('slices')}  fetched=${n('fetched')} stored=${n('stored')} failed=${n('failed')}`;
}

function finished(run: Run): { lines: string[]; exit: number } {
  const out = run.output;
  if (run.status === 'Completed' && out && typeof out === 'object') {
    const status = (out as { status?: unknown }).status;
    const exit = status === 'succeeded' ? EXIT.ok : status === 'partial' ? EXIT.partial : EXIT.failed;
    return { lines: [JSON.stringify({ ...out, instanceId: run.instanceId })], exit };
  }
  const error = out ?? run.status;
  return {
    lines: [JSON.stringify({ instanceId: run.instanceId, status: 'failed', error })],
    exit: EXIT.failed,
  };
}

export const localProfile = {
  cli: 'watt-watcher',
  title: 'Watt Watcher embedded Functions runtime',
  functionKeyEnv: 'WATT_FUNCTION_KEY',
  /** The timer binding reads %INGESTION_SCHEDULE%; Azure gets it from the infrastructure, a laptop from here. */
  defaultSettings: { INGESTION_SCHEDULE: DEFAULT_SCHEDULE },
  checkSettings: (env: Env): void => void loadConfig(env),
  bannerLines: (env: Env): string[] => {
    const c = loadConfig(env);
    return [
      `Lake: ${lakeOf(env)}`,
      `ODRE API: ${c.apiBaseUrl} (auth: ${c.auth.mode})`,
      `Datasets: ${c.datasets.join(', ')}`,
    ];
  },
  bannerLinks: (): string[] => [],
  commands: [
    {
      name: 'ingest',
      summary: 'Start one ingestion run and wait for it to finish',
      usage: `Usage: watt-watcher ingest [--from ISO] [--to ISO] [--dataset ID]... [--fast-timers]

Starts one run through the app's httpStarter function (its validation and budget checks apply),
prints progress and, on the last line, the run summary as JSON.
Exit: 0 succeeded, 2 partial, 1 failed or refused (429), 64 invalid request or usage.
  --from ISO            Window start (UTC)
  --to ISO              Window end (UTC)
  --dataset ID          Dataset id; repeat for several
  --fast-timers         Accelerated clock: retry back-offs do not wait in real time`,
      flags: {
        from: { type: 'string' },
        to: { type: 'string' },
        dataset: { type: 'string', multiple: true },
      },
      fastTimers: true,
      call: { function: FN.httpStarter, method: 'POST', path: '/api/ingestion/runs', body: ingestBody },
      print: ({ status, body }: { status: number; body: unknown }) => {
        const answer = (body ?? {}) as { id?: unknown; instanceId?: unknown };
        const id = answer.id ?? answer.instanceId;
        if (status === 202 || status === 200) {
          if (typeof id === 'string') return { follow: id, lines: [`started ${id}`] };
          return {
            lines: [JSON.stringify(body ?? null)],
            errLines: ['ingest: the starter answered without an instance id'],
            exit: EXIT.failed,
          };
        }
        return {
          lines: [JSON.stringify(body ?? null)],
          errLines: [`ingest refused (HTTP ${status}):`],
          exit: status === 400 ? EXIT.usage : EXIT.failed,
        };
      },
      progress,
      finished,
    },
  ],
} as const;
