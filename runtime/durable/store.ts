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
  await fsp.mkdir(dir, { recursive: true });
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const handle = await fsp.open(tmp, 'w');
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

  async saveInstance(record: InstanceRecord): Promise<void> {
    await writeFileAtomic(this.instanceFile(record.instanceId), JSON.stringify(record));
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
