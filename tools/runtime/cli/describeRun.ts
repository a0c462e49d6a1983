/** DfMon-like text of one run, read from the durable store. */
import { EventType, isTerminal, type HistoryEvent, type InstanceRecord } from '../durable/types';

function truncate(text: string, max = 160): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length <= max ? flat : `${flat.slice(0, max)}…`;
}

/** DfMon-like description: status, times, custom status, then every history event in order. */
export function describeRun(rec: InstanceRecord): string[] {
  const lines = [
    `Instance:      ${rec.instanceId}`,
    `Orchestrator:  ${rec.name}`,
    `Status:        ${rec.status}${isTerminal(rec.status) ? '' : ' (in progress)'}`,
    `Created:       ${rec.createdTime}`,
    `Last updated:  ${rec.lastUpdatedTime}`,
    `Custom status: ${rec.customStatus ?? '-'}`,
  ];
  if (rec.output) lines.push(`Output:        ${truncate(rec.output, 400)}`);
  lines.push('History:');
  const scheduled = new Map<number, HistoryEvent>();
  const attempts = new Map<string, number>();
  rec.history.forEach((e, i) => {
    const n = `#${i}`.padEnd(5);
    const t = EventType[e.EventType] ?? String(e.EventType);
    let detail = '';
    switch (e.EventType) {
      case EventType.ExecutionStarted:
        detail = `${e.Name ?? ''} input ${truncate(e.Input ?? 'null', 120)}`;
        break;
      case EventType.TaskScheduled: {
        scheduled.set(e.EventId, e);
        const key = `${e.Name ?? ''}\u0000${e.Input ?? ''}`;
        const k = (attempts.get(key) ?? 0) + 1;
        attempts.set(key, k);
        detail = `${e.Name ?? ''}  attempt ${k}  (task ${e.EventId})`;
        break;
      }
      case EventType.TaskCompleted:
        detail = `${scheduled.get(e.TaskScheduledId ?? -1)?.Name ?? '?'} (task ${e.TaskScheduledId ?? '?'})  ${truncate(e.Result ?? '', 120)}`;
        break;
      case EventType.TaskFailed:
        detail = `${scheduled.get(e.TaskScheduledId ?? -1)?.Name ?? '?'} (task ${e.TaskScheduledId ?? '?'})  reason ${truncate(e.Reason ?? '')}`;
        break;
      case EventType.TimerCreated:
        detail = `fireAt ${e.FireAt ?? ''}  (timer ${e.EventId})`;
        break;
      case EventType.TimerFired:
        detail = `fireAt ${e.FireAt ?? ''}  (timer ${e.TimerId ?? '?'})`;
        break;
      case EventType.EventSent:
        detail = `${e.InstanceId ?? ''} ${truncate(e.Input ?? '', 120)}`;
        break;
      case EventType.EventRaised:
        detail = `${e.Name ?? ''} ${truncate(e.Input ?? '', 120)}`;
        break;
      case EventType.ExecutionCompleted:
      case EventType.ExecutionTerminated:
        detail = `${e.OrchestrationStatus ?? ''} ${truncate(e.Result ?? e.Input ?? '', 200)}`;
        break;
      default:
        break;
    }
    lines.push(`  ${n} ${e.Timestamp}  ${t.padEnd(21)} ${detail}`.trimEnd());
  });
  if (rec.inbox.length > 0)
    lines.push(`Pending events: ${rec.inbox.map((e) => EventType[e.EventType]).join(', ')}`);
  return lines;
}
