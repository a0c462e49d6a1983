/** Instance queries: filters, ordering and continuation-token paging over the loaded instances. */
import type { EntityRecord, InstanceRecord, RuntimeStatus } from './types';
import { clone } from './util';

export interface InstanceQuery {
  runtimeStatus?: RuntimeStatus[];
  createdTimeFrom?: Date;
  createdTimeTo?: Date;
  instanceIdPrefix?: string;
  top?: number;
  continuationToken?: string;
  /** Entities too, as the extension's instance query returns them (`@name@key`, Running). */
  includeEntities?: boolean;
}

export interface InstancePage {
  instances: InstanceRecord[];
  continuationToken?: string;
}

export function queryInstances(all: Iterable<InstanceRecord>, query: InstanceQuery = {}): InstancePage {
  let list = [...all];
  if (query.runtimeStatus && query.runtimeStatus.length > 0) {
    const wanted = new Set(query.runtimeStatus);
    list = list.filter((r) => wanted.has(r.status));
  }
  if (query.createdTimeFrom) {
    const from = query.createdTimeFrom.getTime();
    list = list.filter((r) => Date.parse(r.createdTime) >= from);
  }
  if (query.createdTimeTo) {
    const to = query.createdTimeTo.getTime();
    list = list.filter((r) => Date.parse(r.createdTime) <= to);
  }
  if (query.instanceIdPrefix) {
    const prefix = query.instanceIdPrefix;
    list = list.filter((r) => r.instanceId.startsWith(prefix));
  }
  list.sort((a, b) => a.createdTime.localeCompare(b.createdTime) || a.instanceId.localeCompare(b.instanceId));
  const start = query.continuationToken
    ? Number(Buffer.from(query.continuationToken, 'base64').toString('utf8')) || 0
    : 0;
  const top = query.top && query.top > 0 ? query.top : list.length;
  const page = list.slice(start, start + top);
  const next =
    start + top < list.length ? Buffer.from(String(start + top), 'utf8').toString('base64') : undefined;
  return { instances: page.map(clone), continuationToken: next };
}

/**
 * An entity as a row of the instance list: the Azure Storage provider keeps each entity as an
 * orchestration of its scheduler id that never ends, its input the entity's scheduler state.
 */
export function entityRow(ent: EntityRecord): InstanceRecord {
  return {
    instanceId: ent.id,
    name: `@${ent.name}`,
    executionId: '',
    status: 'Running',
    input: JSON.stringify({ exists: ent.exists, state: ent.state }),
    output: null,
    customStatus: null,
    createdTime: ent.createdTime ?? ent.lastModifiedTime,
    lastUpdatedTime: ent.lastModifiedTime,
    history: [],
    inbox: [],
    outbox: [],
  };
}
