/**
 * Host-side replay of the actions an out-of-process orchestrator returns, modelled on the
 * Durable Functions extension's out-of-proc shim over the Durable Task Framework:
 *
 * - the (cumulative) top-level actions are awaited one after another; WhenAll/WhenAny children
 *   are started together; exceptions of awaited tasks are swallowed (the SDK handles them);
 * - every scheduled task, timer and sent event takes the next sequence number (EventId), in the
 *   order the DTF replay reaches it; completions in history are fed in order, and awaiting code
 *   resumes synchronously (so numbers match the ones the JS SDK assigns on its side);
 * - CallActivityWithRetry runs the DTF retry interceptor: after a failed attempt k, a timer
 *   `first * coefficient^(k-1)` (capped by maxRetryInterval) from the orchestration's current
 *   time, then a new TaskScheduled; after the final failed attempt one zero-length timer, then failure.
 *
 * The replay is pure: given the history (with this episode's new events appended) and the
 * actions, it returns the scheduling events not yet in history.
 */
import { createHash } from 'node:crypto';
import { EventType, parseSchedulerId, type EntityMessage, type HistoryEvent } from './types';

export enum ActionType {
  CallActivity = 0,
  CallActivityWithRetry = 1,
  CallSubOrchestrator = 2,
  CallSubOrchestratorWithRetry = 3,
  ContinueAsNew = 4,
  CreateTimer = 5,
  WaitForExternalEvent = 6,
  CallEntity = 7,
  CallHttp = 8,
  SignalEntity = 9,
  ScheduledSignalEntity = 10,
  WhenAny = 11,
  WhenAll = 12,
  LockEntities = 13,
  ReleaseEntities = 14,
}

/** An action as it crosses the wire (JSON): field names of the JS SDK's action classes. */
export interface WireAction {
  actionType: number;
  functionName?: string;
  input?: unknown;
  retryOptions?: {
    firstRetryIntervalInMilliseconds?: number;
    maxNumberOfAttempts?: number;
    backoffCoefficient?: number;
    maxRetryIntervalInMilliseconds?: number;
    retryTimeoutInMilliseconds?: number;
  };
  fireAt?: string;
  isCanceled?: boolean;
  externalEventName?: string;
  instanceId?: string;
  operation?: string;
  compoundActions?: WireAction[];
}

export interface ShimContext {
  instanceId: string;
  executionId: string;
}

export interface ShimResult {
  /** Scheduling events to append (TaskScheduled, TimerCreated, EventSent), in EventId order. */
  newEvents: HistoryEvent[];
  /** Entity requests for the new EventSent events. */
  messages: EntityMessage[];
  /** Every top-level action has been awaited to completion: the orchestration may complete. */
  resolved: boolean;
  continueAsNew?: { input: string | null };
  /** The history does not match the actions (DTF: non-deterministic orchestration). */
  nondeterminism?: string;
  /** Retry interceptors that gave up without a final timer (retryTimeout expired). */
  abandonedRetries: string[];
}

class UnsupportedActionError extends Error {}

interface Node {
  done: boolean;
  failed: boolean;
  parent?: Compound;
  /** Called when a history completion targets this node. */
  onEvent?(event: HistoryEvent): void;
}

interface Compound extends Node {
  childDone(child: Node): void;
}

/** JSON text of an action input the way the extension stores it (null when absent). */
export function inputText(input: unknown): string | null {
  if (input === undefined) return null;
  return JSON.stringify(input) ?? null;
}

/** Deterministic GUID (name-based), stable across replays of the same history. */
export function deterministicGuid(...parts: (string | number)[]): string {
  const h = createHash('sha1').update(parts.join('\u0000')).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h.slice(16, 18), 16) & 0x3f) | 0x80).toString(16)}${h.slice(18, 20)}-${h.slice(20, 32)}`;
}

export function replayActions(history: HistoryEvent[], actions: WireAction[], ctx: ShimContext): ShimResult {
  const scheduledInHistory = new Map<number, HistoryEvent>();
  for (const e of history) {
    if (
      e.EventType === EventType.TaskScheduled ||
      e.EventType === EventType.TimerCreated ||
      e.EventType === EventType.EventSent ||
      e.EventType === EventType.SubOrchestrationInstanceCreated
    ) {
      scheduledInHistory.set(e.EventId, e);
    }
  }

  let now = new Date(0);
  let nextId = 0;
  let cursor = 0;
  let current: Node | undefined;
  let resolved = false;
  let nondeterminism: string | undefined;
  let continueAsNew: { input: string | null } | undefined;
  const newEvents: HistoryEvent[] = [];
  const messages: EntityMessage[] = [];
  const abandonedRetries: string[] = [];
  const waitingById = new Map<number, Node>();
  const waitingByName = new Map<string, Node[]>();
  const bufferedEvents = new Map<string, HistoryEvent[]>();

  const emit = (event: Omit<HistoryEvent, 'IsPlayed' | 'Timestamp'>): void => {
    const existing = scheduledInHistory.get(event.EventId);
    if (existing) {
      if (existing.EventType !== event.EventType || (existing.Name ?? '') !== (event.Name ?? '')) {
        nondeterminism ??=
          `Non-deterministic workflow detected: history has ${EventType[existing.EventType]} "${existing.Name ?? ''}" ` +
          `with EventId ${event.EventId}, but the orchestrator now schedules ${EventType[event.EventType]} "${event.Name ?? ''}".`;
      }
      return;
    }
    newEvents.push({ ...event, IsPlayed: false, Timestamp: now.toISOString() });
  };

  const finish = (node: Node, failed: boolean): void => {
    if (node.done) return;
    node.done = true;
    node.failed = failed;
    if (node.parent) node.parent.childDone(node);
    else if (node === current) pump();
  };

  const leaf = (): Node => ({ done: false, failed: false });

  const waitFor = (id: number, node: Node): void => {
    waitingById.set(id, node);
  };

  const waitForName = (name: string, node: Node): void => {
    const buffered = bufferedEvents.get(name);
    if (buffered && buffered.length > 0) {
      buffered.shift();
      node.done = true;
      return;
    }
    const list = waitingByName.get(name) ?? [];
    list.push(node);
    waitingByName.set(name, list);
  };

  const scheduleActivity = (name: string, input: string | null): number => {
    const id = nextId++;
    emit({ EventType: EventType.TaskScheduled, EventId: id, Name: name, Input: input });
    return id;
  };

  const createTimer = (fireAt: Date): number => {
    const id = nextId++;
    emit({ EventType: EventType.TimerCreated, EventId: id, FireAt: fireAt.toISOString() });
    return id;
  };

  const sendEntityRequest = (target: string, operation: string, input: unknown, signal: boolean): string => {
    const id = nextId++;
    const requestId = deterministicGuid(ctx.instanceId, ctx.executionId, id);
    const request = {
      id: requestId,
      name: operation,
      signal,
      input:
        input === undefined || input === null
          ? undefined
          : typeof input === 'string'
            ? input
            : JSON.stringify(input),
      parent: signal ? undefined : ctx.instanceId,
      parentExecution: signal ? undefined : ctx.executionId,
      timestamp: now.toISOString(),
    };
    const wire = {
      id: request.id,
      op: operation,
      signal,
      input: request.input,
      parent: request.parent,
      parentExecution: request.parentExecution,
      timestamp: request.timestamp,
    };
    const existed = scheduledInHistory.has(id);
    emit({
      EventType: EventType.EventSent,
      EventId: id,
      Name: 'op',
      InstanceId: target,
      Input: JSON.stringify(wire),
    });
    if (!existed) messages.push({ target, request });
    return requestId;
  };

  const invoke = (action: WireAction, parent?: Compound): Node => {
    switch (action.actionType as ActionType) {
      case ActionType.CallActivity: {
        const node = leaf();
        node.parent = parent;
        const id = scheduleActivity(action.functionName ?? '', inputText(action.input));
        node.onEvent = (e) => finish(node, e.EventType === EventType.TaskFailed);
        waitFor(id, node);
        return node;
      }
      case ActionType.CallActivityWithRetry:
        return retryNode(action, parent);
      case ActionType.CreateTimer: {
        const node = leaf();
        node.parent = parent;
        const id = createTimer(new Date(action.fireAt ?? now));
        if (action.isCanceled) {
          node.done = true; // a cancelled timer task completes (cancelled) at once
          return node;
        }
        node.onEvent = () => finish(node, false);
        waitFor(id, node);
        return node;
      }
      case ActionType.CallSubOrchestrator: {
        // DTF: SubOrchestrationInstanceCreated takes the next EventId; the child's result answers it.
        const node = leaf();
        node.parent = parent;
        const id = nextId++;
        emit({
          EventType: EventType.SubOrchestrationInstanceCreated,
          EventId: id,
          Name: action.functionName ?? '',
          InstanceId: action.instanceId ?? '',
          Input: inputText(action.input),
        });
        node.onEvent = (e) => finish(node, e.EventType === EventType.SubOrchestrationInstanceFailed);
        waitFor(id, node);
        return node;
      }
      case ActionType.SignalEntity: {
        sendEntityRequest(action.instanceId ?? '', action.operation ?? '', action.input, true);
        return { done: true, failed: false, parent };
      }
      case ActionType.CallEntity: {
        const node = leaf();
        node.parent = parent;
        const requestId = sendEntityRequest(
          action.instanceId ?? '',
          action.operation ?? '',
          action.input,
          false,
        );
        node.onEvent = () => finish(node, false);
        waitForName(requestId, node);
        return node;
      }
      case ActionType.WaitForExternalEvent: {
        const node = leaf();
        node.parent = parent;
        node.onEvent = () => finish(node, false);
        waitForName(action.externalEventName ?? '', node);
        return node;
      }
      case ActionType.ContinueAsNew: {
        continueAsNew = { input: inputText(action.input) };
        return { done: true, failed: false, parent };
      }
      case ActionType.WhenAll:
      case ActionType.WhenAny: {
        const any = (action.actionType as ActionType) === ActionType.WhenAny;
        const children: Node[] = [];
        const node: Compound = {
          done: false,
          failed: false,
          parent,
          childDone: () => {
            if (node.done) return;
            const doneCount = children.filter((c) => c.done).length;
            if (any ? doneCount > 0 : doneCount === children.length) {
              finish(
                node,
                children.some((c) => c.failed),
              );
            }
          },
        };
        for (const child of action.compoundActions ?? []) children.push(invoke(child, node));
        const doneCount = children.filter((c) => c.done).length;
        if (any ? doneCount > 0 : doneCount === children.length) node.done = true;
        return node;
      }
      default:
        throw new UnsupportedActionError(
          `The embedded runtime does not support action type ${ActionType[action.actionType] ?? action.actionType}`,
        );
    }
  };

  const retryNode = (action: WireAction, parent?: Compound): Node => {
    const opts = action.retryOptions ?? {};
    const first = opts.firstRetryIntervalInMilliseconds ?? 0;
    const max = opts.maxNumberOfAttempts ?? 1;
    const coefficient = opts.backoffCoefficient ?? 1;
    const cap =
      opts.maxRetryIntervalInMilliseconds && opts.maxRetryIntervalInMilliseconds > 0
        ? opts.maxRetryIntervalInMilliseconds
        : Infinity;
    const timeout =
      opts.retryTimeoutInMilliseconds && opts.retryTimeoutInMilliseconds > 0
        ? opts.retryTimeoutInMilliseconds
        : Infinity;
    const name = action.functionName ?? '';
    const input = inputText(action.input);
    const firstAttemptAt = now.getTime();
    const node = leaf();
    node.parent = parent;
    let attempt = 1;
    let waitingOnTimer = false;
    const startAttempt = (): void => {
      const id = scheduleActivity(name, input);
      waitFor(id, node);
    };
    node.onEvent = (e) => {
      if (waitingOnTimer) {
        waitingOnTimer = false;
        if (attempt >= max) {
          finish(node, true);
        } else {
          attempt++;
          startAttempt();
        }
        return;
      }
      if (e.EventType !== EventType.TaskFailed) {
        finish(node, false);
        return;
      }
      // DTF RetryInterceptor: after the last attempt a zero-length "dummy" timer (kept for replay
      // compatibility), whatever the timeout; before it, ComputeNextDelay(retryCount = attempt - 1).
      if (attempt >= max) {
        waitingOnTimer = true;
        waitFor(createTimer(new Date(now.getTime())), node);
        return;
      }
      let delay = 0;
      if (now.getTime() < firstAttemptAt + timeout) {
        delay = Math.min(first * Math.pow(coefficient, attempt - 1), cap);
      }
      if (!(delay > 0)) {
        abandonedRetries.push(name);
        finish(node, true);
        return;
      }
      const timerId = createTimer(new Date(now.getTime() + delay));
      waitingOnTimer = true;
      waitFor(timerId, node);
    };
    startAttempt();
    return node;
  };

  function pump(): void {
    for (;;) {
      if (current && !current.done) return;
      current = undefined;
      if (cursor >= actions.length) {
        resolved = true;
        return;
      }
      const action = actions[cursor++] as WireAction;
      const node = invoke(action);
      if (!node.done) {
        current = node;
        return;
      }
    }
  }

  try {
    for (const event of history) {
      switch (event.EventType) {
        case EventType.OrchestratorStarted: {
          const t = new Date(event.Timestamp);
          if (t.getTime() > now.getTime()) now = t;
          break;
        }
        case EventType.ExecutionStarted:
          pump();
          break;
        case EventType.TaskCompleted:
        case EventType.TaskFailed:
        case EventType.SubOrchestrationInstanceCompleted:
        case EventType.SubOrchestrationInstanceFailed: {
          const node = waitingById.get(event.TaskScheduledId ?? -1);
          if (node) {
            waitingById.delete(event.TaskScheduledId ?? -1);
            node.onEvent?.(event);
          }
          break;
        }
        case EventType.TimerFired: {
          const node = waitingById.get(event.TimerId ?? -1);
          if (node) {
            waitingById.delete(event.TimerId ?? -1);
            node.onEvent?.(event);
          }
          break;
        }
        case EventType.EventRaised: {
          const name = event.Name ?? '';
          const list = waitingByName.get(name);
          const node = list?.shift();
          if (node) node.onEvent?.(event);
          else {
            const buf = bufferedEvents.get(name) ?? [];
            buf.push(event);
            bufferedEvents.set(name, buf);
          }
          break;
        }
        default:
          break;
      }
    }
  } catch (err) {
    if (err instanceof UnsupportedActionError) {
      return { newEvents, messages, resolved: false, nondeterminism: err.message, abandonedRetries };
    }
    throw err;
  }
  return { newEvents, messages, resolved, continueAsNew, nondeterminism, abandonedRetries };
}

/** Flattens the SDK's `actions` (an array of arrays) into the top-level sequence the shim awaits. */
export function topLevelActions(actions: unknown): WireAction[] {
  if (!Array.isArray(actions)) return [];
  const out: WireAction[] = [];
  for (const set of actions) {
    if (Array.isArray(set)) out.push(...(set as WireAction[]));
  }
  return out;
}

export function entityTarget(schedulerIdText: string): { name: string; key: string } {
  return parseSchedulerId(schedulerIdText);
}
