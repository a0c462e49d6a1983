/**
 * Issue 7, "Fast and frugal": cold start, API frugality, backfill throughput and orchestration
 * overhead of the real app, measured in one run.
 *
 *   npm run bench        (builds with tsc, then runs dist/tools/bench/bench.js)
 *
 * - Cold start: fresh child processes, process start -> every function registered through the
 *   embedded `@azure/functions-core` stand-in, for (a) bare node, (b) the tsc output with every SDK
 *   required at import, as the samples do, (c) the deployable bundle from scripts/package.ts.
 * - Frugality and overhead: one scheduled run through the embedded runtime against the ODRE stand-in.
 * - Throughput: a 30-day backfill of both datasets with 200 ms per request, parallel then sequential.
 *
 * The ODRE stand-in runs in its own process, as the real API is remote: its own work (generating
 * and streaming the exports) then does not compete with the app for the event loop.
 *
 * The output ends with six machine-readable `name: value` lines. Environment knobs:
 * BENCH_COLD_REPS (default 11), BENCH_BACKFILL_DAYS (30), BENCH_LATENCY_MS (200),
 * BENCH_ODRE_IN_PROCESS=1 (run the stand-in inside the bench process instead), BENCH_SCALE_LATENCY_MS (0,
 * the latency of the scaling table's backfills of 7, 30, 90 and 365 days x 2 datasets).
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { RealClock } from '../runtime/clock';
import type { InstanceRecord } from '../runtime/durable/types';
import { startHost, type RunningHost } from '../runtime/host';
import { expandGlob } from '../runtime/loader';
import { memoryLogger } from '../runtime/logger';
import { buildPackage } from '../package/package';
import { resetConfig } from '../../shared/config';
import { FN, INSTANCE_PREFIX } from '../../shared/constants';
import { CHUNK_SLICES } from '../../shared/orchestration';
import { startFakeOdre, type RequestLogEntry } from '../standins/odre/server';
import { scalingTable } from './scaling';
import { fixed, formatMs, historyStats, latencyLimitMs, median, monthlyProjection } from './stats';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const DAY_MS = 86_400_000;
const KEY = 'bench-key';

const COLD_REPS = intEnv('BENCH_COLD_REPS', 11);
const BACKFILL_DAYS = intEnv('BENCH_BACKFILL_DAYS', 30);
const LATENCY_MS = intEnv('BENCH_LATENCY_MS', 200);
const DEFAULT_PARALLELISM = 4;
const SCALE_DAYS = [7, 30, 90, 365];
const SCALE_LATENCY_MS = intEnv('BENCH_SCALE_LATENCY_MS', 0);

/** What the host allows at once (fetches of one step plus the stores of the previous one). */
function hostActivityLimit(): number {
  const hostJson = JSON.parse(fs.readFileSync(path.join(ROOT, 'host.json'), 'utf8')) as {
    extensions?: { durableTask?: { maxConcurrentActivityFunctions?: number } };
  };
  return hostJson.extensions?.durableTask?.maxConcurrentActivityFunctions ?? 10;
}
const MONTHLY_BUDGET = 50_000;
const ODRE_IN_PROCESS = process.env.BENCH_ODRE_IN_PROCESS === '1';

/** The SDKs the samples import at the top of every function file. */
const EAGER_SDKS = [
  '@azure/functions',
  'durable-functions',
  'axios',
  '@azure/identity',
  '@azure/keyvault-secrets',
  '@azure/storage-file-datalake',
];

/** Settings that would point the app elsewhere (Azure storage, Key Vault, other windows): cleared. */
const CLEARED_SETTINGS = [
  'STORAGE_ACCOUNT_NAME',
  'LAKE_DFS_ENDPOINT',
  'LAKE_FILESYSTEM',
  'KEY_VAULT_URL',
  'RTE_AUTH_MODE',
  'RTE_DATASETS',
  'INGESTION_LOOKBACK_HOURS',
  'INGESTION_MAX_RUN_SPAN_DAYS',
  'INGESTION_MAX_BACKFILL_DAYS',
  'RTE_MONTHLY_CALL_BUDGET',
  'WEBSITE_INSTANCE_ID',
  'WEBSITE_SITE_NAME',
];

function intEnv(name: string, fallback: number): number {
  const n = Number(process.env[name]);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

function out(line = ''): void {
  process.stdout.write(`${line}\n`);
}

function verdict(ok: boolean): string {
  return ok ? 'met' : 'MISSED';
}

// ---------------------------------------------------------------------------------------------
// 1. cold start

interface ColdSample {
  /** Child-reported: performance.now() at the ready marker (time since the process started). */
  selfMs: number;
  /** Parent-measured: spawn -> ready line received. */
  wallMs: number;
  registered: number;
}

function runChild(args: string[]): Promise<ColdSample> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env };
    delete env.NODE_OPTIONS;
    const t0 = performance.now();
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
    let stdout = '';
    let stderr = '';
    let sample: ColdSample | undefined;
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      stdout += chunk;
      const m = /^READY (\S+) (\d+)$/m.exec(stdout);
      if (m && !sample) {
        sample = { wallMs: performance.now() - t0, selfMs: Number(m[1]), registered: Number(m[2]) };
      }
    });
    child.stderr.on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      if (sample && code === 0) resolve(sample);
      else reject(new Error(`child ${args.join(' ')} exited with ${code}: ${stderr.slice(0, 2000)}`));
    });
  });
}

/** A CommonJS script: install the functions-core stand-in, require `modules` in order, report. */
function loaderScript(modules: readonly string[]): string {
  const lit = (s: string): string => JSON.stringify(s);
  return [
    "'use strict';",
    `require(${lit(path.join(ROOT, 'dist', 'tools', 'runtime', 'loader.js'))}).installCoreModule();`,
    `const core = require(${lit(path.join(ROOT, 'dist', 'tools', 'runtime', 'functionsCore.js'))});`,
    ...modules.map((m) => `require(${lit(m)});`),
    'const registered = core.getRegistry().list().length;',
    'process.stdout.write(`READY ${performance.now().toFixed(3)} ${registered}\\n`);',
    '',
  ].join('\n');
}

interface ColdResult {
  bare: ColdSample[];
  eager: ColdSample[];
  bundle: ColdSample[];
  bundleBytes: number;
  entryFiles: number;
}

async function coldStart(tmp: string): Promise<ColdResult> {
  const staging = path.join(tmp, 'package');
  await buildPackage({ root: ROOT, out: path.join(tmp, 'watt-watcher.zip'), stagingDir: staging });
  const bundle = path.join(staging, 'main.js');

  const mainGlob = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { main: string })
    .main;
  const entryFiles = expandGlob(ROOT, mainGlob);
  const sdkPaths = EAGER_SDKS.map((m) => require.resolve(m, { paths: [ROOT] }));
  const eagerScript = path.join(tmp, 'cold-eager.js');
  const bundleScript = path.join(tmp, 'cold-bundle.js');
  fs.writeFileSync(eagerScript, loaderScript([...sdkPaths, ...entryFiles]));
  fs.writeFileSync(bundleScript, loaderScript([bundle]));
  const bareArgs = ['-e', 'process.stdout.write(`READY ${performance.now().toFixed(3)} 0\\n`)'];

  const result: ColdResult = {
    bare: [],
    eager: [],
    bundle: [],
    bundleBytes: fs.statSync(bundle).size,
    entryFiles: entryFiles.length,
  };
  // One discarded warm-up round (file cache), then rounds that interleave the three variants.
  for (let round = 0; round <= COLD_REPS; round++) {
    const bare = await runChild(bareArgs);
    const eager = await runChild([eagerScript]);
    const bundled = await runChild([bundleScript]);
    if (round === 0) continue;
    result.bare.push(bare);
    result.eager.push(eager);
    result.bundle.push(bundled);
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// the ODRE stand-in, in its own process (default) or in this one

interface Odre {
  url: string;
  requests(): Promise<RequestLogEntry[]>;
  peakConcurrency(): Promise<number>;
  close(): Promise<void>;
}

async function startOdre(tmp: string, latencyMs: number): Promise<Odre> {
  if (ODRE_IN_PROCESS) {
    const odre = await startFakeOdre({ latencyMs });
    return {
      url: odre.url,
      requests: () => Promise.resolve(odre.requests()),
      peakConcurrency: () => Promise.resolve(odre.peakConcurrency()),
      close: () => odre.close(),
    };
  }
  const script = path.join(tmp, 'odre-process.js');
  fs.writeFileSync(
    script,
    [
      "'use strict';",
      `const { startFakeOdre } = require(${JSON.stringify(path.join(ROOT, 'dist', 'tools', 'standins', 'odre', 'server.js'))});`,
      'startFakeOdre({ latencyMs: Number(process.argv[2]) }).then((odre) => {',
      '  process.stdout.write(`ODRE ${odre.url}\\n`);',
      '  process.stdin.resume();',
      "  process.stdin.on('end', () => void odre.close().then(() => process.exit(0)));",
      '});',
      '',
    ].join('\n'),
  );
  const child = spawn(process.execPath, [script, String(latencyMs)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    let text = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      text += chunk;
      const m = /^ODRE (\S+)$/m.exec(text);
      if (m?.[1]) resolve(m[1]);
    });
    child.on('error', reject);
    void exited.then(() => reject(new Error('the ODRE stand-in process exited before listening')));
  });
  // Warm the fresh process up (JIT) with both datasets' exports, then forget those requests.
  const day = Math.floor(Date.now() / DAY_MS) * DAY_MS - 2 * DAY_MS;
  const where = `date_heure >= date'${new Date(day).toISOString()}' and date_heure < date'${new Date(day + DAY_MS).toISOString()}'`;
  for (let i = 0; i < 3; i++) {
    for (const dataset of ['eco2mix-regional-tr', 'eco2mix-national-tr']) {
      const res = await fetch(
        `${url}/api/explore/v2.1/catalog/datasets/${dataset}/exports/json?where=${encodeURIComponent(where)}`,
      );
      await res.arrayBuffer();
    }
  }
  await (await fetch(`${url}/__control/requests`, { method: 'DELETE' })).arrayBuffer();
  const log = async (): Promise<{ requests: RequestLogEntry[]; peakConcurrency: number }> => {
    const res = await fetch(`${url}/__control/requests`);
    return (await res.json()) as { requests: RequestLogEntry[]; peakConcurrency: number };
  };
  return {
    url,
    requests: async () => (await log()).requests,
    peakConcurrency: async () => (await log()).peakConcurrency,
    close: async () => {
      child.stdin.end();
      await exited;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// the app in the embedded runtime

interface AppRun {
  host: RunningHost;
  odre: Odre;
  lakeDir: string;
}

async function withApp<T>(
  opts: {
    tmp: string;
    name: string;
    parallelism: number;
    latencyMs: number;
    maxConcurrentActivities?: number;
  },
  body: (app: AppRun) => Promise<T>,
): Promise<T> {
  const base = fs.mkdtempSync(path.join(opts.tmp, `${opts.name}-`));
  const lakeDir = path.join(base, 'data');
  const odre = await startOdre(opts.tmp, opts.latencyMs);
  const settings: Record<string, string | undefined> = {
    RTE_API_BASE_URL: odre.url,
    LOCAL_LAKE_DIR: lakeDir,
    INGESTION_PARALLELISM: String(opts.parallelism),
    RTE_REQUEST_TIMEOUT_MS: '30000',
  };
  for (const name of CLEARED_SETTINGS) settings[name] = undefined;
  const saved: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(settings)) {
    saved[k] = process.env[k];
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  resetConfig();
  const logger = memoryLogger();
  let host: RunningHost | undefined;
  try {
    host = await startHost({
      rootDir: ROOT,
      durableDir: path.join(base, '.durable'),
      clock: new RealClock(),
      port: 0,
      timers: false,
      loadSettings: false,
      banner: false,
      logger,
      functionKeys: [KEY],
      ...(opts.maxConcurrentActivities === undefined
        ? {}
        : { maxConcurrentActivities: opts.maxConcurrentActivities }),
    });
    return await body({ host, odre, lakeDir });
  } catch (err) {
    const errors = logger.lines.filter((l) => l.level === 'error' || l.level === 'critical');
    for (const l of errors.slice(0, 10)) process.stderr.write(`  [${l.category ?? ''}] ${l.message}\n`);
    throw err;
  } finally {
    await host?.stop();
    await odre.close();
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    resetConfig();
    fs.rmSync(base, { recursive: true, force: true });
  }
}

async function finish(host: RunningHost, instanceId: string): Promise<InstanceRecord> {
  const rec = await host.engine.waitForCompletion(instanceId, { timeoutMs: 300_000 });
  await host.engine.waitForIdle();
  if (rec.status !== 'Completed') throw new Error(`${instanceId} ended ${rec.status}: ${rec.output ?? ''}`);
  return rec;
}

async function apiRequests(
  odre: Odre,
): Promise<{ total: number; byDataset: Record<string, number>; serviceMs: number }> {
  const byDataset: Record<string, number> = {};
  let total = 0;
  let serviceMs = 0;
  for (const r of await odre.requests()) {
    if (r.endpoint !== 'exports' && r.endpoint !== 'records') continue;
    total++;
    byDataset[r.dataset ?? '?'] = (byDataset[r.dataset ?? '?'] ?? 0) + 1;
    serviceMs += (r.endedAt ?? r.startedAt) - r.startedAt;
  }
  return { total, byDataset, serviceMs };
}

// ---------------------------------------------------------------------------------------------
// 2 + 4. one scheduled run

interface ScheduledResult {
  requests: number;
  byDataset: Record<string, number>;
  records: number;
  history: ReturnType<typeof historyStats>;
  wallMs: number;
}

async function scheduledRun(tmp: string): Promise<ScheduledResult> {
  return withApp({ tmp, name: 'scheduled', parallelism: DEFAULT_PARALLELISM, latencyMs: 0 }, async (app) => {
    const t0 = performance.now();
    await app.host.invoke(FN.timerStarter, {
      isPastDue: false,
      schedule: { adjustForDST: false },
      scheduleStatus: null,
    });
    const scheduled = app.host.engine
      .listInstances({ instanceIdPrefix: INSTANCE_PREFIX.scheduled })
      .instances.filter(
        (i) =>
          !i.instanceId.startsWith(INSTANCE_PREFIX.manual) &&
          !i.instanceId.startsWith(INSTANCE_PREFIX.backfill),
      );
    if (scheduled.length !== 1) throw new Error(`expected one scheduled run, found ${scheduled.length}`);
    const rec = await finish(app.host, scheduled[0]!.instanceId);
    const wallMs = performance.now() - t0;
    const output = JSON.parse(rec.output ?? '{}') as { records?: number };
    const { total, byDataset } = await apiRequests(app.odre);
    return {
      requests: total,
      byDataset,
      records: output.records ?? 0,
      history: historyStats(rec.history),
      wallMs,
    };
  });
}

// ---------------------------------------------------------------------------------------------
// 3. backfill

interface BackfillResult {
  wallMs: number;
  requests: number;
  /** Sum over requests of the stand-in's own time (arrival -> response end), latency included. */
  serviceMs: number;
  records: number;
  files: number;
  peakRssMb: number;
  peakRequestsInFlight: number;
  peakActivities: number;
  history: ReturnType<typeof historyStats>;
  slices: number;
  instances: number;
  maxHistoryEvents: number;
  replayedEvents: number;
  episodes: number;
}

async function backfill(
  tmp: string,
  opts: {
    name: string;
    days: number;
    parallelism: number;
    maxConcurrentActivities?: number;
    latencyMs: number;
  },
): Promise<BackfillResult> {
  return withApp({ tmp, ...opts }, async (app) => {
    const to = Math.floor(Date.now() / DAY_MS) * DAY_MS;
    const from = to - opts.days * DAY_MS;
    let peakRss = process.memoryUsage().rss;
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }, 50);
    try {
      const t0 = performance.now();
      const res = await fetch(`${app.host.httpUrl}/api/ingestion/runs`, {
        method: 'POST',
        headers: { 'x-functions-key': KEY, 'content-type': 'application/json' },
        body: JSON.stringify({ from: new Date(from).toISOString(), to: new Date(to).toISOString() }),
      });
      const body = (await res.json()) as { id?: string; error?: string };
      if (res.status !== 202 || !body.id)
        throw new Error(`backfill refused: ${res.status} ${JSON.stringify(body)}`);
      const rec = await finish(app.host, body.id);
      const wallMs = performance.now() - t0;
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
      const output = JSON.parse(rec.output ?? '{}') as { records?: number; files?: number };
      const history = historyStats(rec.history);
      const api = await apiRequests(app.odre);
      return {
        wallMs,
        requests: api.total,
        serviceMs: api.serviceMs,
        records: output.records ?? 0,
        files: output.files ?? 0,
        peakRssMb: peakRss / 1024 / 1024,
        peakRequestsInFlight: await app.odre.peakConcurrency(),
        peakActivities: app.host.engine.peakActivities,
        history,
        slices: opts.days * 2,
        instances: app.host.engine.listInstances({}).instances.length,
        maxHistoryEvents: app.host.engine.maxHistoryEvents,
        replayedEvents: app.host.engine.replayedEvents,
        episodes: app.host.engine.episodes,
      };
    } finally {
      clearInterval(sampler);
    }
  });
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const started = performance.now();
  const cpus = os.cpus();
  out('Watt Watcher benchmark (issue 7, "Fast and frugal")');
  out(
    `machine: ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${cpus.length} cores, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
  );
  out(`node: ${process.version} (${process.platform}/${process.arch})`);
  out(`date: ${new Date().toISOString()}`);
  out();

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ww-bench-'));
  try {
    // 1 ------------------------------------------------------------------------------------
    const cold = await coldStart(tmp);
    const a = median(cold.bare.map((s) => s.selfMs));
    const b = median(cold.eager.map((s) => s.selfMs));
    const c = median(cold.bundle.map((s) => s.selfMs));
    const registeredB = median(cold.eager.map((s) => s.registered));
    const registeredC = median(cold.bundle.map((s) => s.registered));
    out(
      `1. Cold start: process start -> all functions registered (median of ${COLD_REPS} fresh processes each)`,
    );
    const row = (label: string, samples: ColdSample[], note: string): void =>
      out(
        `   ${label.padEnd(44)} ${formatMs(median(samples.map((s) => s.selfMs))).padStart(9)}` +
          `   (spawn->ready ${formatMs(median(samples.map((s) => s.wallMs)))})${note}`,
      );
    row('(a) bare node -e', cold.bare, '');
    row('(b) tsc output, every SDK required at import', cold.eager, `, ${registeredB} functions`);
    row('(c) deployable bundle (scripts/package.ts)', cold.bundle, `, ${registeredC} functions`);
    out(`   entry files: ${cold.entryFiles}; main.js ${(cold.bundleBytes / 1024 / 1024).toFixed(2)} MB`);
    if (registeredB !== registeredC || registeredC === 0) {
      throw new Error(
        `the variants registered different function counts: (b) ${registeredB}, (c) ${registeredC}`,
      );
    }
    const loadRatio = c / b;
    const vsBare = c / a;
    out(`   (c) / (b) = ${fixed(loadRatio)}   goal <= 0.4: ${verdict(loadRatio <= 0.4)}`);
    out(`   (c) / (a) = ${fixed(vsBare)}   goal <= 3: ${verdict(vsBare <= 3)}`);
    out();

    // 2 + 4 --------------------------------------------------------------------------------
    const sched = await scheduledRun(tmp);
    const perDataset = Object.entries(sched.byDataset)
      .map(([d, n]) => `${d} ${n}`)
      .join(', ');
    const month = monthlyProjection(sched.requests, 96, 30, MONTHLY_BUDGET);
    out('2. API frugality (ODRE stand-in request log)');
    out(
      `   scheduled run: ${sched.requests} requests (${perDataset}), ${sched.records} records, ${formatMs(sched.wallMs)}`,
    );
    out(
      `   steady state: ${sched.requests === 2 && Object.values(sched.byDataset).every((n) => n === 1) ? 'exactly one request per dataset per run' : 'NOT one request per dataset per run'}`,
    );
    out(
      `   monthly projection: 96 runs/day x 30 days x ${sched.requests} = ${month.calls} calls = ` +
        `${(month.share * 100).toFixed(1)}% of the ${MONTHLY_BUDGET} budget`,
    );
    out();

    // 3 ------------------------------------------------------------------------------------
    // Warm-up (JIT, lazy modules), then the measured runs.
    await backfill(tmp, { name: 'warmup', days: 2, parallelism: DEFAULT_PARALLELISM, latencyMs: 0 });
    const par = await backfill(tmp, {
      name: 'parallel',
      days: BACKFILL_DAYS,
      parallelism: DEFAULT_PARALLELISM,
      latencyMs: LATENCY_MS,
    });
    const seq = await backfill(tmp, {
      name: 'sequential',
      days: BACKFILL_DAYS,
      parallelism: 1,
      maxConcurrentActivities: 1,
      latencyMs: LATENCY_MS,
    });
    const limit = latencyLimitMs(par.requests, LATENCY_MS, DEFAULT_PARALLELISM);
    const seqLimit = latencyLimitMs(seq.requests, LATENCY_MS, 1);
    const ratio = par.wallMs / limit;
    const speedup = seq.wallMs / par.wallMs;
    const maxRssMb = process.resourceUsage().maxRSS / 1024;
    out(
      `3. Backfill throughput: ${BACKFILL_DAYS} days x 2 datasets, ${LATENCY_MS} ms per request ` +
        `(stand-in ${ODRE_IN_PROCESS ? 'in the bench process' : 'in its own process'}), ` +
        `INGESTION_PARALLELISM ${DEFAULT_PARALLELISM}, host.json maxConcurrentActivityFunctions ${hostActivityLimit()}`,
    );
    out(
      `   parallel:   ${formatMs(par.wallMs)}, ${par.requests} requests (one per slice: ${par.requests === BACKFILL_DAYS * 2 ? 'yes' : 'NO'}), ` +
        `${par.records} records, ${(par.records / (par.wallMs / 1000)).toFixed(0)} records/s`,
    );
    out(
      `               limit = ${par.requests} x ${LATENCY_MS} ms / ${DEFAULT_PARALLELISM} = ${formatMs(limit)}; ` +
        `wall/limit = ${fixed(ratio)}   goal <= 1.15: ${verdict(ratio <= 1.15)}`,
    );
    const serviceLimit = par.serviceMs / DEFAULT_PARALLELISM;
    out(
      `               stand-in service time: mean ${formatMs(par.serviceMs / Math.max(1, par.requests))} per request ` +
        `(${LATENCY_MS} ms latency + generating and streaming the export); ` +
        `sum / ${DEFAULT_PARALLELISM} = ${formatMs(serviceLimit)}, wall / that = ${fixed(par.wallMs / serviceLimit)}`,
    );
    out(
      `               peak requests in flight ${par.peakRequestsInFlight}, peak activities ${par.peakActivities}, ` +
        `${par.history.events} history events, ${par.history.episodes} episodes`,
    );
    out(
      `   sequential: ${formatMs(seq.wallMs)}, ${seq.requests} requests, ${seq.records} records, ` +
        `${(seq.records / (seq.wallMs / 1000)).toFixed(0)} records/s; limit ${formatMs(seqLimit)}, ` +
        `wall/limit ${fixed(seq.wallMs / seqLimit)}`,
    );
    out(`   speedup parallel vs sequential = ${fixed(speedup)}   goal >= 3.5: ${verdict(speedup >= 3.5)}`);
    out(
      `   peak RSS during the parallel backfill (sampled every 50 ms) = ${par.peakRssMb.toFixed(1)} MB   ` +
        `goal <= 300 MB: ${verdict(par.peakRssMb <= 300)}; bench process maxRSS ${maxRssMb.toFixed(1)} MB`,
    );
    out();

    // 5 ------------------------------------------------------------------------------------
    const scale: { days: number; r: BackfillResult }[] = [];
    for (const days of SCALE_DAYS) {
      scale.push({
        days,
        r: await backfill(tmp, {
          name: `scale-${days}`,
          days,
          parallelism: DEFAULT_PARALLELISM,
          latencyMs: SCALE_LATENCY_MS,
        }),
      });
    }
    out(
      `5. Scaling: backfills x 2 datasets, ${SCALE_LATENCY_MS} ms per request, INGESTION_PARALLELISM ${DEFAULT_PARALLELISM}, ` +
        `chunks of ${CHUNK_SLICES} slices (embedded runtime: every episode replays the whole history, as on Azure)`,
    );
    out(scalingTable(scale.map(({ days, r }) => ({ days, ...r }))));
    const last = scale[scale.length - 1]?.r;
    const at30 = scale.find((x) => x.days === 30)?.r;
    const perSlice = (r: BackfillResult | undefined): number => (r ? r.replayedEvents / r.slices : NaN);
    const flat = perSlice(last) / perSlice(at30);
    out(
      `   replayed events per slice, ${SCALE_DAYS[SCALE_DAYS.length - 1]} days / 30 days = ${fixed(flat)}   ` +
        `goal flat (<= 1.2): ${verdict(flat <= 1.2)}`,
    );
    out();

    out('4. Orchestration overhead (scheduled run, from the instance history)');
    out(
      `   ${sched.history.events} history events, ${sched.history.episodes} episodes ` +
        `(${sched.history.replays} replays), ${sched.history.tasksScheduled} activities   ` +
        `goal <= 22 events: ${verdict(sched.history.events <= 22)}`,
    );
    out();
    out(`bench time: ${formatMs(performance.now() - started)}`);
    out();

    out(`backfill_ratio_to_limit: ${fixed(ratio)}`);
    out(`speedup_vs_sequential: ${fixed(speedup)}`);
    out(`load_time_ratio: ${fixed(loadRatio)}`);
    out(`load_vs_bare_node: ${fixed(vsBare)}`);
    out(`peak_rss_mb: ${fixed(par.peakRssMb, 2)}`);
    out(`history_events_per_run: ${fixed(sched.history.events, 2)}`);
    out(`max_history_events_per_instance: ${last?.maxHistoryEvents ?? NaN}`);
    out(`replayed_events_per_slice: ${fixed(perSlice(last), 2)}`);
    out(`peak_rss_mb_365d: ${fixed(last?.peakRssMb ?? NaN, 2)}`);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
