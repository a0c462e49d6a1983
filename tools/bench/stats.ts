/** Pure helpers of the benchmark (bench.ts): statistics, history counts and the API budget projection. */

/** Median of a non-empty list (the mean of the two middle values for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of an empty list');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** `ms` as milliseconds or seconds, for the figures. */
export function formatMs(ms: number): string {
  return ms >= 10_000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`;
}

/** A number with a fixed count of decimals, for the machine-readable lines. */
export function fixed(value: number, decimals = 3): string {
  return Number.isFinite(value) ? value.toFixed(decimals) : 'NaN';
}

/** Durable Task Framework event type of an episode start (OrchestratorStarted). */
export const ORCHESTRATOR_STARTED = 12;

/** History events, episodes (one OrchestratorStarted each; every episode but the first is a replay) and tasks. */
export function historyStats(history: readonly { EventType: number }[]): {
  events: number;
  episodes: number;
  replays: number;
  tasksScheduled: number;
} {
  const episodes = history.filter((e) => e.EventType === ORCHESTRATOR_STARTED).length;
  return {
    events: history.length,
    episodes,
    replays: Math.max(0, episodes - 1),
    tasksScheduled: history.filter((e) => e.EventType === 4).length,
  };
}

/** Calls a month of scheduled runs costs against the portal's budget. */
export function monthlyProjection(
  requestsPerRun: number,
  runsPerDay: number,
  days: number,
  budget: number,
): { calls: number; share: number } {
  const calls = requestsPerRun * runsPerDay * days;
  return { calls, share: calls / budget };
}

/**
 * The best a backfill can do: every request waits `latencyMs`, and at most `parallelism` run at
 * once, so the wall time cannot be below requests × latency ÷ parallelism.
 */
export function latencyLimitMs(requests: number, latencyMs: number, parallelism: number): number {
  return (requests * latencyMs) / Math.max(1, parallelism);
}
