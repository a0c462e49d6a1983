/** The client's entity operations: signal, read the state, list. */
import { randomUUID } from 'node:crypto';
import type { EntityHost } from './entities';
import { schedulerId, type EntityRecord, type EntityRequest } from './types';
import { clone } from './util';

export async function signalEntity(
  host: EntityHost,
  name: string,
  key: string,
  operation: string,
  input: unknown,
  now: string,
): Promise<void> {
  const request: EntityRequest = {
    id: randomUUID(),
    name: operation,
    signal: true,
    input: input === undefined ? undefined : JSON.stringify(input),
    timestamp: now,
  };
  await host.deliver({ target: schedulerId(name, key), request });
}

export function readEntity(host: EntityHost, name: string, key: string): { exists: boolean; state: unknown } {
  const ent = host.entities.get(schedulerId(name, key));
  if (!ent || !ent.exists || ent.state === null) return { exists: false, state: undefined };
  return { exists: true, state: JSON.parse(ent.state) as unknown };
}

/** Entities that hold a state, of one name or all, by id. */
export function listEntities(host: EntityHost, name?: string): EntityRecord[] {
  const wanted = name?.toLowerCase();
  return [...host.entities.values()]
    .filter((e) => (wanted === undefined || e.name === wanted) && e.exists)
    .sort((a, b) => a.id.localeCompare(b.id))
    .map(clone);
}
