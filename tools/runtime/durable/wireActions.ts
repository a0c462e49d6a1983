/** The actions an out-of-process orchestrator returns, as they cross the wire, and the replay's result. */
import { createHash } from 'node:crypto';
import { parseSchedulerId, type EntityMessage, type HistoryEvent } from './types';

/** An action the embedded runtime does not replay (reported as a non-deterministic orchestration). */
export class UnsupportedActionError extends Error {}

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
