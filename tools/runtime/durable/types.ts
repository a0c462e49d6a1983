/** Durable Task Framework shapes as the Durable Functions extension hands them to the JS SDK. */

export enum EventType {
  ExecutionStarted = 0,
  ExecutionCompleted = 1,
  ExecutionFailed = 2,
  ExecutionTerminated = 3,
  TaskScheduled = 4,
  TaskCompleted = 5,
  TaskFailed = 6,
  SubOrchestrationInstanceCreated = 7,
  SubOrchestrationInstanceCompleted = 8,
  SubOrchestrationInstanceFailed = 9,
  TimerCreated = 10,
  TimerFired = 11,
  OrchestratorStarted = 12,
  OrchestratorCompleted = 13,
  EventSent = 14,
  EventRaised = 15,
  ContinueAsNew = 16,
  GenericEvent = 17,
  HistoryState = 18,
  ExecutionSuspended = 19,
  ExecutionResumed = 20,
}

/** One history event; type-specific fields use the DTF (PascalCase) names. */
export interface HistoryEvent {
  EventType: EventType;
  EventId: number;
  IsPlayed: boolean;
  /** ISO-8601 UTC. */
  Timestamp: string;
  Name?: string;
  Input?: string | null;
  Result?: string | null;
  TaskScheduledId?: number;
  Reason?: string;
  Details?: string;
  TimerId?: number;
  FireAt?: string;
  InstanceId?: string;
  OrchestrationStatus?: string;
  OrchestrationInstance?: { InstanceId: string; ExecutionId: string };
  ParentInstance?: null;
  Version?: string;
  Tags?: null;
  Correlation?: null;
  ScheduledStartTime?: null;
  Generation?: number;
  FailureDetails?: unknown;
}

export type RuntimeStatus =
  'Pending' | 'Running' | 'Completed' | 'ContinuedAsNew' | 'Failed' | 'Terminated' | 'Suspended';

export const RUNTIME_STATUSES: readonly RuntimeStatus[] = [
  'Pending',
  'Running',
  'Completed',
  'ContinuedAsNew',
  'Failed',
  'Terminated',
  'Suspended',
];
export const TERMINAL_STATUSES: readonly RuntimeStatus[] = ['Completed', 'Failed', 'Terminated'];

export function isTerminal(status: RuntimeStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

/** A message to an entity waiting to be handed over (the orchestration's outbox). */
export interface EntityMessage {
  /** Scheduler id of the target: `@name@key` (name lower-cased). */
  target: string;
  request: EntityRequest;
}

/** One operation request in an entity's queue (what the JS SDK reads from `batch`). */
export interface EntityRequest {
  id: string;
  name: string;
  signal: boolean;
  /** JSON text, or undefined when the operation has no input. */
  input?: string;
  /** Orchestration waiting for the result (CallEntity). */
  parent?: string;
  parentExecution?: string;
  timestamp: string;
}

export interface InstanceRecord {
  instanceId: string;
  name: string;
  executionId: string;
  status: RuntimeStatus;
  /** JSON text of the input / output / custom status (null when absent). */
  input: string | null;
  output: string | null;
  customStatus: string | null;
  createdTime: string;
  lastUpdatedTime: string;
  history: HistoryEvent[];
  /** Events received but not yet processed by an episode (persisted before they count). */
  inbox: HistoryEvent[];
  /** Entity messages emitted by a committed episode but not yet handed to the entity. */
  outbox: EntityMessage[];
  /** A sub-orchestration: the parent execution and the EventId its result answers. */
  parent?: { instanceId: string; executionId: string; taskId: number };
}

export interface EntityRecord {
  /** `@name@key`. */
  id: string;
  name: string;
  key: string;
  exists: boolean;
  /** JSON text of the state. */
  state: string | null;
  queue: EntityRequest[];
  /** Ids of recently accepted requests (deduplicates re-delivered outbox messages). */
  recent: string[];
  outbox: EntityMessage[];
  /** When the first request reached it (absent in records written before it was kept). */
  createdTime?: string;
  lastModifiedTime: string;
}

export function schedulerId(name: string, key: string): string {
  return `@${name.toLowerCase()}@${key}`;
}

export function parseSchedulerId(id: string): { name: string; key: string } {
  const pos = id.indexOf('@', 1);
  if (!id.startsWith('@') || pos < 0) throw new Error(`Not an entity id: ${id}`);
  return { name: id.substring(1, pos), key: id.substring(pos + 1) };
}
