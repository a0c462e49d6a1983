/**
 * File-backed task hub: one JSON file per orchestration instance and per entity under
 * `<durableDir>/<hubName>/`, written crash-safely (temp file + fsync + rename + dir fsync).
 */
import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { EntityRecord, InstanceRecord } from './types';

export function encodeId(id: string): string {
  // Safe, reversible file names (also on case-insensitive file systems: upper case is escaped).
  return encodeURIComponent(id).replace(/[!'()*~.]|[A-Z]/g, (c) =>
    /[A-Z]/.test(c) ? `_${c.toLowerCase()}` : `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

export function decodeId(name: string): string {
  return decodeURIComponent(name.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase()));
}

/** Writes `data` to `file` so that a crash leaves either the old or the new content. */
export async function writeFileAtomic(file: string, data: string): Promise<void> {
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  // The directory exists but for the first write (init() makes the hub's): one call less per save.
  const handle = await fsp.open(tmp, 'w').catch(async (err: unknown) => {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    await fsp.mkdir(dir, { recursive: true });
    return fsp.open(tmp, 'w');
  });
  try {
    await handle.writeFile(data, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fsp.rename(tmp, file);
  try {
    const dirHandle = await fsp.open(dir, 'r');
    try {
      await dirHandle.sync();
    } finally {
      await dirHandle.close();
    }
  } catch {
    // directory fsync is not supported everywhere (e.g. Windows); the rename is still atomic
  }
}

export class TaskHubStore {
  readonly hubDir: string;
  readonly instancesDir: string;
  readonly entitiesDir: string;

  constructor(
    readonly durableDir: string,
    readonly hubName: string,
  ) {
    this.hubDir = path.join(path.resolve(durableDir), hubName);
    this.instancesDir = path.join(this.hubDir, 'instances');
    this.entitiesDir = path.join(this.hubDir, 'entities');
  }

  async init(): Promise<void> {
    await fsp.mkdir(this.instancesDir, { recursive: true });
    await fsp.mkdir(this.entitiesDir, { recursive: true });
    // Leftover temp files from a crash mid-write are garbage: the rename never happened.
    for (const dir of [this.instancesDir, this.entitiesDir]) {
      for (const name of await fsp.readdir(dir)) {
        if (name.endsWith('.tmp')) await fsp.rm(path.join(dir, name), { force: true });
      }
    }
  }

  instanceFile(instanceId: string): string {
    return path.join(this.instancesDir, `${encodeId(instanceId)}.json`);
  }

  entityFile(entityId: string): string {
    return path.join(this.entitiesDir, `${encodeId(entityId)}.json`);
  }

  private readonly writers = new Map<
    string,
    { latest: InstanceRecord; waiting: { resolve: () => void; reject: (e: unknown) => void }[] }
  >();

  /**
   * Group commit: saves of one instance that arrive while a write is under way are folded into
   * the next write, which serializes the record as it is then (so it holds every change that
   * asked to be saved). Each caller resolves only once a write containing its change is on disk,
   * and writes of one instance never overtake each other.
   */
  saveInstance(record: InstanceRecord): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const running = this.writers.get(record.instanceId);
      if (running) {
        running.latest = record;
        running.waiting.push({ resolve, reject });
        return;
      }
      const writer = { latest: record, waiting: [{ resolve, reject }] };
      this.writers.set(record.instanceId, writer);
      void this.drain(record.instanceId, writer);
    });
  }

  private async drain(
    instanceId: string,
    writer: { latest: InstanceRecord; waiting: { resolve: () => void; reject: (e: unknown) => void }[] },
  ): Promise<void> {
    while (writer.waiting.length > 0) {
      const batch = writer.waiting.splice(0);
      try {
        await writeFileAtomic(this.instanceFile(instanceId), JSON.stringify(writer.latest));
        for (const w of batch) w.resolve();
      } catch (err) {
        for (const w of batch) w.reject(err);
      }
    }
    this.writers.delete(instanceId);
  }

  async deleteInstance(instanceId: string): Promise<void> {
    await fsp.rm(this.instanceFile(instanceId), { force: true });
  }

  async saveEntity(record: EntityRecord): Promise<void> {
    await writeFileAtomic(this.entityFile(record.id), JSON.stringify(record));
  }

  async deleteEntity(entityId: string): Promise<void> {
    await fsp.rm(this.entityFile(entityId), { force: true });
  }

  loadAllInstances(): InstanceRecord[] {
    return readJsonDir<InstanceRecord>(this.instancesDir);
  }

  loadAllEntities(): EntityRecord[] {
    return readJsonDir<EntityRecord>(this.entitiesDir);
  }
}

function readJsonDir<T>(dir: string): T[] {
  if (!fs.existsSync(dir)) return [];
  const out: T[] = [];
  for (const name of fs.readdirSync(dir).sort()) {
    if (!name.endsWith('.json')) continue;
    out.push(JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8')) as T);
  }
  return out;
}
