import type { HttpRequest, HttpResponseInit, Timer } from '@azure/functions';
import type { DurableClient, DurableOrchestrationStatus } from 'durable-functions';
import { getConfig, type Config } from './config';
import { ConfigError } from './errors';
import type { CoverageFetcher } from './clients';
import { FN, INSTANCE_PREFIX, QUARTER_MS } from './constants';
import { ALL_DATASETS } from './datasets';
import { findInstance, readStates } from './queries';
import { estimateCalls, MAX_BODY_BYTES, parseRunRequest } from './runRequest';
import { checkRetention } from './retention';
import { planScheduledRun, slotFor } from './scheduledPlan';
import { callsThisMonth } from './state';
import { basicIso, iso } from './time';
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
const KEEP = new Set([...ACTIVE, 'Completed']);

/** How many earlier slots the timer reads by id to find a scheduled run still going (two hours). */
export const ACTIVE_SLOT_LOOKBACK = 8;

/**
 * The scheduled run still going among the last slots, found by point reads of their ids (cheap
 * on every back end) rather than a status query, which reads every row of the Instances table.
 */
export async function activeScheduledRun(
  client: DurableClient,
  slotMs: number,
): Promise<DurableOrchestrationStatus | null> {
  const ids = Array.from({ length: ACTIVE_SLOT_LOOKBACK }, (_, k) =>
    scheduledInstanceId(slotMs - (k + 1) * QUARTER_MS),
  );
  const found = await Promise.all(ids.map((id) => findInstance(client, id)));
  return found.find((s) => s !== null && ACTIVE.has(String(s.runtimeStatus))) ?? null;
}

/** `ok: false` names why the slot's run was not started (it exists, or a run still covers it). */
export type ScheduledStart =
  { ok: true; instanceId: string } | { ok: false; instanceId: string; reason: string };

export async function startScheduledRun(
  client: DurableClient,
  config: Config,
  timer: Pick<Timer, 'isPastDue'> & { scheduleStatus?: { next?: string } | null },
  nowMs: number,
  log: Log,
): Promise<ScheduledStart> {
  const slot = slotFor(timer, nowMs);
  const instanceId = scheduledInstanceId(slot);
  log(`timer fired for slot ${iso(slot)} (isPastDue=${timer.isPastDue})`);
  const existing = await findInstance(client, instanceId);
  if (existing && KEEP.has(String(existing.runtimeStatus))) {
    const reason = `instance ${instanceId} is already ${String(existing.runtimeStatus)}`;
    log(`not starting: ${reason}`);
    return { ok: false, instanceId, reason };
  }
  const running = await activeScheduledRun(client, slot);
  if (running) {
    const reason = `scheduled run ${running.instanceId} is still ${String(running.runtimeStatus)}; it covers this slot's window`;
    log(`not starting: ${reason}`);
    return { ok: false, instanceId, reason };
  }
  const all = await readStates(client, ALL_DATASETS);
  const states = all.filter((s) => config.datasets.includes(s.dataset));
  const plan = planScheduledRun(states, scheduledWindow(states, slot, config), slot, config, nowMs, all);
  const input: IngestionInput = {
    trigger: 'timer',
    slot: iso(slot),
    ...plan,
    datasets: [...config.datasets],
    parallelism: config.parallelism,
  };
  for (const note of plan.notes ?? []) log(note);
  if (plan.deferred) log(`no request this run: ${plan.deferred.reason}`);
  try {
    await client.startNew(FN.orchestrator, { instanceId, input });
  } catch (err) {
    // Another firing for the same slot started it between the check above and startNew (409).
    const raced = await findInstance(client, instanceId);
    if (!raced || !KEEP.has(String(raced.runtimeStatus))) throw err;
    const reason = `instance ${instanceId} was started concurrently and is ${String(raced.runtimeStatus)}`;
    log(`not starting: ${reason}`);
    return { ok: false, instanceId, reason };
  }
  log(`started ${instanceId} for [${plan.from}, ${plan.to})`);
  return { ok: true, instanceId };
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
  coverage?: CoverageFetcher,
): Promise<HttpResponseInit | ReturnType<DurableClient['createCheckStatusResponse']>> {
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > MAX_BODY_BYTES)
    return json(413, { error: 'payload too large', details: { limit: MAX_BODY_BYTES } });
  const parsed = parseRunRequest(await request.text(), config, nowMs);
  if (!parsed.ok) return json(parsed.status, { error: parsed.error, details: parsed.details });
  const req = parsed.value;

  const states = await readStates(client, ALL_DATASETS);
  if (req.kind === 'backfill' && coverage) {
    const refused = await checkRetention(client, req, states, coverage, nowMs);
    if (refused) return json(400, refused);
  }
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
    gapPolicy: { horizonMs: config.gapHorizonMs, giveUpMs: config.gapGiveUpMs },
  };
  await client.startNew(FN.orchestrator, { instanceId, input });
  log(`started ${instanceId} (${req.kind}) for [${req.from}, ${req.to}), ${needed} API call(s) estimated`);
  return client.createCheckStatusResponse(request, instanceId);
}
