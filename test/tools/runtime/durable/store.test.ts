import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TaskHubStore } from '../../../../tools/runtime/durable/store';
import type { InstanceRecord } from '../../../../tools/runtime/durable/types';

const record = (events: number): InstanceRecord =>
  ({
    instanceId: 'eco2mix-20261128T0615Z',
    name: 'ingestEco2mix',
    status: 'Running',
    history: Array.from({ length: events }, (_, i) => ({ EventType: 4, EventId: i })),
    inbox: [],
  }) as unknown as InstanceRecord;

describe('task hub store', () => {
  let store: TaskHubStore;
  beforeEach(async () => {
    store = new TaskHubStore(fs.mkdtempSync(path.join(os.tmpdir(), 'hub-')), 'TestHub');
    await store.init();
  });

  it('folds concurrent saves of one instance into writes that end with the newest state', async () => {
    const rec = record(1);
    const saves: Promise<void>[] = [];
    for (let i = 2; i <= 20; i++) {
      rec.history.push({ EventType: 4, EventId: i - 1 } as never);
      saves.push(store.saveInstance(rec));
    }
    await Promise.all(saves);
    const [loaded] = store.loadAllInstances();
    expect(loaded?.history).toHaveLength(20);
    expect(fs.readdirSync(store.instancesDir)).toEqual(['eco2mix-20261128_t0615_z.json']);
  });

  it('resolves a save only once a write holding it is on disk', async () => {
    const rec = record(3);
    const first = store.saveInstance(rec);
    rec.history.push({ EventType: 5, EventId: -1 } as never);
    await store.saveInstance(rec);
    expect(store.loadAllInstances()[0]?.history).toHaveLength(4);
    await first;
  });

  it('clears temp files a crash left behind', async () => {
    fs.writeFileSync(path.join(store.instancesDir, '.x.json.123.ab.tmp'), '{');
    await store.init();
    expect(fs.readdirSync(store.instancesDir)).toEqual([]);
  });
});
