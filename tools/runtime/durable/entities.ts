/**
 * Entities: requests queue per entity, run in batches through the entity function; signals an
 * entity sends go to its outbox, responses to calling orchestrations go back to their inbox.
 * Re-delivered requests are de-duplicated by id.
 */
import { errorMessage } from '../../../shared/errors';
import type { Clock } from '../clock';
import { invokeFunction } from '../invoke';
import type { Logger } from '../logger';
import type { FunctionRegistry } from '../registry';
import { deterministicGuid } from './shim';
import type { TaskHubStore } from './store';
import {
  EventType,
  parseSchedulerId,
  schedulerId,
  type EntityMessage,
  type EntityRecord,
  type HistoryEvent,
} from './types';
import { clone, iso, type KeyedLock } from './util';

interface EntityBatchResult {
  entityExists: boolean;
  entityState?: string;
  results?: { isError: boolean; result?: string }[];
  signals?: {
    target: { name: string; key: string };
    name: string;
    input?: string;
    requestId?: string;
    requestTime?: number;
  }[];
}

export interface EntityHostOptions {
  registry: FunctionRegistry;
  clock: Clock;
  logger: Logger;
  store: TaskHubStore;
  lock: KeyedLock;
  maxBatch: number;
  track(p: Promise<unknown>): void;
  stopped(): boolean;
  /** A finished batch (the engine emits 'entity'). */
  changed(ent: EntityRecord): void;
  /** The answer to an orchestration that called an operation. */
  respond(instanceId: string, executionId: string | undefined, event: HistoryEvent): Promise<void>;
}

const lockKey = (entityId: string): string => `entity:${entityId}`;

export class EntityHost {
  readonly entities = new Map<string, EntityRecord>();
  private readonly queued = new Set<string>();

  constructor(private readonly o: EntityHostOptions) {}

  /** Resumes outboxes and queues after a restart. */
  resume(): void {
    for (const ent of this.entities.values()) {
      if (ent.outbox.length > 0) this.o.track(this.deliverOutbox(ent.id));
      if (ent.queue.length > 0) this.schedule(ent.id);
    }
  }

  async deliver(message: EntityMessage): Promise<void> {
    const id = message.target;
    await this.o.lock.run(lockKey(id), async () => {
      let ent = this.entities.get(id);
      if (!ent) {
        const { name, key } = parseSchedulerId(id);
        ent = {
          id,
          name,
          key,
          exists: false,
          state: null,
          queue: [],
          recent: [],
          outbox: [],
          createdTime: iso(this.o.clock.now()),
          lastModifiedTime: iso(this.o.clock.now()),
        };
        this.entities.set(id, ent);
      }
      if (ent.recent.includes(message.request.id) || ent.queue.some((r) => r.id === message.request.id))
        return;
      ent.queue.push(message.request);
      ent.recent.push(message.request.id);
      if (ent.recent.length > 1000) ent.recent.splice(0, ent.recent.length - 1000);
      await this.o.store.saveEntity(ent);
    });
    this.schedule(id);
  }

  private async deliverOutbox(entityId: string): Promise<void> {
    const ent = this.entities.get(entityId);
    if (!ent || ent.outbox.length === 0) return;
    const messages = [...ent.outbox];
    for (const message of messages) await this.deliver(message);
    await this.o.lock.run(lockKey(entityId), async () => {
      const current = this.entities.get(entityId);
      if (!current) return;
      current.outbox = current.outbox.filter((m) => !messages.includes(m));
      await this.o.store.saveEntity(current);
    });
  }

  private schedule(entityId: string): void {
    if (this.o.stopped() || this.queued.has(entityId)) return;
    this.queued.add(entityId);
    this.o.track(
      new Promise<void>((resolve) => setImmediate(resolve)).then(() =>
        this.o.lock.run(lockKey(entityId), async () => {
          this.queued.delete(entityId);
          if (this.o.stopped()) return;
          await this.runBatch(entityId);
        }),
      ),
    );
  }

  private async invoke(ent: EntityRecord, batch: EntityRecord['queue']): Promise<EntityBatchResult> {
    const failAll = (message: string): EntityBatchResult => ({
      entityExists: ent.exists,
      entityState: ent.state ?? undefined,
      results: batch.map(() => ({ isError: true, result: JSON.stringify({ message }) })),
      signals: [],
    });
    const fn = this.o.registry.get(ent.name);
    if (!fn || fn.triggerType.toLowerCase() !== 'entitytrigger')
      return failAll(`The entity function '${ent.name}' doesn't exist.`);
    const input = clone({
      self: { name: ent.name, key: ent.key },
      state: ent.state ?? undefined,
      exists: ent.exists,
      batch: batch.map((r) => ({ id: r.id, name: r.name, signal: r.signal, input: r.input })),
    });
    try {
      const { result: raw } = await invokeFunction(fn, input, { logger: this.o.logger });
      return clone(raw) as EntityBatchResult;
    } catch (err) {
      // The whole batch failed (the SDK catches operation errors itself): report each operation.
      return failAll(errorMessage(err));
    }
  }

  private async runBatch(entityId: string): Promise<void> {
    const ent = this.entities.get(entityId);
    if (!ent || ent.queue.length === 0) return;
    const batch = ent.queue.slice(0, this.o.maxBatch);
    const result = await this.invoke(ent, batch);
    ent.queue = ent.queue.slice(batch.length);
    ent.exists = result.entityExists === true;
    ent.state = ent.exists ? (result.entityState ?? null) : null;
    ent.lastModifiedTime = iso(this.o.clock.now());
    const now = iso(this.o.clock.now());
    for (const signal of result.signals ?? []) {
      ent.outbox.push({
        target: schedulerId(signal.target.name, signal.target.key),
        request: {
          id: deterministicGuid(
            entityId,
            signal.requestId ?? '',
            signal.name,
            String(signal.requestTime ?? ''),
          ),
          name: signal.name,
          signal: true,
          input: signal.input === '' ? undefined : signal.input,
          timestamp: now,
        },
      });
    }
    // Responses to orchestrations that called (not signalled) an operation.
    const responses: { instanceId: string; executionId?: string; event: HistoryEvent }[] = [];
    batch.forEach((request, i) => {
      if (request.signal || !request.parent) return;
      const r = result.results?.[i];
      const response: { result?: string; exceptionType?: string } = { result: r?.result };
      if (r?.isError) response.exceptionType = 'Error';
      responses.push({
        instanceId: request.parent,
        executionId: request.parentExecution,
        event: {
          EventType: EventType.EventRaised,
          EventId: -1,
          IsPlayed: false,
          Timestamp: now,
          Name: request.id,
          Input: JSON.stringify(response),
        },
      });
    });
    await this.o.store.saveEntity(ent);
    this.o.changed(ent);
    if (ent.outbox.length > 0) this.o.track(this.deliverOutbox(ent.id));
    for (const r of responses) this.o.track(this.o.respond(r.instanceId, r.executionId, r.event));
    if (ent.queue.length > 0) this.schedule(entityId);
  }
}
