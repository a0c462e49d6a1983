import type { HttpResponseInit } from '@azure/functions';
import { EntityId, type DurableClient, type DurableOrchestrationStatus } from 'durable-functions';
import type { Config } from './config';
import { DAY_MS, FN, INSTANCE_PREFIX, type DatasetId } from './constants';
import { errorMessage } from './errors';
import { isChunkId } from './orchestration/chunks';
import { buildTimeline } from './coverage/timeline';
import { assertSegment } from './paths';
import { ALL_DATASETS } from './datasets';
import { callsThisMonth, initialState, normalizeState } from './state';
import { iso } from './time';
import type { DatasetState } from './types';

const json = (status: number, body: unknown): HttpResponseInit => ({ status, jsonBody: body });

/** `getStatus` throws on an unknown id in durable-functions 3.x: that is "no such run", not an error. */
export async function findInstance(
  client: DurableClient,
  instanceId: string,
  options?: { showHistory: boolean },
): Promise<DurableOrchestrationStatus | null> {
  try {
    return options?.showHistory
      ? await client.getStatus(instanceId, { showHistory: true, showHistoryOutput: false, showInput: false })
      : await client.getStatus(instanceId);
  } catch (err) {
    const status = (err as { response?: { status?: number } }).response?.status;
    if (status === 404 || /replied with HTTP 404/.test(errorMessage(err))) return null;
    throw err;
  }
}

export async function readStates(
  client: DurableClient,
  datasets: readonly DatasetId[],
): Promise<DatasetState[]> {
  return Promise.all(
    datasets.map(async (d) => {
      const res = await client.readEntityState<DatasetState>(new EntityId(FN.stateEntity, d));
      return res.entityExists && res.entityState ? normalizeState(res.entityState) : initialState(d);
    }),
  );
}

function view(s: DurableOrchestrationStatus): Record<string, unknown> {
  return {
    instanceId: s.instanceId,
    name: s.name,
    runtimeStatus: s.runtimeStatus,
    createdTime: s.createdTime,
    lastUpdatedTime: s.lastUpdatedTime,
    customStatus: s.customStatus ?? null,
    output: s.output ?? null,
  };
}

/** `?showHistory=true` adds the run's timeline (activities, attempts, timers, failures), not its payloads. */
export async function getRun(
  client: DurableClient,
  instanceId: string | undefined,
  query?: URLSearchParams,
): Promise<HttpResponseInit> {
  try {
    assertSegment(instanceId ?? '', 'instance id');
  } catch (err) {
    return json(400, {
      error: 'invalid instance id',
      details: { field: 'instanceId', reason: (err as Error).message },
    });
  }
  const showHistory = query?.get('showHistory')?.toLowerCase() === 'true';
  const status = await findInstance(client, instanceId ?? '', { showHistory });
  if (!status) return json(404, { error: 'run not found', details: { instanceId } });
  return json(200, showHistory ? { ...view(status), timeline: buildTimeline(status.history) } : view(status));
}

const STATUSES = ['Pending', 'Running', 'Completed', 'ContinuedAsNew', 'Failed', 'Terminated', 'Suspended'];
const DEFAULT_SINCE_MS = 7 * DAY_MS;

type Bad = { error: HttpResponseInit };
const bad = (field: string, reason: string): Bad => ({
  error: json(400, { error: 'invalid query', details: { field, reason } }),
});

/** A cursor is the last run a page returned: `<createdTime>|<instanceId>`, base64url. */
function encodeCursor(s: DurableOrchestrationStatus): string {
  return Buffer.from(`${new Date(s.createdTime).toISOString()}|${s.instanceId}`).toString('base64url');
}
function decodeCursor(raw: string): { at: number; id: string } | null {
  const [at, id] = Buffer.from(raw, 'base64url').toString('utf8').split('|');
  const ms = Date.parse(at ?? '');
  return Number.isFinite(ms) && id ? { at: ms, id } : null;
}

export interface RunsQuery {
  statuses?: string[];
  limit: number;
  sinceMs: number;
  cursor: { at: number; id: string } | null;
}

export function parseRunsQuery(query: URLSearchParams, nowMs: number): RunsQuery | Bad {
  const statusParam = query.get('status');
  let statuses: string[] | undefined;
  if (statusParam) {
    statuses = [];
    for (const raw of statusParam.split(',')) {
      const hit = STATUSES.find((s) => s.toLowerCase() === raw.trim().toLowerCase());
      if (!hit)
        return {
          error: json(400, { error: 'invalid query', details: { field: 'status', allowed: STATUSES } }),
        };
      statuses.push(hit);
    }
  }
  const limitParam = query.get('limit');
  const limit = limitParam === null ? 20 : Number(limitParam);
  if (!Number.isInteger(limit) || limit < 1 || limit > 200)
    return bad('limit', 'a whole number from 1 to 200');
  const sinceParam = query.get('since');
  const sinceMs = sinceParam === null ? nowMs - DEFAULT_SINCE_MS : Date.parse(sinceParam);
  if (
    !Number.isFinite(sinceMs) ||
    sinceMs > nowMs ||
    (sinceParam !== null && !/^\d{4}-\d{2}-\d{2}/.test(sinceParam))
  )
    return bad('since', 'an ISO-8601 instant in the past, e.g. 2026-11-01T00:00:00Z');
  const cursorParam = query.get('cursor');
  const cursor = cursorParam === null ? null : decodeCursor(cursorParam);
  if (cursorParam !== null && !cursor) return bad('cursor', 'the nextCursor of a previous page');
  return { ...(statuses ? { statuses } : {}), limit, sinceMs, cursor };
}

/**
 * Scheduled and manual runs created since `since` (default: the last 7 days), newest first,
 * `limit` a page; `nextCursor` asks for the next page. The hub is only asked for that time range
 * (`createdTimeFrom`, and `createdTimeTo` from the cursor), never for every run ever made.
 */
export async function listRuns(
  client: DurableClient,
  query: URLSearchParams,
  nowMs: number,
): Promise<HttpResponseInit> {
  const q = parseRunsQuery(query, nowMs);
  if ('error' in q) return q.error;
  const found = await client.getStatusBy({
    createdTimeFrom: new Date(q.sinceMs),
    ...(q.cursor ? { createdTimeTo: new Date(q.cursor.at + 1000) } : {}),
    ...(q.statuses ? { runtimeStatus: q.statuses as never } : {}),
  });
  const newestFirst = (a: DurableOrchestrationStatus, b: DurableOrchestrationStatus): number =>
    new Date(b.createdTime).getTime() - new Date(a.createdTime).getTime() ||
    b.instanceId.localeCompare(a.instanceId);
  const after = (s: DurableOrchestrationStatus): boolean => {
    if (!q.cursor) return true;
    const at = new Date(s.createdTime).getTime();
    return at < q.cursor.at || (at === q.cursor.at && s.instanceId.localeCompare(q.cursor.id) < 0);
  };
  const runs = found
    .filter((s) => s.instanceId.startsWith(INSTANCE_PREFIX.scheduled) && !isChunkId(s.instanceId) && after(s))
    .sort(newestFirst);
  const page = runs.slice(0, q.limit);
  const last = page[page.length - 1];
  return json(200, {
    since: iso(q.sinceMs),
    runs: page.map(view),
    nextCursor: runs.length > q.limit && last ? encodeCursor(last) : null,
  });
}

export async function getState(
  client: DurableClient,
  config: Config,
  nowMs: number,
): Promise<HttpResponseInit> {
  const states = await readStates(client, ALL_DATASETS);
  const used = callsThisMonth(states, nowMs);
  return json(200, {
    datasets: states.filter((s) => config.datasets.includes(s.dataset) || s.lastRunId !== null),
    budget: {
      monthly: config.monthlyCallBudget,
      usedThisMonth: used,
      remaining: Math.max(0, config.monthlyCallBudget - used),
    },
  });
}
