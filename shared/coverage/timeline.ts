import { RETRY_POLICY } from '../constants';
import { decodeFailure, truncate } from '../errors';

/** One bar or mark of a run's timeline, built from the status API's readable history. */
export interface TimelineEntry {
  kind: 'run' | 'activity' | 'timer';
  name: string;
  start: string;
  end: string;
  ok: boolean;
  /** Activities: which attempt of a retried call this was (1 for the first). */
  attempt?: number;
  /** Timers: `retry` when it follows a failed attempt, `wait` otherwise. */
  purpose?: 'retry' | 'wait';
  error?: string;
}

interface FriendlyEvent {
  EventType?: unknown;
  FunctionName?: unknown;
  ScheduledTime?: unknown;
  Timestamp?: unknown;
  FireAt?: unknown;
  Reason?: unknown;
  OrchestrationStatus?: unknown;
  Result?: unknown;
}

const text = (v: unknown): string => (typeof v === 'string' ? v : v === undefined ? '' : JSON.stringify(v));

function errorOf(reason: unknown): string {
  const f = decodeFailure(text(reason));
  return truncate(`${f.code}${f.httpStatus !== null ? ` (HTTP ${f.httpStatus})` : ''}: ${f.message}`, 300);
}

/**
 * Attempts are numbered per activity name: an execution scheduled after an unretried failure of
 * the same activity is that failure's retry (the history carries no inputs to tell slices apart,
 * so with several slices in flight the numbering is the order the host retried them in).
 */
export function buildTimeline(history: unknown): TimelineEntry[] {
  if (!Array.isArray(history)) return [];
  const out: TimelineEntry[] = [];
  const awaitingRetry = new Map<string, { at: number; attempt: number }[]>();
  let runStart = '';
  const timers: { created: string; fireAt: string; purpose: 'retry' | 'wait' }[] = [];
  for (const e of history as FriendlyEvent[]) {
    const type = text(e.EventType);
    const ts = text(e.Timestamp);
    if (type === 'ExecutionStarted') runStart = ts;
    else if (type === 'TaskCompleted' || type === 'TaskFailed') {
      const name = text(e.FunctionName);
      const start = text(e.ScheduledTime) || ts;
      const queue = awaitingRetry.get(name) ?? [];
      const i = queue.findIndex((f) => f.at < Date.parse(start));
      const attempt = i >= 0 ? (queue.splice(i, 1)[0]?.attempt ?? 0) + 1 : 1;
      const ok = type === 'TaskCompleted';
      if (!ok && attempt < RETRY_POLICY.maxNumberOfAttempts) {
        awaitingRetry.set(name, [...queue, { at: Date.parse(ts), attempt }]);
      } else awaitingRetry.set(name, queue);
      out.push({ kind: 'activity', name, start, end: ts, ok, attempt, ...(ok ? {} : { error: errorOf(e.Reason) }) });
    } else if (type === 'TimerCreated') {
      const purpose = [...awaitingRetry.values()].some((q) => q.length > 0) ? 'retry' : 'wait';
      timers.push({ created: ts, fireAt: text(e.FireAt), purpose });
    } else if (type === 'TimerFired') {
      const fireAt = text(e.FireAt);
      const i = timers.findIndex((t) => t.fireAt === fireAt);
      const t = i >= 0 ? timers.splice(i, 1)[0] : undefined;
      const purpose = t?.purpose ?? 'wait';
      out.push({
        kind: 'timer',
        name: purpose === 'retry' ? 'retry timer' : 'durable timer',
        start: t?.created ?? ts,
        end: ts,
        ok: true,
        purpose,
      });
    } else if (type === 'ExecutionCompleted') {
      const status = text(e.OrchestrationStatus);
      const ok = status === 'Completed';
      out.push({
        kind: 'run',
        name: `orchestration ${status.toLowerCase()}`,
        start: runStart || ts,
        end: ts,
        ok,
        ...(ok ? {} : { error: truncate(text(e.Result), 300) }),
      });
      // after continue-as-new, Azure Storage leaves an earlier, longer execution's rows past the end
      break;
    }
  }
  return out;
}
