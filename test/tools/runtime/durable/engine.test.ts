import { counters, resetCounters } from '../fixtures/app';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { encodeId } from '../../../../tools/runtime/durable/store';
import { EventType, type HistoryEvent, type InstanceRecord } from '../../../../tools/runtime/durable/types';
import { startFixtureHost } from '../helpers';

type Host = Awaited<ReturnType<typeof startFixtureHost>>;

describe('durable engine with the fixture app', () => {
  let host: Host;
  beforeEach(async () => {
    resetCounters();
    host = await startFixtureHost();
  });
  afterEach(async () => {
    await host.stop();
  });

  it('runs an activity chain', async () => {
    const started = await host.engine.startNew('fxChain', { instanceId: 'chain-1', input: 3 });
    expect(started.status).toBe('Pending');
    const rec = await host.engine.waitForCompletion('chain-1');
    expect(rec.status).toBe('Completed');
    expect(JSON.parse(rec.output ?? 'null')).toEqual([6, 12, 24]);
    const types = rec.history.map((e) => EventType[e.EventType]);
    expect(types).toEqual([
      'OrchestratorStarted',
      'ExecutionStarted',
      'TaskScheduled',
      'OrchestratorCompleted',
      'OrchestratorStarted',
      'TaskCompleted',
      'TaskScheduled',
      'OrchestratorCompleted',
      'OrchestratorStarted',
      'TaskCompleted',
      'TaskScheduled',
      'OrchestratorCompleted',
      'OrchestratorStarted',
      'TaskCompleted',
      'ExecutionCompleted',
      'OrchestratorCompleted',
    ]);
    expect(rec.history.filter((e) => e.EventType === EventType.TaskScheduled).map((e) => e.EventId)).toEqual([
      0, 1, 2,
    ]);
  });
});

function summary(history: HistoryEvent[]): string[] {
  return history
    .filter(
      (e) => e.EventType !== EventType.OrchestratorStarted && e.EventType !== EventType.OrchestratorCompleted,
    )
    .map((e) => {
      const t = EventType[e.EventType];
      switch (e.EventType) {
        case EventType.TaskScheduled:
          return `${t}#${e.EventId} ${e.Name ?? ''}`;
        case EventType.TaskCompleted:
        case EventType.TaskFailed:
          return `${t}->${e.TaskScheduledId ?? ''}`;
        case EventType.TimerCreated:
          return `${t}#${e.EventId} ${e.FireAt ?? ''}`;
        case EventType.TimerFired:
          return `${t}->${e.TimerId ?? ''} ${e.FireAt ?? ''}`;
        default:
          return t ?? String(e.EventType);
      }
    });
}

describe('durable semantics', () => {
  let host: Host;
  afterEach(async () => {
    await host.stop();
  });

  it('fans out with bounded concurrency and fans in', async () => {
    resetCounters();
    host = await startFixtureHost({ maxConcurrentActivities: 2 });
    await host.engine.startNew('fxFanOut', { instanceId: 'fan-1', input: 6 });
    const rec = await host.engine.waitForCompletion('fan-1');
    expect(rec.status).toBe('Completed');
    expect(JSON.parse(rec.output ?? 'null')).toEqual({
      results: [100, 101, 102, 103, 104, 105],
      after: 'undefined-became-null',
    });
    expect(counters.calls.fxSlow).toBe(6);
    expect(counters.peak).toBe(2);
    expect(host.engine.peakActivities).toBe(2);
    const scheduled = rec.history.filter((e) => e.EventType === EventType.TaskScheduled);
    expect(scheduled.map((e) => e.EventId)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    const nothing = rec.history.find(
      (e) => e.EventType === EventType.TaskCompleted && e.TaskScheduledId === 6,
    );
    expect(nothing?.Result).toBe('null');
  });

  it('keeps the results of activities that finish while the host stops: none runs again', async () => {
    resetCounters();
    const first = await startFixtureHost({ maxConcurrentActivities: 2 });
    host = first;
    await first.engine.startNew('fxFanOut', { instanceId: 'stop-1', input: 2 });
    while (counters.running < 2) await new Promise((r) => setImmediate(r));
    await first.stop();
    const saved = JSON.parse(
      fs.readFileSync(
        path.join(first.durableDir, 'FixtureHub', 'instances', `${encodeId('stop-1')}.json`),
        'utf8',
      ),
    ) as InstanceRecord;
    expect(saved.inbox.filter((e) => e.EventType === EventType.TaskCompleted)).toHaveLength(2);

    host = await startFixtureHost({ durableDir: first.durableDir });
    const rec = await host.engine.waitForCompletion('stop-1');
    expect(JSON.parse(rec.output ?? 'null')).toMatchObject({ results: [100, 101] });
    expect(counters.calls.fxSlow).toBe(2);
  });

  it('Task.any: the activity wins over a timer, which is then cancelled', async () => {
    host = await startFixtureHost();
    await host.engine.startNew('fxAny', { instanceId: 'any-1' });
    const rec = await host.engine.waitForCompletion('any-1');
    expect(JSON.parse(rec.output ?? 'null')).toEqual({ winner: 'work', value: 42 });
    expect(summary(rec.history)).toEqual([
      'ExecutionStarted',
      'TaskScheduled#0 fxDouble',
      'TimerCreated#1 2026-03-01T10:01:00.000Z',
      'TaskCompleted->0',
      'ExecutionCompleted',
    ]);
    expect(host.engine.nextTimerAt()).toBeUndefined();
  });

  it('durable timers fire on virtual time with their logical FireAt', async () => {
    host = await startFixtureHost();
    await host.engine.startNew('fxTimer', { instanceId: 'timer-1' });
    const rec = await host.engine.waitForCompletion('timer-1');
    expect(JSON.parse(rec.output ?? 'null')).toEqual({
      t0: '2026-03-01T10:00:00.000Z',
      t1: '2026-03-01T11:00:00.000Z',
    });
    expect(summary(rec.history)).toEqual([
      'ExecutionStarted',
      'TimerCreated#0 2026-03-01T11:00:00.000Z',
      'TimerFired->0 2026-03-01T11:00:00.000Z',
      'ExecutionCompleted',
    ]);
  });

  it('callActivityWithRetry: host-side retries with back-off timers, success on attempt 3', async () => {
    resetCounters();
    host = await startFixtureHost();
    await host.engine.startNew('fxRetry', {
      instanceId: 'retry-ok',
      input: { key: 'a', failures: 2, attempts: 4 },
    });
    const rec = await host.engine.waitForCompletion('retry-ok');
    expect(JSON.parse(rec.output ?? 'null')).toEqual({ ok: true, value: 'ok after 3' });
    expect(summary(rec.history)).toEqual([
      'ExecutionStarted',
      'TaskScheduled#0 fxFlaky',
      'TaskFailed->0',
      'TimerCreated#1 2026-03-01T10:00:02.000Z',
      'TimerFired->1 2026-03-01T10:00:02.000Z',
      'TaskScheduled#2 fxFlaky',
      'TaskFailed->2',
      'TimerCreated#3 2026-03-01T10:00:06.000Z',
      'TimerFired->3 2026-03-01T10:00:06.000Z',
      'TaskScheduled#4 fxFlaky',
      'TaskCompleted->4',
      'ExecutionCompleted',
    ]);
    const failed = rec.history.find((e) => e.EventType === EventType.TaskFailed);
    expect(failed?.Reason).toBe(
      `Activity function 'fxFlaky' failed:  flaky a attempt 1 MARK{"attempt":1}MARK`,
    );
    expect(failed?.Details).toContain('flaky a attempt 1');
  });

  it('callActivityWithRetry: after the last attempt one zero-length timer, then the error reaches the orchestrator', async () => {
    resetCounters();
    host = await startFixtureHost();
    await host.engine.startNew('fxRetry', {
      instanceId: 'retry-ko',
      input: { key: 'b', failures: 99, attempts: 3 },
    });
    const rec = await host.engine.waitForCompletion('retry-ko');
    expect(summary(rec.history)).toEqual([
      'ExecutionStarted',
      'TaskScheduled#0 fxFlaky',
      'TaskFailed->0',
      'TimerCreated#1 2026-03-01T10:00:02.000Z',
      'TimerFired->1 2026-03-01T10:00:02.000Z',
      'TaskScheduled#2 fxFlaky',
      'TaskFailed->2',
      'TimerCreated#3 2026-03-01T10:00:06.000Z',
      'TimerFired->3 2026-03-01T10:00:06.000Z',
      'TaskScheduled#4 fxFlaky',
      'TaskFailed->4',
      'TimerCreated#5 2026-03-01T10:00:06.000Z',
      'TimerFired->5 2026-03-01T10:00:06.000Z',
      'ExecutionCompleted',
    ]);
    expect(counters.calls.fxFlaky).toBe(3);
    const out = JSON.parse(rec.output ?? 'null') as { ok: boolean; message: string };
    expect(out.ok).toBe(false);
    expect(out.message).toContain(
      `Activity function 'fxFlaky' failed:  flaky b attempt 3 MARK{"attempt":3}MARK`,
    );
  });

  it('an uncaught activity failure fails the orchestration', async () => {
    host = await startFixtureHost();
    await host.engine.startNew('fxFailing', { instanceId: 'fail-1' });
    const rec = await host.engine.waitForCompletion('fail-1');
    expect(rec.status).toBe('Failed');
    expect(JSON.parse(rec.customStatus ?? 'null')).toEqual({ stage: 'before' });
    const output = JSON.parse(rec.output ?? 'null') as string;
    expect(
      output.startsWith(
        `Orchestrator function 'fxFailing' failed: Activity function 'fxBoom' failed:  boom: permanent`,
      ),
    ).toBe(true);
    const last = rec.history.filter((e) => e.EventType === EventType.ExecutionCompleted);
    expect(last).toHaveLength(1);
    expect(last[0]?.OrchestrationStatus).toBe('Failed');
  });

  it('keeps the latest custom status', async () => {
    host = await startFixtureHost();
    const seen: unknown[] = [];
    host.engine.on('instance', (r: { instanceId: string; customStatus: string | null }) => {
      if (r.instanceId === 'cs-1' && r.customStatus) seen.push(JSON.parse(r.customStatus));
    });
    await host.engine.startNew('fxCustomStatus', { instanceId: 'cs-1' });
    const rec = await host.engine.waitForCompletion('cs-1');
    expect(JSON.parse(rec.customStatus ?? 'null')).toEqual({ stage: 'done', done: 2 });
    expect(seen).toEqual([
      { stage: 'fetch', done: 0 },
      { stage: 'store', done: 1 },
      { stage: 'done', done: 2 },
    ]);
  });

  it('continues as new with a fresh history', async () => {
    host = await startFixtureHost();
    await host.engine.startNew('fxContinue', { instanceId: 'can-1', input: 3 });
    const rec = await host.engine.waitForCompletion('can-1');
    expect(rec.status).toBe('Completed');
    expect(JSON.parse(rec.output ?? 'null')).toBe(48);
    expect(JSON.parse(rec.input ?? 'null')).toBe(24);
    expect(summary(rec.history)).toEqual([
      'ExecutionStarted',
      'TaskScheduled#0 fxDouble',
      'TaskCompleted->0',
      'ExecutionCompleted',
    ]);
  });

  it('delivers entity signals in order and answers entity calls', async () => {
    host = await startFixtureHost();
    await host.engine.startNew('fxSignal', { instanceId: 'sig-1' });
    await host.engine.waitForCompletion('sig-1');
    await host.engine.waitForIdle();
    expect(host.engine.readEntity('fxCounter', 'main')).toEqual({ exists: true, state: 14 });
    const rec = host.engine.getInstance('sig-1');
    expect(summary(rec?.history ?? [])).toEqual([
      'ExecutionStarted',
      'EventSent',
      'EventSent',
      'TaskScheduled#2 fxDouble',
      'TaskCompleted->2',
      'EventSent',
      'ExecutionCompleted',
    ]);
    await host.engine.startNew('fxCallEntity', { instanceId: 'call-1' });
    const called = await host.engine.waitForCompletion('call-1');
    expect(JSON.parse(called.output ?? 'null')).toBe(3);
  });

  it('raises external events and terminates', async () => {
    host = await startFixtureHost();
    await host.engine.startNew('fxWaitEvent', { instanceId: 'ev-1' });
    await host.engine.waitForIdle();
    expect(host.engine.getInstance('ev-1')?.status).toBe('Running');
    expect(await host.engine.raiseEvent('ev-1', 'approve', { by: 'me' })).toBe('ok');
    const rec = await host.engine.waitForCompletion('ev-1');
    expect(JSON.parse(rec.output ?? 'null')).toEqual({ approved: { by: 'me' } });

    await host.engine.startNew('fxWaitEvent', { instanceId: 'ev-2' });
    await host.engine.waitForIdle();
    expect(await host.engine.terminate('ev-2', 'no longer needed')).toBe('ok');
    const term = await host.engine.waitForCompletion('ev-2');
    expect(term.status).toBe('Terminated');
    expect(JSON.parse(term.output ?? 'null')).toBe('no longer needed');
    expect(await host.engine.terminate('ev-2', 'again')).toBe('gone');
    expect(await host.engine.terminate('nope', 'x')).toBe('notfound');
  });
});
