import { startFixtureHost } from '../helpers';

type Host = Awaited<ReturnType<typeof startFixtureHost>>;

describe('durable client through df.getClient and the HTTP host', () => {
  let host: Host;
  beforeAll(async () => {
    host = await startFixtureHost();
  });
  afterAll(async () => {
    await host.stop();
  });

  it('starts through an HTTP starter and follows the check-status URL', async () => {
    const res = await fetch(`${host.httpUrl}/api/fx/start/fxChain/http-1?code=test-key`, {
      method: 'POST',
      body: '5',
    });
    expect(res.status).toBe(202);
    const links = (await res.json()) as Record<string, string>;
    expect(links.id).toBe('http-1');
    expect(res.headers.get('location')).toBe(links.statusQueryGetUri);
    const statusUrl = new URL(links.statusQueryGetUri ?? '');
    expect(statusUrl.pathname).toBe('/runtime/webhooks/durabletask/instances/http-1');
    expect(statusUrl.searchParams.get('taskHub')).toBe('FixtureHub');
    await host.engine.waitForCompletion('http-1');
    const status = await fetch(links.statusQueryGetUri ?? '');
    expect(status.status).toBe(200);
    const body = (await status.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      name: 'fxChain',
      instanceId: 'http-1',
      runtimeStatus: 'Completed',
      input: 5,
      output: [10, 20, 40],
    });
    const noKey = await fetch(links.statusQueryGetUri?.replace(/code=[^&]*/, 'code=wrong') ?? '');
    expect(noKey.status).toBe(401);
  });

  it('rejects a starter call without the function key', async () => {
    const res = await fetch(`${host.httpUrl}/api/fx/start/fxChain`, { method: 'POST', body: '1' });
    expect(res.status).toBe(401);
  });

  it('getStatus with history through the SDK client; 404 makes the client throw', async () => {
    const client = host.client();
    const id = await client.startNew('fxChain', { input: 1, instanceId: 'sdk-1' });
    expect(id).toBe('sdk-1');
    await host.engine.waitForCompletion('sdk-1');
    const status = await client.getStatus('sdk-1', { showHistory: true, showHistoryOutput: true });
    expect(status.runtimeStatus).toBe('Completed');
    expect(status.output).toEqual([2, 4, 8]);
    expect((status.history ?? []).map((e) => (e as { EventType: string }).EventType)).toEqual([
      'ExecutionStarted',
      'TaskCompleted',
      'TaskCompleted',
      'TaskCompleted',
      'ExecutionCompleted',
    ]);
    await expect(client.getStatus('missing')).rejects.toThrow(/HTTP 404/);

    const viaApp = await fetch(`${host.httpUrl}/api/fx/status/missing`);
    expect(viaApp.status).toBe(404);
  });

  it('lists with filters and pages, terminates and purges', async () => {
    const client = host.client();
    await client.startNew('fxWaitEvent', { instanceId: 'list-wait-1' });
    await client.startNew('fxWaitEvent', { instanceId: 'list-wait-2' });
    await host.engine.waitForIdle();
    const running = await client.getStatusBy({ runtimeStatus: [df.OrchestrationRuntimeStatus.Running] });
    expect(running.map((s) => s.instanceId).sort()).toEqual(['list-wait-1', 'list-wait-2']);
    const page = host.engine.listInstances({ instanceIdPrefix: 'list-', top: 1 });
    expect(page.instances).toHaveLength(1);
    expect(page.continuationToken).toBeDefined();
    const all = await client.getStatusAll();
    expect(all.length).toBeGreaterThanOrEqual(4);

    await client.terminate('list-wait-1', 'test');
    await host.engine.waitForCompletion('list-wait-1');
    expect((await client.getStatus('list-wait-1')).runtimeStatus).toBe('Terminated');
    const purged = await client.purgeInstanceHistory('list-wait-1');
    expect(purged.instancesDeleted).toBe(1);
    await expect(client.getStatus('list-wait-1')).rejects.toThrow(/404/);
    await client.raiseEvent('list-wait-2', 'approve', 1);
    await host.engine.waitForCompletion('list-wait-2');
  });

  it('signals and reads entities through the client', async () => {
    const client = host.client();
    const id = new df.EntityId('fxCounter', 'client');
    expect((await client.readEntityState(id)).entityExists).toBe(false);
    await client.signalEntity(id, 'add', 4);
    await client.signalEntity(id, 'add', 6);
    await host.engine.waitForIdle();
    const state = await client.readEntityState<number>(id);
    expect(state).toEqual({ entityExists: true, entityState: 10 });
    const viaApp = await fetch(`${host.httpUrl}/api/fx/entity/client`);
    expect(await viaApp.json()).toEqual({ entityExists: true, entityState: 10 });
  });

  it('lists entities among the instances, as the extension does, and never purges them by filter', async () => {
    const client = host.client();
    await client.signalEntity(new df.EntityId('fxCounter', 'listed'), 'add', 1);
    await host.engine.waitForIdle();
    const all = await client.getStatusAll();
    const row = all.find((s) => s.instanceId === '@fxcounter@listed');
    expect(row).toMatchObject({ name: '@fxcounter', runtimeStatus: 'Running' });
    const byPrefix = host.engine.listInstances({ instanceIdPrefix: 'list-', includeEntities: true });
    expect(byPrefix.instances.some((r) => r.instanceId.startsWith('@'))).toBe(false);
    await client.purgeInstanceHistoryBy({ createdTimeFrom: new Date(0) });
    const after = await client.getStatusAll();
    expect(
      after
        .filter((s) => s.instanceId.startsWith('@'))
        .map((s) => s.instanceId)
        .sort(),
    ).toEqual(
      all
        .filter((s) => s.instanceId.startsWith('@'))
        .map((s) => s.instanceId)
        .sort(),
    );
    expect(host.engine.listInstances().instances.some((r) => r.instanceId.startsWith('@'))).toBe(false);
  });

  it('serves a plain HTTP function with a real InvocationContext', async () => {
    const res = await fetch(`${host.httpUrl}/api/fx/plain?q=hi`);
    expect(await res.json()).toEqual({ functionName: 'fxPlain', q: 'hi' });
  });
});

import * as df from 'durable-functions';
