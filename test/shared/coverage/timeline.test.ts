import { buildTimeline } from '../../../shared/coverage/timeline';
import { encodeFailure } from '../../../shared/errors';

const t = (s: number): string => new Date(Date.parse('2026-11-10T09:15:00Z') + s * 1000).toISOString();
const fail = encodeFailure({ code: 'RTE_HTTP_503', httpStatus: 503, message: '<b>Service Unavailable</b>', retryable: true });

describe('a run history as a timeline', () => {
  it('numbers attempts per activity, tells retry timers from waits, and keeps failures', () => {
    const history = [
      { EventType: 'ExecutionStarted', FunctionName: 'ingestEco2mix', Timestamp: t(0) },
      { EventType: 'TaskFailed', FunctionName: 'fetchSlice', ScheduledTime: t(0), Timestamp: t(1), Reason: fail },
      { EventType: 'TimerCreated', FireAt: t(3), Timestamp: t(1) },
      { EventType: 'TimerFired', FireAt: t(3), Timestamp: t(3) },
      { EventType: 'TaskCompleted', FunctionName: 'fetchSlice', ScheduledTime: t(3), Timestamp: t(4) },
      { EventType: 'TaskCompleted', FunctionName: 'storeSlice', ScheduledTime: t(4), Timestamp: t(5) },
      { EventType: 'TimerCreated', FireAt: t(65), Timestamp: t(5) },
      { EventType: 'TimerFired', FireAt: t(65), Timestamp: t(65) },
      { EventType: 'TaskFailed', FunctionName: 'auditRun', ScheduledTime: t(65), Timestamp: t(66), Reason: 'plain text' },
      { EventType: 'ExecutionCompleted', OrchestrationStatus: 'Failed', Result: 'Ingestion failed', Timestamp: t(67) },
    ];
    expect(buildTimeline(history)).toEqual([
      { kind: 'activity', name: 'fetchSlice', start: t(0), end: t(1), ok: false, attempt: 1, error: 'RTE_HTTP_503 (HTTP 503): <b>Service Unavailable</b>' },
      { kind: 'timer', name: 'retry timer', start: t(1), end: t(3), ok: true, purpose: 'retry' },
      { kind: 'activity', name: 'fetchSlice', start: t(3), end: t(4), ok: true, attempt: 2 },
      { kind: 'activity', name: 'storeSlice', start: t(4), end: t(5), ok: true, attempt: 1 },
      { kind: 'timer', name: 'durable timer', start: t(5), end: t(65), ok: true, purpose: 'wait' },
      { kind: 'activity', name: 'auditRun', start: t(65), end: t(66), ok: false, attempt: 1, error: 'ACTIVITY_FAILED: plain text' },
      { kind: 'run', name: 'orchestration failed', start: t(0), end: t(67), ok: false, error: 'Ingestion failed' },
    ]);
    expect(buildTimeline(undefined)).toEqual([]);
  });

  it("ends at the execution's end: rows an earlier, longer execution left behind are not shown", () => {
    const history = [
      { EventType: 'ExecutionStarted', FunctionName: 'ingestEco2mixChunk', Timestamp: t(0) },
      { EventType: 'TaskCompleted', FunctionName: 'recordChunk', ScheduledTime: t(0), Timestamp: t(1) },
      { EventType: 'ExecutionCompleted', OrchestrationStatus: 'Completed', Timestamp: t(2) },
      // the tail of the execution before continue-as-new, as the Azure Storage provider returns it
      { EventType: 'TaskCompleted', FunctionName: 'storeSlice', ScheduledTime: t(-9), Timestamp: t(-8) },
    ];
    expect(buildTimeline(history).map((e) => e.name)).toEqual(['recordChunk', 'orchestration completed']);
  });
});
