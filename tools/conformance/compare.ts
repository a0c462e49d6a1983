/**
 * What the conformance suite compares for one scenario, and the allow-list applied to it: each
 * engine's observations are normalized the same way (allowed keys masked, instance ids replaced
 * by the scenario's run names), then compared whole.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface AllowEntry {
  id: string;
  reason: string;
  /** Keys whose values are masked wherever they appear. */
  keys?: string[];
  /** A text rewrite applied to every string on both sides. */
  text?: { find: string; replace: string };
}

export function loadAllowList(rootDir: string): AllowEntry[] {
  const file = path.join(rootDir, 'tools/conformance/allow-list.json');
  return (JSON.parse(fs.readFileSync(file, 'utf8')) as { allowed: AllowEntry[] }).allowed;
}

export interface RawEvent {
  type: string;
  eventId: number;
  name?: string;
  taskScheduledId?: number;
  timerId?: number;
  reason?: string;
}

const TERMINAL = /^Execution(Completed|Failed|Terminated)$|^ContinueAsNew$/;

/**
 * An orchestration history as the suite compares it: the start, the outcomes of every attempt
 * of each task name and of each sub-orchestration (sorted), the timers and signals counted, the end. Episode boundaries and
 * the arrival order of parallel completions (which interleave differently on each engine) are
 * left out: allow-list entry "episodes". The real Azure Storage provider keeps no TaskScheduled
 * input in the History table, so attempts cannot be told apart by slice here; the run's output
 * and heartbeat carry the attempts per slice.
 */
export function historyView(all: readonly RawEvent[]): Record<string, unknown> {
  // allow-list entry "stale-history-rows": what follows the end is an earlier execution's leftovers
  const end = all.findIndex((e) => TERMINAL.test(e.type));
  const events = end < 0 ? all : all.slice(0, end + 1);
  const outcome = new Map<number, string>();
  for (const e of events) {
    if (e.type === 'TaskCompleted') outcome.set(e.taskScheduledId ?? -1, 'TaskCompleted');
    else if (e.type === 'TaskFailed') outcome.set(e.taskScheduledId ?? -1, `TaskFailed: ${e.reason ?? ''}`);
    else if (e.type === 'TimerFired') outcome.set(e.timerId ?? -1, 'TimerFired');
    else if (e.type === 'SubOrchestrationInstanceCompleted' || e.type === 'SubOrchestrationInstanceFailed')
      outcome.set(e.taskScheduledId ?? -1, e.type);
  }
  const tasks = new Map<string, string[]>();
  const counts: Record<string, number> = {};
  let started = '';
  let ended = '';
  for (const e of events) {
    if (e.type === 'ExecutionStarted') started = e.name ?? '';
    else if (e.type === 'TaskScheduled' || e.type === 'SubOrchestrationInstanceCreated') {
      const key = e.type === 'TaskScheduled' ? (e.name ?? '') : `sub-orchestration ${e.name ?? ''}`;
      tasks.set(key, [...(tasks.get(key) ?? []), outcome.get(e.eventId) ?? 'pending']);
    } else if (e.type === 'TimerCreated' || e.type === 'EventSent') {
      const key = `${e.type} ${e.name ?? ''}${e.type === 'TimerCreated' ? ` -> ${outcome.get(e.eventId) ?? 'pending'}` : ''}`;
      counts[key] = (counts[key] ?? 0) + 1;
    } else if (TERMINAL.test(e.type)) ended = e.type;
  }
  return {
    started,
    tasks: Object.fromEntries(
      [...tasks.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, v.sort()]),
    ),
    counts,
    ended,
  };
}

/** Replaces every occurrence of each alias's value in every string, then masks allowed keys. */
export function normalize(
  value: unknown,
  aliases: Record<string, string>,
  allow: readonly AllowEntry[],
): unknown {
  const masked = new Map<string, string>();
  for (const entry of allow) for (const k of entry.keys ?? []) masked.set(k, `<allowed: ${entry.id}>`);
  const pairs = Object.entries(aliases)
    .filter(([, v]) => v !== '')
    .sort((a, b) => b[1].length - a[1].length);
  const rewrites = allow.flatMap((a) => (a.text ? [a.text] : []));
  const text = (s: string): string =>
    rewrites.reduce(
      (acc, r) => acc.split(r.find).join(r.replace),
      pairs.reduce((acc, [name, v]) => acc.split(v).join(`<${name}>`), s),
    );
  let maskedCount = 0;
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') {
      const t = text(v);
      // JSON text (history inputs, lake files): kept as text (same bytes) unless an allowed key
      // inside it had to be masked, then compared as normalized JSON
      if (/^\s*[[{]/.test(t)) {
        const before = maskedCount;
        let parsed: unknown;
        try {
          parsed = walk(JSON.parse(t) as unknown);
        } catch {
          return t;
        }
        return maskedCount > before ? { normalizedJson: parsed } : t;
      }
      return t;
    }
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, child] of Object.entries(v as Record<string, unknown>)) {
        // an allowed key holding an empty list says no more than the key being absent
        if (masked.has(k) && Array.isArray(child) && child.length === 0) continue;
        if (masked.has(k) && child !== null) {
          maskedCount++;
          out[text(k)] = masked.get(k);
        } else out[text(k)] = walk(child);
      }
      return out;
    }
    return v;
  };
  return walk(value);
}

/**
 * Every file under `dir` (sidecars included), relative to it: the text of heartbeats and
 * metadata sidecars, the size and SHA-256 of the bytes of the data files.
 */
export function lakeFiles(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string, rel: string): void => {
    if (!fs.existsSync(d)) return;
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(path.join(d, e.name), r);
      else {
        const bytes = fs.readFileSync(path.join(d, e.name));
        out[r] =
          r.startsWith('audit/') || e.name.startsWith('.')
            ? bytes.toString('utf8')
            : `${bytes.length} bytes, sha256 ${createHash('sha256').update(bytes).digest('hex')}`;
      }
    }
  };
  walk(dir, '');
  return out;
}
