/** Instance status and readable history as the extension's HTTP API returns them. */
import { EventType, type HistoryEvent, type InstanceRecord } from './types';

export function secondsIso(iso: string): string {
  return iso.replace(/\.\d{3}Z$/, 'Z');
}

export function parseJson(text: string | null | undefined): unknown {
  if (text === null || text === undefined || text === '') return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** Status payload as the extension's HTTP API returns it. */
export function statusPayload(
  rec: InstanceRecord,
  opts: { showInput?: boolean; showHistory?: boolean; showHistoryOutput?: boolean } = {},
): Record<string, unknown> {
  const out: Record<string, unknown> = {
    name: rec.name,
    instanceId: rec.instanceId,
    runtimeStatus: rec.status,
    input: opts.showInput === false ? null : parseJson(rec.input),
    customStatus: parseJson(rec.customStatus),
    output: parseJson(rec.output),
    createdTime: secondsIso(rec.createdTime),
    lastUpdatedTime: secondsIso(rec.lastUpdatedTime),
  };
  if (opts.showHistory) {
    // The extension names the field `historyEvents`; the JS SDK's DurableOrchestrationStatus reads `history`.
    const events = friendlyHistory(rec.history, opts.showHistoryOutput === true, opts.showInput !== false);
    out.historyEvents = events;
    out.history = events;
  }
  return out;
}

/** The API's readable history: scheduling/episode markers folded into the completion events. */
export function friendlyHistory(
  history: HistoryEvent[],
  showOutput: boolean,
  showInput: boolean,
): Record<string, unknown>[] {
  const scheduled = new Map<number, HistoryEvent>();
  const out: Record<string, unknown>[] = [];
  for (const e of history) {
    const type = EventType[e.EventType];
    switch (e.EventType) {
      case EventType.OrchestratorStarted:
      case EventType.OrchestratorCompleted:
        break;
      case EventType.TaskScheduled:
        scheduled.set(e.EventId, e);
        break;
      case EventType.ExecutionStarted:
        out.push({
          EventType: type,
          FunctionName: e.Name,
          ...(showInput ? { Input: parseJson(e.Input) } : {}),
          Timestamp: e.Timestamp,
        });
        break;
      case EventType.TaskCompleted:
      case EventType.TaskFailed: {
        const s = scheduled.get(e.TaskScheduledId ?? -1);
        out.push({
          EventType: type,
          FunctionName: s?.Name,
          ...(e.EventType === EventType.TaskCompleted
            ? showOutput
              ? { Result: parseJson(e.Result) }
              : {}
            : { Reason: e.Reason, Details: e.Details }),
          ScheduledTime: s?.Timestamp,
          Timestamp: e.Timestamp,
        });
        break;
      }
      case EventType.TimerCreated:
      case EventType.TimerFired:
        out.push({ EventType: type, FireAt: e.FireAt, Timestamp: e.Timestamp });
        break;
      case EventType.EventRaised:
        out.push({
          EventType: type,
          Name: e.Name,
          ...(showInput ? { Input: parseJson(e.Input) } : {}),
          Timestamp: e.Timestamp,
        });
        break;
      case EventType.EventSent:
        out.push({ EventType: type, Name: e.Name, InstanceId: e.InstanceId, Timestamp: e.Timestamp });
        break;
      case EventType.ExecutionCompleted:
        out.push({
          EventType: type,
          OrchestrationStatus: e.OrchestrationStatus,
          ...(showOutput || e.OrchestrationStatus !== 'Completed' ? { Result: parseJson(e.Result) } : {}),
          Timestamp: e.Timestamp,
        });
        break;
      default:
        out.push({ EventType: type, Timestamp: e.Timestamp });
    }
  }
  return out;
}
