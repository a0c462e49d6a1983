/**
 * Where the embedded engine matches the real extension (facts.md section 7): the final retry
 * timer is zero-length, starting a Pending/Running/Suspended id answers 500, a purge by filter
 * needs createdTimeFrom, Suspended is a status filter, and entity signals sent by a failing
 * episode are delivered with the failure.
 */
import * as df from 'durable-functions';
import { TaskHubStore } from '../../../../tools/runtime/durable/store';
import { EventType, type InstanceRecord } from '../../../../tools/runtime/durable/types';
import { resetCounters } from '../fixtures/app';
import { startFixtureHost, tmpDir } from '../helpers';

type Host = Awaited<ReturnType<typeof startFixtureHost>>;

function summary(rec: InstanceRecord): string[] {
  return rec.history
    .filter(
      (e) => e.EventType !== EventType.OrchestratorStarted && e.EventType !== EventType.OrchestratorCompleted,
    )
    .map((e) => `${EventType[e.EventType]}${e.FireAt ? ` ${e.FireAt}` : ''}`);
}

/** A Suspended instance as the store holds it (the embedded engine has no suspend operation). */
async function seedSuspended(durableDir: string): Promise<void> {
  const store = new TaskHubStore(durableDir, 'FixtureHub');
  await store.init();
  const at = '2026-03-01T09:00:00.000Z';
  await store.saveInstance({
    instanceId: 'parked',
    name: 'fxWaitEvent',
    executionId: 'e1',
    status: 'Suspended',
    input: null,
    output: null,
    customStatus: null,
    createdTime: at,
    lastUpdatedTime: at,
    history: [
      { EventType: EventType.OrchestratorStarted, EventId: -1, IsPlayed: true, Timestamp: at },
      {
        EventType: EventType.ExecutionStarted,
        EventId: -1,
        IsPlayed: true,
        Timestamp: at,
        Name: 'fxWaitEvent',
        Input: null,
      },
      { EventType: EventType.OrchestratorCompleted, EventId: -1, IsPlayed: true, Timestamp: at },
    ],
    inbox: [],
    outbox: [],
  });
}

describe('embedded engine parity with the Durable extension', () => {
  let host: Host;
  let durableDir: string;
  beforeAll(async () => {
    resetCounters();
    durableDir = tmpDir();
    await seedSuspended(durableDir);
    host = await startFixtureHost({ durableDir });
  });
  afterAll(async () => {
    await host.stop();
  });

  it('creates a zero-length timer after the final failed attempt, and delivers the failing episode’s signals', async () => {
    await host.engine.startNew('fxRetryUncaught', {
      instanceId: 'final-timer',
      input: { key: 'ft', attempts: 2 },
    });
    const rec = await host.engine.waitForCompletion('final-timer');
    await host.engine.waitForIdle();
    expect(rec.status).toBe('Failed');
    expect(summary(rec)).toEqual([
      'ExecutionStarted',
      'EventSent',
      'TaskScheduled',
      'TaskFailed',
      'TimerCreated 2026-03-01T10:00:01.000Z',
      'TimerFired 2026-03-01T10:00:01.000Z',
      'TaskScheduled',
      'TaskFailed',
      // the last attempt failed at 10:00:01: the dummy timer fires at once
      'TimerCreated 2026-03-01T10:00:01.000Z',
      'TimerFired 2026-03-01T10:00:01.000Z',
      'EventSent',
      'ExecutionCompleted',
    ]);
    // 1 signalled before the retries, 10 signalled in the episode that fails
    expect(host.engine.readEntity('fxCounter', 'ft')).toEqual({ exists: true, state: 11 });
  });

  it('answers 500 to a start of a Running or Suspended id, and overwrites a finished one', async () => {
    const start = (id: string): Promise<Response> =>
      fetch(`${host.rpcBaseUrl}orchestrators/fxWaitEvent/${id}`, { method: 'POST' });
    expect((await start('busy')).status).toBe(202);
    await host.engine.waitForIdle();
    expect(host.engine.getInstance('busy')?.status).toBe('Running');
    const again = await start('busy');
    expect(again.status).toBe(500);
    expect(((await again.json()) as { message: string }).message).toContain('status Running already exists');
    const parked = await start('parked');
    expect(parked.status).toBe(500);
    expect(((await parked.json()) as { message: string }).message).toContain('status Suspended');
    await expect(host.client().startNew('fxWaitEvent', { instanceId: 'busy' })).rejects.toThrow();

    await host.engine.terminate('busy', 'done');
    await host.engine.waitForCompletion('busy');
    expect((await start('busy')).status).toBe(202);
    await host.engine.waitForIdle();
    expect(host.engine.getInstance('busy')?.status).toBe('Running');
    await host.engine.terminate('busy', 'done again');
    await host.engine.waitForCompletion('busy');
  });

  it('accepts Suspended as a status filter', async () => {
    const res = await fetch(`${host.rpcBaseUrl}instances?runtimeStatus=Suspended`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { instanceId: string }[]).map((s) => s.instanceId)).toEqual(['parked']);
    const viaClient = await host
      .client()
      .getStatusBy({ runtimeStatus: [df.OrchestrationRuntimeStatus.Suspended] });
    expect(viaClient.map((s) => s.instanceId)).toEqual(['parked']);
  });

  it('refuses a purge by filter without createdTimeFrom (400); from + to + status purges just those', async () => {
    const refused = await fetch(`${host.rpcBaseUrl}instances?createdTimeTo=2030-01-01T00:00:00Z`, {
      method: 'DELETE',
    });
    expect(refused.status).toBe(400);
    const bad = await fetch(`${host.rpcBaseUrl}instances?createdTimeFrom=yesterday`, { method: 'DELETE' });
    expect(bad.status).toBe(400);
    expect(host.engine.getInstance('final-timer')?.status).toBe('Failed');

    const purged = await host.client().purgeInstanceHistoryBy({
      createdTimeFrom: new Date('2026-03-01T00:00:00Z'),
      createdTimeTo: new Date('2026-03-02T00:00:00Z'),
      runtimeStatus: [df.OrchestrationRuntimeStatus.Failed],
    });
    expect(purged.instancesDeleted).toBe(1);
    expect(host.engine.getInstance('final-timer')).toBeUndefined();
    // the Terminated and Suspended ones are kept
    expect(host.engine.getInstance('busy')?.status).toBe('Terminated');
    expect(host.engine.getInstance('parked')?.status).toBe('Suspended');
  });
});
