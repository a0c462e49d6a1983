/** Listing and reading the heartbeat partitions, for the coverage reader and the day digests. */
import { AUDIT_DIR, DAY_MS } from '../constants';
import type { Lake } from '../lake/lake';

export interface HeartbeatFile {
  path: string;
  /** Midnight of the partition (the run slot's UTC day). */
  day: number;
  manual: boolean;
}

const NAME = /(\d{4})\/(\d{2})\/(\d{2})\/heartbeat_\d{8}T\d{6}Z(_[A-Za-z0-9._-]+)?\.json$/;
const READ_CONCURRENCY = 16;
const DAYS_LISTED_ONE_BY_ONE = 40;

function parseName(path: string): HeartbeatFile | null {
  const m = NAME.exec(path);
  if (!m) return null;
  const [, y, mo, d, tag] = m;
  return { path, day: Date.UTC(Number(y), Number(mo) - 1, Number(d)), manual: tag !== undefined };
}

/**
 * Heartbeat files of the partitions from `fromDay` to `untilMs`'s day, oldest first (a partition's
 * names sort by run slot, so the listing's order is the runs'): one listing per day over a short
 * span, one per month over a long one.
 */
export async function listHeartbeats(lake: Lake, fromDay: number, untilMs: number): Promise<HeartbeatFile[]> {
  const dirs: string[] = [];
  const perDay = untilMs - fromDay <= DAYS_LISTED_ONE_BY_ONE * DAY_MS;
  const cursor = new Date(fromDay);
  if (!perDay) cursor.setUTCDate(1);
  while (cursor.getTime() <= untilMs) {
    const ymd = cursor.toISOString().slice(0, 10).replace(/-/g, '/');
    dirs.push(`${AUDIT_DIR}/${perDay ? ymd : ymd.slice(0, 7)}`);
    if (perDay) cursor.setUTCDate(cursor.getUTCDate() + 1);
    else cursor.setUTCMonth(cursor.getUTCMonth() + 1);
  }
  const listed = await Promise.all(dirs.map((d) => lake.list(d)));
  return listed
    .flat()
    .map(parseName)
    .filter((h): h is HeartbeatFile => h !== null && h.day >= fromDay);
}

export async function readAll(lake: Lake, paths: readonly string[]): Promise<Map<string, unknown>> {
  const out = new Map<string, unknown>();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < paths.length) {
      const p = paths[next++] as string;
      const body = await lake.read(p);
      if (!body) continue;
      try {
        out.set(p, JSON.parse(body.toString('utf8')) as unknown);
      } catch {
        // a heartbeat that is not JSON says nothing about coverage
      }
    }
  };
  await Promise.all(Array.from({ length: READ_CONCURRENCY }, worker));
  return out;
}

