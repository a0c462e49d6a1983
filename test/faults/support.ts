/**
 * Checks shared by the fault, crash and load suites: durable history counts, lake invariants
 * (no partial file under a final name, no temp files, no duplicate rows) and coverage of a window.
 */
import { SUITE_EPOCH } from '../setup/epoch';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EventType, type HistoryEvent, type InstanceRecord } from '../../runtime/durable/types';
import { QUARTER_MS, REGION_CODES, type DatasetId } from '../../shared/constants';

export const REGIONAL: DatasetId = 'eco2mix-regional-tr';
export const NATIONAL: DatasetId = 'eco2mix-national-tr';

/** Every file under `dir` (dot-files included), relative, with `/` separators. */
export function walkAll(dir: string, rel = ''): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...walkAll(path.join(dir, e.name), r));
    else out.push(r);
  }
  return out.sort();
}

export interface ActivityCounts {
  scheduled: number;
  completed: number;
  failed: number;
}

/** TaskScheduled / TaskCompleted / TaskFailed of one activity, optionally only for inputs containing `match`. */
export function activityCounts(rec: InstanceRecord, name: string, match?: string): ActivityCounts {
  const ids = new Set<number>();
  for (const e of rec.history) {
    if (e.EventType === EventType.TaskScheduled && e.Name === name && (!match || e.Input?.includes(match)))
      ids.add(e.EventId);
  }
  const of = (t: EventType): number =>
    rec.history.filter((e) => e.EventType === t && ids.has(e.TaskScheduledId ?? -1)).length;
  return { scheduled: ids.size, completed: of(EventType.TaskCompleted), failed: of(EventType.TaskFailed) };
}

export function countEvents(rec: InstanceRecord, type: EventType): number {
  return rec.history.filter((e: HistoryEvent) => e.EventType === type).length;
}

/** Virtual time from the first to the last history event (what the retry back-offs cost). */
export function virtualSpanMs(rec: InstanceRecord): number {
  const first = rec.history[0];
  const last = rec.history[rec.history.length - 1];
  if (!first || !last) return 0;
  return Date.parse(last.Timestamp) - Date.parse(first.Timestamp);
}

export interface LakeReport {
  files: string[];
  production: string[];
  temp: string[];
  staging: string[];
  /** Files under a final name whose bytes are not a JSON array of records. */
  unreadable: string[];
  /** Files under a final name whose sidecar sha256 does not match their bytes. */
  shaMismatch: string[];
}

/** Inspects the local lake (`<lakeDir>/bronze`). */
export function inspectLake(lakeDir: string, ignore: readonly string[] = []): LakeReport {
  const root = path.join(lakeDir, 'bronze');
  const files = walkAll(root).filter((f) => !ignore.includes(f));
  const production = files.filter(
    (f) => f.startsWith('rte/production/') && !path.basename(f).startsWith('.'),
  );
  const unreadable: string[] = [];
  const shaMismatch: string[] = [];
  for (const f of production) {
    const bytes = fs.readFileSync(path.join(root, f));
    try {
      const parsed: unknown = JSON.parse(bytes.toString('utf8'));
      if (!Array.isArray(parsed)) unreadable.push(f);
    } catch {
      unreadable.push(f);
    }
    const sidecar = path.join(root, path.dirname(f), `.${path.basename(f)}.meta.json`);
    const meta = fs.existsSync(sidecar)
      ? (JSON.parse(fs.readFileSync(sidecar, 'utf8')) as { metadata?: { sha256?: string } })
      : {};
    const sha = createHash('sha256').update(bytes).digest('hex');
    if (meta.metadata?.sha256 !== sha) shaMismatch.push(f);
  }
  return {
    files,
    production,
    temp: files.filter((f) => path.basename(f).startsWith('.tmp-') || /\.tmp$/.test(f)),
    staging: files.filter((f) => f.startsWith('_staging/')),
    unreadable,
    shaMismatch,
  };
}

export type Row = Record<string, unknown> & {
  date_heure: string;
  code_insee_region?: string;
  perimetre?: string;
};

export function readRows(lakeDir: string, file: string): Row[] {
  return JSON.parse(fs.readFileSync(path.join(lakeDir, 'bronze', file), 'utf8')) as Row[];
}

/** `regional|32|2026-...` style keys of every row in the files; duplicates listed once each. */
export function duplicateRows(lakeDir: string, files: readonly string[]): string[] {
  const seen = new Set<string>();
  const dups = new Set<string>();
  for (const f of files) {
    const kind = f.includes('_regional_') ? 'regional' : 'national';
    for (const r of readRows(lakeDir, f)) {
      const key = `${kind}|${String(r.code_insee_region ?? r.perimetre ?? '')}|${r.date_heure}`;
      if (seen.has(key)) dups.add(key);
      seen.add(key);
    }
  }
  return [...dups];
}

/** Quarters of [from, to) that the given files do not fully cover for the dataset. */
export function missingQuarters(
  lakeDir: string,
  files: readonly string[],
  dataset: DatasetId,
  from: string,
  to: string,
): string[] {
  const short = dataset === REGIONAL ? '_regional_' : '_national_';
  const perQuarter = dataset === REGIONAL ? REGION_CODES.length : 1;
  const keys = new Map<number, Set<string>>();
  for (const f of files.filter((x) => x.includes(short))) {
    for (const r of readRows(lakeDir, f)) {
      const t = Date.parse(r.date_heure);
      const set = keys.get(t) ?? new Set<string>();
      set.add(String(r.code_insee_region ?? r.perimetre ?? ''));
      keys.set(t, set);
    }
  }
  const missing: string[] = [];
  for (let q = Date.parse(from); q < Date.parse(to); q += QUARTER_MS) {
    if ((keys.get(q)?.size ?? 0) < perQuarter) missing.push(new Date(q).toISOString());
  }
  return missing;
}

/** A past window of `hours`, ending `endHoursAgo` before now on a quarter boundary (published data). */
export function pastWindow(hours: number, endHoursAgo = 2): { from: string; to: string } {
  const to = Math.floor(SUITE_EPOCH / QUARTER_MS) * QUARTER_MS - endHoursAgo * 3600_000;
  const from = to - hours * 3600_000;
  const iso = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');
  return { from: iso(from), to: iso(to) };
}

export async function until(check: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const start = performance.now();
  while (!check()) {
    if (performance.now() - start > timeoutMs) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
