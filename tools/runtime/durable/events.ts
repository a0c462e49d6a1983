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
