/** History events the engine writes (Durable Task Framework shapes, see facts.md section 4). */
import { EventType, type HistoryEvent } from './types';

export function executionStartedEvent(
  name: string,
  instanceId: string,
  executionId: string,
  input: string | null,
  timestamp: string,
): HistoryEvent {
  return {
    EventType: EventType.ExecutionStarted,
    EventId: -1,
    IsPlayed: false,
    Timestamp: timestamp,
    OrchestrationInstance: { InstanceId: instanceId, ExecutionId: executionId },
    ParentInstance: null,
    Name: name,
    Version: '',
    Input: input,
    Tags: null,
    Correlation: null,
    ScheduledStartTime: null,
    Generation: 0,
  };
}

export function executionCompletedEvent(
  status: string,
  result: string | null,
  timestamp: string,
  errorMessage?: string,
): HistoryEvent {
  const event: HistoryEvent = {
    EventType: EventType.ExecutionCompleted,
    EventId: -1,
    IsPlayed: false,
    Timestamp: timestamp,
    OrchestrationStatus: status,
    Result: result,
  };
  if (errorMessage !== undefined) {
    event.FailureDetails = {
      ErrorType: 'OrchestrationFailureException',
      ErrorMessage: errorMessage,
      StackTrace: null,
    };
  }
  return event;
}

export function taskFailedEvent(
  taskId: number,
  reason: string,
  details: string,
  timestamp: string,
): HistoryEvent {
  return {
    EventType: EventType.TaskFailed,
    EventId: -1,
    IsPlayed: false,
    Timestamp: timestamp,
    TaskScheduledId: taskId,
    Reason: reason,
    Details: details,
  };
}

export function markerEvent(type: EventType, timestamp: string): HistoryEvent {
  return { EventType: type, EventId: -1, IsPlayed: false, Timestamp: timestamp };
}

export function timerFiredEvent(timerId: number, fireAt: string, timestamp: string): HistoryEvent {
  return {
    EventType: EventType.TimerFired,
    EventId: -1,
    IsPlayed: false,
    Timestamp: timestamp,
    TimerId: timerId,
    FireAt: fireAt,
  };
}

export function terminatedEvent(reason: string, timestamp: string): HistoryEvent {
  return {
    EventType: EventType.ExecutionTerminated,
    EventId: -1,
    IsPlayed: false,
    Timestamp: timestamp,
    Input: JSON.stringify(reason),
  };
}

export function eventRaisedEvent(name: string, data: unknown, timestamp: string): HistoryEvent {
  return {
    EventType: EventType.EventRaised,
    EventId: -1,
    IsPlayed: false,
    Timestamp: timestamp,
    Name: name,
    Input: data === undefined ? null : (JSON.stringify(data) ?? null),
  };
}

/** A sub-orchestration's answer to its parent: its output, or its failure (also when it could not start). */
export function subOrchestrationEvent(
  taskId: number,
  outcome: { ok: true; result: string } | { ok: false; reason: string },
  timestamp: string,
): HistoryEvent {
  return {
    EventType: outcome.ok
      ? EventType.SubOrchestrationInstanceCompleted
      : EventType.SubOrchestrationInstanceFailed,
    EventId: -1,
    IsPlayed: false,
    Timestamp: timestamp,
    TaskScheduledId: taskId,
    ...(outcome.ok ? { Result: outcome.result } : { Reason: outcome.reason, Details: outcome.reason }),
  };
}
