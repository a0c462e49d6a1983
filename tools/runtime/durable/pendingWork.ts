/**
 * Pending work derived from an instance's persisted history: a TaskScheduled without completion is
 * (re-)run, a sub-orchestration without answer is (re-)started, a TimerCreated without TimerFired
 * is (re-)armed. Also whether a completion is already in, so that re-delivered work counts once.
 */
import type { ActivityJob } from './activityPool';
import { EventType, type HistoryEvent, type InstanceRecord } from './types';

export function isTaskResult(e: HistoryEvent): boolean {
  return (
    e.EventType === EventType.TaskCompleted ||
    e.EventType === EventType.TaskFailed ||
    e.EventType === EventType.SubOrchestrationInstanceCompleted ||
    e.EventType === EventType.SubOrchestrationInstanceFailed
  );
}

export interface PendingWork {
  activities: ActivityJob[];
  /** SubOrchestrationInstanceCreated events without an answer. */
  children: HistoryEvent[];
  timers: { timerId: number; fireAt: string }[];
}

export function pendingWork(rec: InstanceRecord): PendingWork {
  const completedTasks = new Set<number>();
  const firedTimers = new Set<number>();
  for (const e of [...rec.history, ...rec.inbox]) {
    if (isTaskResult(e)) completedTasks.add(e.TaskScheduledId ?? -1);
    if (e.EventType === EventType.TimerFired) firedTimers.add(e.TimerId ?? -1);
  }
  const { instanceId, executionId } = rec;
  const work: PendingWork = { activities: [], children: [], timers: [] };
  for (const e of rec.history) {
    if (e.EventType === EventType.TaskScheduled && !completedTasks.has(e.EventId)) {
      work.activities.push({
        instanceId,
        executionId,
        taskId: e.EventId,
        name: e.Name ?? '',
        input: e.Input ?? null,
      });
    } else if (e.EventType === EventType.SubOrchestrationInstanceCreated && !completedTasks.has(e.EventId)) {
      work.children.push(e);
    } else if (e.EventType === EventType.TimerCreated && !firedTimers.has(e.EventId)) {
      work.timers.push({ timerId: e.EventId, fireAt: e.FireAt ?? e.Timestamp });
    }
  }
  return work;
}

/** Whether the history or the inbox already holds this completion (a task result or a fired timer). */
export function alreadyDelivered(rec: InstanceRecord, event: HistoryEvent): boolean {
  const sameTarget = (e: HistoryEvent): boolean =>
    e.EventType === event.EventType &&
    (event.EventType === EventType.TimerFired
      ? e.TimerId === event.TimerId
      : e.TaskScheduledId === event.TaskScheduledId);
  const completesTask = (e: HistoryEvent): boolean =>
    event.EventType === EventType.TimerFired
      ? e.EventType === EventType.TimerFired && e.TimerId === event.TimerId
      : isTaskResult(e) && e.TaskScheduledId === event.TaskScheduledId;
  return rec.history.some(completesTask) || rec.inbox.some(sameTarget) || rec.inbox.some(completesTask);
}

/**
 * Whether the instance has other tasks out (activities or children without an answer) besides
 * the one `answer` answers, which is already in the inbox. Only then is its episode worth
 * holding back for a moment: a lone answer (the end of a chain, a run's last step) is handled
 * at once.
 */
export function othersPending(rec: InstanceRecord, answer: HistoryEvent): boolean {
  if (!isTaskResult(answer)) return false;
  const work = pendingWork(rec);
  return work.activities.length > 0 || work.children.length > 0;
}
