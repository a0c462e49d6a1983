import { othersPending } from '../../../../tools/runtime/durable/pendingWork';
import { EventType, type HistoryEvent, type InstanceRecord } from '../../../../tools/runtime/durable/types';

const at = '2026-03-01T10:00:00.000Z';
const ev = (e: Partial<HistoryEvent> & Pick<HistoryEvent, 'EventType'>): HistoryEvent => ({
  EventId: -1,
  IsPlayed: false,
  Timestamp: at,
  ...e,
});
const scheduled = (id: number, type = EventType.TaskScheduled): HistoryEvent =>
  ev({ EventType: type, EventId: id, Name: 'fetchSlice' });
const answer = (id: number, type = EventType.TaskCompleted): HistoryEvent =>
  ev({ EventType: type, TaskScheduledId: id, Result: 'null' });
const record = (history: HistoryEvent[], inbox: HistoryEvent[]): InstanceRecord =>
  ({ instanceId: 'i', executionId: 'e', history, inbox }) as unknown as InstanceRecord;

describe('othersPending: whether an episode is worth holding back for more answers', () => {
  const started = ev({ EventType: EventType.OrchestratorStarted });

  it('is true while another task of the fan-out has no answer, false once all are in', () => {
    const history = [started, scheduled(0), scheduled(1)];
    expect(othersPending(record(history, [answer(0)]), answer(0))).toBe(true);
    expect(othersPending(record(history, [answer(0), answer(1)]), answer(1))).toBe(false);
  });

  it('counts answers already in the history and children still running', () => {
    const child = scheduled(1, EventType.SubOrchestrationInstanceCreated);
    const history = [started, scheduled(0), child, scheduled(2), answer(0)];
    expect(othersPending(record(history, [answer(2)]), answer(2))).toBe(true);
    const done = [...history, answer(1, EventType.SubOrchestrationInstanceCompleted)];
    expect(othersPending(record(done, [answer(2)]), answer(2))).toBe(false);
  });

  it('is false for a lone answer and for what is not a task answer (a fired timer)', () => {
    expect(othersPending(record([started, scheduled(0)], [answer(0)]), answer(0))).toBe(false);
    const timer = ev({ EventType: EventType.TimerFired, TimerId: 1 });
    expect(othersPending(record([started, scheduled(0)], [timer]), timer)).toBe(false);
  });
});
