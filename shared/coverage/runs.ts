import type { DurableClient, DurableOrchestrationStatus } from 'durable-functions';
import { INSTANCE_PREFIX } from '../constants';

/** One line of the dashboard's run list. */
export interface RunRow {
  instanceId: string;
  runtimeStatus: string;
  /** The run's own verdict (succeeded, partial, failed), when it finished. */
  status: string | null;
  trigger: string;
  window: { from: string; to: string } | null;
  records: number | null;
  durationMs: number;
  createdTime: string;
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

function triggerOf(id: string, input: Record<string, unknown> | null): string {
  if (id.startsWith(INSTANCE_PREFIX.backfill)) return 'backfill';
  if (id.startsWith(INSTANCE_PREFIX.manual)) return 'manual';
  return str(input?.trigger) ?? 'timer';
}

export function runRow(s: DurableOrchestrationStatus): RunRow {
  const input = (s.input && typeof s.input === 'object' ? s.input : null) as Record<string, unknown> | null;
  const output = (s.output && typeof s.output === 'object' ? s.output : null) as Record<string, unknown> | null;
  const from = str(input?.from);
  const to = str(input?.to);
  const created = new Date(s.createdTime).getTime();
  const updated = new Date(s.lastUpdatedTime).getTime();
  return {
    instanceId: s.instanceId,
    runtimeStatus: String(s.runtimeStatus),
    status: str(output?.status) ?? (String(s.runtimeStatus) === 'Failed' ? 'failed' : null),
    trigger: triggerOf(s.instanceId, input),
    window: from && to ? { from, to } : null,
    records: typeof output?.records === 'number' ? output.records : null,
    durationMs: Number.isNaN(updated - created) ? 0 : Math.max(0, updated - created),
    createdTime: new Date(s.createdTime).toISOString(),
  };
}

/** The newest ingestion runs first (ties broken by id, so the order is stable). */
export async function latestRuns(client: DurableClient, limit: number): Promise<RunRow[]> {
  const all = await client.getStatusAll();
  return all
    .filter((s) => s.instanceId.startsWith(INSTANCE_PREFIX.scheduled))
    .sort(
      (a, b) =>
        new Date(b.createdTime).getTime() - new Date(a.createdTime).getTime() ||
        b.instanceId.localeCompare(a.instanceId),
    )
    .slice(0, limit)
    .map(runRow);
}
