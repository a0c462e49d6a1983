/** The app in the embedded runtime, against a fresh ODRE stand-in, lake and task hub. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RealClock } from '../runtime/clock';
import type { InstanceRecord } from '../runtime/durable/types';
import { startHost, type RunningHost } from '../runtime/host';
import { memoryLogger } from '../runtime/logger';
import { resetConfig } from '../../shared/config';
import type { RequestLogEntry } from '../standins/odre/server';
import { startOdre, type Odre } from './odre';
import { CLEARED_SETTINGS, KEY, ROOT } from './settings';
export interface AppRun {
  host: RunningHost;
  odre: Odre;
  lakeDir: string;
}

export async function withApp<T>(
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

export async function finish(host: RunningHost, instanceId: string): Promise<InstanceRecord> {
  const rec = await host.engine.waitForCompletion(instanceId, { timeoutMs: 300_000 });
  await host.engine.waitForIdle();
  if (rec.status !== 'Completed') throw new Error(`${instanceId} ended ${rec.status}: ${rec.output ?? ''}`);
  return rec;
}

/** The stand-in's API requests (exports and records), counted and as time intervals. */
export async function apiRequests(odre: Odre): Promise<{
  total: number;
  byDataset: Record<string, number>;
  serviceMs: number;
  intervals: { start: number; end: number }[];
}> {
  const byDataset: Record<string, number> = {};
  const api = (await odre.requests()).filter(
    (r: RequestLogEntry) => r.endpoint === 'exports' || r.endpoint === 'records',
  );
  const intervals = api.map((r) => ({ start: r.startedAt, end: r.endedAt ?? r.startedAt }));
  for (const r of api) byDataset[r.dataset ?? '?'] = (byDataset[r.dataset ?? '?'] ?? 0) + 1;
  const serviceMs = intervals.reduce((n, i) => n + i.end - i.start, 0);
  return { total: api.length, byDataset, serviceMs, intervals };
}
