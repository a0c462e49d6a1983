/**
 * One orchestration episode: the inbox joins the history, the orchestrator function replays it,
 * and the shim turns its actions into new history events and entity messages (see shim.ts).
 * The episode only changes the record; the engine persists it and dispatches the work.
 */
import { randomUUID } from 'node:crypto';
import { errorMessage } from '../../../shared/errors';
import type { Clock } from '../clock';
import { invokeFunction } from '../invoke';
import type { Logger } from '../logger';
import type { FunctionRegistry, RegisteredFunction } from '../registry';
import { executionCompletedEvent, executionStartedEvent, markerEvent } from './events';
import { replayActions, topLevelActions } from './shim';
import { EventType, type HistoryEvent, type InstanceRecord } from './types';
import { clone, iso } from './util';

interface OrchestratorState {
  isDone: boolean;
  actions: unknown;
  output?: unknown;
  error?: string;
  customStatus?: unknown;
  schemaVersion?: number;
}

export interface EpisodeDeps {
  registry: FunctionRegistry;
  logger: Logger;
  clock: Clock;
  /** Cancels the instance's armed timers (a new execution starts). */
  cancelTimersOf(instanceId: string): void;
  /** Sees the history an execution reached before continue-as-new drops it (bench counters). */
  observeHistory?(length: number): void;
}

const OUT_OF_PROC_MARKER = '\n\n$OutOfProcData$:';

/** Ends the execution as Failed: `history`, then ExecutionCompleted and OrchestratorCompleted. */
function failExecution(
  rec: InstanceRecord,
  history: HistoryEvent[],
  message: string,
  nowIso: string,
  completed: HistoryEvent,
): void {
  rec.history = [
    ...history,
    executionCompletedEvent('Failed', JSON.stringify(message), nowIso, message),
    completed,
  ];
  rec.status = 'Failed';
  rec.output = JSON.stringify(message);
}

async function invokeOrchestrator(
  fn: RegisteredFunction,
  rec: InstanceRecord,
  history: HistoryEvent[],
  logger: Logger,
): Promise<{ state?: OrchestratorState; unexpected?: string }> {
  const binding = clone({
    history,
    input: rec.input === null ? undefined : (JSON.parse(rec.input) as unknown),
    instanceId: rec.instanceId,
    isReplaying: rec.history.length > 0,
    parentInstanceId: rec.parent?.instanceId ?? null,
    upperSchemaVersion: 1,
    upperSchemaVersionNew: 2,
    longRunningTimerIntervalDuration: '3.00:00:00',
    maximumShortTimerDuration: '6.00:00:00',
    defaultHttpAsyncRequestSleepTimeMillseconds: 30000,
  });
  try {
    const { result } = await invokeFunction(fn, binding, {
      logger,
      triggerMetadata: { instanceId: rec.instanceId },
    });
    return { state: clone(result) as OrchestratorState };
  } catch (err) {
    const message = errorMessage(err);
    const at = message.lastIndexOf(OUT_OF_PROC_MARKER);
    if (at >= 0) {
      try {
        return { state: JSON.parse(message.slice(at + OUT_OF_PROC_MARKER.length)) as OrchestratorState };
      } catch {
        // fall through: report the raw error
      }
    }
    return { unexpected: `Orchestrator function '${rec.name}' failed: ${message}` };
  }
}

/** Runs one episode on `rec`; true when a new execution started (continue-as-new) and needs an episode. */
export async function runEpisode(rec: InstanceRecord, deps: EpisodeDeps): Promise<boolean> {
  const { clock } = deps;
  const lastTs =
    rec.history.length > 0 ? Date.parse(rec.history[rec.history.length - 1]?.Timestamp ?? '') : 0;
  const now = new Date(Math.max(clock.now().getTime(), Number.isFinite(lastTs) ? lastTs : 0));
  const nowIso = iso(now);
  const inbox = rec.inbox;
  const started = markerEvent(EventType.OrchestratorStarted, nowIso);
  const completed = (): HistoryEvent =>
    markerEvent(
      EventType.OrchestratorCompleted,
      iso(clock.now().getTime() < now.getTime() ? now : clock.now()),
    );

  const terminated = inbox.find((e) => e.EventType === EventType.ExecutionTerminated);
  if (terminated) {
    rec.history.push(
      started,
      { ...terminated, IsPlayed: false },
      executionCompletedEvent('Terminated', terminated.Input ?? null, nowIso),
      completed(),
    );
    rec.inbox = [];
    rec.status = 'Terminated';
    rec.output = terminated.Input ?? null;
    return false;
  }

  const episodeHistory: HistoryEvent[] = [
    ...rec.history.map((e) => ({ ...e, IsPlayed: true })),
    started,
    ...inbox.map((e) => ({ ...e, IsPlayed: false })),
  ];
  const fn = deps.registry.get(rec.name);
  let state: OrchestratorState | undefined;
  let failure: string | undefined;
  if (!fn || fn.triggerType.toLowerCase() !== 'orchestrationtrigger') {
    failure = `The function '${rec.name}' doesn't exist, is disabled, or is not an orchestrator function.`;
  } else {
    const outcome = await invokeOrchestrator(fn, rec, episodeHistory, deps.logger);
    state = outcome.state;
    failure = outcome.unexpected;
  }

  const newHistory = [...rec.history, started, ...inbox.map((e) => ({ ...e, IsPlayed: false }))];
  rec.inbox = [];
  if (state?.customStatus !== undefined && state.customStatus !== null) {
    rec.customStatus = JSON.stringify(state.customStatus) ?? null;
  }
  if (rec.status === 'Pending') rec.status = 'Running';

  if (failure !== undefined || !state) {
    failExecution(rec, newHistory, failure ?? 'The orchestrator returned no state', nowIso, completed());
    return false;
  }

  const shim = replayActions(episodeHistory, topLevelActions(state.actions), {
    instanceId: rec.instanceId,
    executionId: rec.executionId,
  });
  if (shim.nondeterminism) {
    failExecution(rec, newHistory, shim.nondeterminism, nowIso, completed());
    return false;
  }
  for (const name of shim.abandonedRetries) {
    deps.logger.log(
      'warning',
      `${rec.instanceId}: retry timeout of '${name}' expired; the host schedules no final timer and the orchestrator waits forever`,
      'DurableTask',
    );
  }
  // Entity signals of a failing episode are sent with the failure (DTF processes every action).
  rec.history = [...newHistory, ...shim.newEvents];
  rec.outbox.push(...shim.messages);

  if (shim.resolved && state.error !== undefined && state.error !== null && state.error !== '') {
    failExecution(
      rec,
      rec.history,
      `Orchestrator function '${rec.name}' failed: ${String(state.error)}`,
      nowIso,
      completed(),
    );
  } else if (shim.resolved && state.isDone && shim.continueAsNew) {
    // DTF ContinueAsNew: this execution ends, a new one starts from a fresh history.
    const input = shim.continueAsNew.input;
    const executionId = randomUUID().replace(/-/g, '');
    deps.cancelTimersOf(rec.instanceId);
    deps.observeHistory?.(rec.history.length);
    rec.executionId = executionId;
    rec.history = [];
    rec.input = input;
    rec.output = null;
    rec.status = 'Running';
    rec.createdTime = nowIso;
    rec.inbox = [executionStartedEvent(rec.name, rec.instanceId, executionId, input, nowIso)];
    return true;
  } else if (shim.resolved && state.isDone) {
    const output = state.output === undefined ? null : (JSON.stringify(state.output) ?? null);
    rec.history.push(executionCompletedEvent('Completed', output, nowIso), completed());
    rec.status = 'Completed';
    rec.output = output;
  } else {
    rec.history.push(completed());
  }
  return false;
}
