import type { HttpRequest, HttpResponseInit, Timer } from '@azure/functions';
import { EntityId, type DurableClient, type DurableOrchestrationStatus } from 'durable-functions';
import { getConfig, type Config } from './config';
import { ConfigError } from './errors';
import { FN, INSTANCE_PREFIX, type DatasetId } from './constants';
import { assertSegment } from './paths';
import { estimateCalls, MAX_BODY_BYTES, parseRunRequest } from './runRequest';
import { callsThisMonth, initialState } from './state';
import { basicIso, floorToQuarter, iso } from './time';
import type { DatasetState, IngestionInput } from './types';

type Log = (line: string) => void;

/** `eco2mix-20261128T0615Z`: one id per schedule slot, so a timer that fires twice starts one run. */
export function scheduledInstanceId(slotMs: number): string {
  return `${INSTANCE_PREFIX.scheduled}${basicIso(slotMs).slice(0, 13)}Z`;
}

export function manualInstanceId(
  kind: 'manual' | 'backfill',
  nowMs: number,
  from: string,
  to: string,
  nonce: string,
): string {
  const prefix = kind === 'manual' ? INSTANCE_PREFIX.manual : INSTANCE_PREFIX.backfill;
  const window =
    kind === 'backfill'
      ? `${basicIso(Date.parse(from)).slice(0, 13)}Z-${basicIso(Date.parse(to)).slice(0, 13)}Z-`
      : '';
  return `${prefix}${window}${basicIso(Math.floor(nowMs / 1000) * 1000)}-${nonce}`;
}

/** `getStatus` throws on an unknown id in durable-functions 3.x: that is "no such run", not an error. */
export async function findInstance(
  client: DurableClient,
  instanceId: string,
): Promise<DurableOrchestrationStatus | null> {
  try {
    return await client.getStatus(instanceId);
  } catch (err) {
    const status = (err as { response?: { status?: number } }).response?.status;
    const message = err instanceof Error ? err.message : String(err);
    if (status === 404 || /replied with HTTP 404/.test(message)) return null;
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
      return res.entityExists && res.entityState ? res.entityState : initialState(d);
    }),
  );
}

/** [min(watermark, slot − lookback), slot), at most maxRunSpan long: the rest waits for the next run. */
export function scheduledWindow(
  states: readonly DatasetState[],
  slotMs: number,
  config: Pick<Config, 'lookbackMs' | 'maxRunSpanMs'>,
): { from: string; to: string } {
  let from = slotMs - config.lookbackMs;
  for (const s of states) if (s.watermark) from = Math.min(from, Date.parse(s.watermark));
  const to = Math.min(slotMs, from + config.maxRunSpanMs);
  return { from: iso(from), to: iso(to) };
}

const ACTIVE = new Set(['Pending', 'Running', 'ContinuedAsNew', 'Suspended']);
const KEEP = new Set(['Pending', 'Running', 'Completed', 'ContinuedAsNew', 'Suspended']);

export async function startScheduledRun(
  client: DurableClient,
  config: Config,
  timer: Pick<Timer, 'isPastDue'>,
  nowMs: number,
  log: Log,
): Promise<{ started: boolean; instanceId: string; reason?: string }> {
  const slot = floorToQuarter(nowMs);
  const instanceId = scheduledInstanceId(slot);
  log(`timer fired for slot ${iso(slot)} (isPastDue=${timer.isPastDue})`);
  const existing = await findInstance(client, instanceId);
  if (existing && KEEP.has(String(existing.runtimeStatus))) {
    const reason = `instance ${instanceId} is already ${String(existing.runtimeStatus)}`;
    log(`not starting: ${reason}`);
    return { started: false, instanceId, reason };
  }
  const running = (await client.getStatusBy({ runtimeStatus: [...ACTIVE] as never })).filter(
    (s) =>
      s.instanceId.startsWith(INSTANCE_PREFIX.scheduled) &&
      !s.instanceId.startsWith(INSTANCE_PREFIX.manual) &&
      !s.instanceId.startsWith(INSTANCE_PREFIX.backfill),
  );
  if (running.length > 0) {
    const reason = `scheduled run ${running[0]?.instanceId} is still ${String(running[0]?.runtimeStatus)}; it covers this slot's window`;
    log(`not starting: ${reason}`);
    return { started: false, instanceId, reason };
  }
  const states = await readStates(client, config.datasets);
  const window = scheduledWindow(states, slot, config);
  const input: IngestionInput = {
    trigger: 'timer',
    slot: iso(slot),
    ...window,
    datasets: [...config.datasets],
    parallelism: config.parallelism,
  };
  try {
    await client.startNew(FN.orchestrator, { instanceId, input });
  } catch (err) {
    // Another firing for the same slot started it between the check above and startNew (409).
    const raced = await findInstance(client, instanceId);
    if (!raced || !KEEP.has(String(raced.runtimeStatus))) throw err;
    const reason = `instance ${instanceId} was started concurrently and is ${String(raced.runtimeStatus)}`;
    log(`not starting: ${reason}`);
    return { started: false, instanceId, reason };
  }
  log(`started ${instanceId} for [${window.from}, ${window.to})`);
  return { started: true, instanceId };
}

const json = (status: number, body: unknown): HttpResponseInit => ({ status, jsonBody: body });

/**
 * The settings for an HTTP function: a broken setting answers 500 naming every bad setting (the
 * caller holds a function key, so is an operator), instead of the host's bare "internal error".
 */
export function configOrResponse(log: Log): { config: Config } | { response: HttpResponseInit } {
  try {
    return { config: getConfig() };
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    log(err.message);
    return { response: json(500, { error: 'invalid configuration', details: { problems: err.problems } }) };
  }
}

export async function startManualRun(
  client: DurableClient,
  config: Config,
  request: HttpRequest,
  nowMs: number,
  nonce: string,
  log: Log,
): Promise<HttpResponseInit | ReturnType<DurableClient['createCheckStatusResponse']>> {
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > MAX_BODY_BYTES)
    return json(413, { error: 'payload too large', details: { limit: MAX_BODY_BYTES } });
  const parsed = parseRunRequest(await request.text(), config, nowMs);
  if (!parsed.ok) return json(parsed.status, { error: parsed.error, details: parsed.details });
  const req = parsed.value;

  const states = await readStates(client, config.datasets);
  const needed = estimateCalls(req);
  const remaining = Math.max(0, config.monthlyCallBudget - callsThisMonth(states, nowMs));
  if (needed > remaining) {
    return json(429, {
      error: 'monthly API call budget exceeded',
      details: { needed, remaining, budget: config.monthlyCallBudget },
    });
  }
  const instanceId = manualInstanceId(req.kind, nowMs, req.from, req.to, nonce);
  const input: IngestionInput = {
    trigger: 'manual',
    slot: iso(Math.floor(nowMs / 1000) * 1000),
    from: req.from,
    to: req.to,
    datasets: req.datasets,
    parallelism: config.parallelism,
    runTag: nonce,
  };
  await client.startNew(FN.orchestrator, { instanceId, input });
  log(`started ${instanceId} (${req.kind}) for [${req.from}, ${req.to}), ${needed} API call(s) estimated`);
  return client.createCheckStatusResponse(request, instanceId);
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

export async function getRun(
  client: DurableClient,
  instanceId: string | undefined,
): Promise<HttpResponseInit> {
  try {
    assertSegment(instanceId ?? '', 'instance id');
  } catch (err) {
    return json(400, {
      error: 'invalid instance id',
      details: { field: 'instanceId', reason: (err as Error).message },
    });
  }
  const status = await findInstance(client, instanceId ?? '');
  return status ? json(200, view(status)) : json(404, { error: 'run not found', details: { instanceId } });
}

const STATUSES = ['Pending', 'Running', 'Completed', 'ContinuedAsNew', 'Failed', 'Terminated', 'Suspended'];

export async function listRuns(client: DurableClient, query: URLSearchParams): Promise<HttpResponseInit> {
  const statusParam = query.get('status');
  const limitParam = query.get('limit');
  let statuses: string[] | undefined;
  if (statusParam) {
    statuses = [];
    for (const raw of statusParam.split(',')) {
      const hit = STATUSES.find((s) => s.toLowerCase() === raw.trim().toLowerCase());
      if (!hit) return json(400, { error: 'invalid query', details: { field: 'status', allowed: STATUSES } });
      statuses.push(hit);
    }
  }
  const limit = limitParam === null ? 20 : Number(limitParam);
  if (!Number.isInteger(limit) || limit < 1 || limit > 200) {
    return json(400, {
      error: 'invalid query',
      details: { field: 'limit', reason: 'a whole number from 1 to 200' },
    });
  }
  const all = statuses
    ? await client.getStatusBy({ runtimeStatus: statuses as never })
    : await client.getStatusAll();
  const runs = all
    .filter((s) => s.instanceId.startsWith(INSTANCE_PREFIX.scheduled))
    .sort(
      (a, b) =>
        new Date(b.createdTime).getTime() - new Date(a.createdTime).getTime() ||
        b.instanceId.localeCompare(a.instanceId),
    )
    .slice(0, limit)
    .map(view);
  return json(200, { runs });
}

export async function getState(
  client: DurableClient,
  config: Config,
  nowMs: number,
): Promise<HttpResponseInit> {
  const states = await readStates(client, config.datasets);
  const used = callsThisMonth(states, nowMs);
  return json(200, {
    datasets: states,
    budget: {
      monthly: config.monthlyCallBudget,
      usedThisMonth: used,
      remaining: Math.max(0, config.monthlyCallBudget - used),
    },
  });
}
