/**
 * The embedded durable engine: orchestration instances (orchestrations.ts, episodes in
 * episode.ts), the activity pool (activityPool.ts), durable timers (timers.ts) and entities
 * (entities.ts) over a file-backed task hub, following the Durable Functions extension's
 * out-of-proc protocol (see shim.ts for the action replay and retry semantics). This file holds
 * the wiring, the lifecycle and the client operations.
 */
import { EventEmitter } from 'node:events';
import { errorMessage } from '../../../shared/errors';
import type { Clock } from '../clock';
import { VirtualClock } from '../clock';
import type { Logger } from '../logger';
import type { FunctionRegistry } from '../registry';
import { ActivityPool } from './activityPool';
import { completion as waitForCompletion } from './completion';
import { EntityHost } from './entities';
import { listEntities, readEntity, signalEntity } from './entityClient';
import { eventRaisedEvent, terminatedEvent } from './events';
import { Orchestrations, type StartOptions } from './orchestrations';
import { entityRow, queryInstances, type InstancePage, type InstanceQuery } from './queries';
import { TaskHubStore } from './store';
import { DurableTimers } from './timers';
import { isTerminal, type EntityRecord, type InstanceRecord } from './types';
import { clone, iso, KeyedLock } from './util';
import { WorkTracker } from './workTracker';

export { InstanceExistsError, UnknownFunctionError } from './engineErrors';
export type { StartOptions } from './orchestrations';
export type { InstancePage, InstanceQuery } from './queries';

export interface EngineOptions {
  registry: FunctionRegistry;
  durableDir: string;
  hubName: string;
  clock: Clock;
  logger: Logger;
  /** host.json extensions.durableTask.maxConcurrentActivityFunctions (default 10). */
  maxConcurrentActivities?: number;
  /** Entity operations per batch (default 50). */
  maxEntityBatch?: number;
  /**
   * With a VirtualClock: when the engine has nothing else to do, advance virtual time to the
   * earliest durable timer (default true for a VirtualClock).
   */
  autoAdvance?: boolean;
}

export class DurableEngine extends EventEmitter {
  readonly store: TaskHubStore;
  readonly registry: FunctionRegistry;
  readonly clock: Clock;
  readonly hubName: string;
  private readonly timers: DurableTimers;
  private readonly activities: ActivityPool;
  private readonly entityHost: EntityHost;
  private readonly orchestrations: Orchestrations;
  private readonly work: WorkTracker;
  private started = false;
  private stopped = false;

  constructor(options: EngineOptions) {
    super();
    this.setMaxListeners(0);
    const { registry, clock, logger } = options;
    this.registry = registry;
    this.clock = clock;
    this.hubName = options.hubName;
    this.store = new TaskHubStore(options.durableDir, options.hubName);
    const autoAdvance = options.autoAdvance ?? clock instanceof VirtualClock;
    const lock = new KeyedLock();
    const stopped = (): boolean => this.stopped;
    const track = (p: Promise<unknown>): void => this.work.track(p);
    this.timers = new DurableTimers(clock);
    this.work = new WorkTracker(
      () => {
        const earliest = this.timers.nextAt();
        if (!this.stopped && autoAdvance && clock instanceof VirtualClock && earliest)
          clock.advanceTo(earliest);
      },
      (err) => logger.log('error', `durable engine: ${errorMessage(err)}`, 'DurableTask'),
    );
    this.orchestrations = new Orchestrations({
      registry,
      clock,
      logger,
      store: this.store,
      lock,
      timers: this.timers,
      enqueueActivity: (job) => this.activities.enqueue(job),
      deliverToEntity: (message) => this.entityHost.deliver(message),
      track,
      stopped,
      changed: (rec) => this.emit('instance', rec),
    });
    this.activities = new ActivityPool({
      registry,
      clock,
      logger,
      max: Math.max(1, options.maxConcurrentActivities ?? 10),
      deliver: (job, event) => this.orchestrations.deliverCompletion(job.instanceId, job.executionId, event),
      begin: () => this.work.begin(),
      end: (count) => this.work.end(count),
      stopped,
    });
    this.entityHost = new EntityHost({
      registry,
      clock,
      logger,
      store: this.store,
      lock,
      maxBatch: Math.max(1, options.maxEntityBatch ?? 50),
      track,
      stopped,
      changed: (ent) => this.emit('entity', clone(ent)),
      respond: (instanceId, executionId, event) =>
        this.orchestrations.deliverResponse(instanceId, executionId, event),
    });
  }

  /** Replay cost, as the extension would pay it: episodes run and history events replayed by them. */
  get episodes(): number {
    return this.orchestrations.episodes;
  }
  get replayedEvents(): number {
    return this.orchestrations.replayedEvents;
  }
  /** The longest history any one execution reached. */
  get maxHistoryEvents(): number {
    return this.orchestrations.maxHistoryEvents;
  }
  /** Peak number of activities running at once (diagnostics/tests). */
  get peakActivities(): number {
    return this.activities.peak;
  }

  // lifecycle --------------------------------------------------------------------------------

  /** Loads the task hub and resumes every unfinished instance and entity from its state. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    await this.store.init();
    const { instances } = this.orchestrations;
    for (const rec of this.store.loadAllInstances()) instances.set(rec.instanceId, rec);
    for (const ent of this.store.loadAllEntities()) this.entityHost.entities.set(ent.id, ent);
    for (const rec of instances.values()) {
      if (rec.outbox.length > 0) this.work.track(this.orchestrations.deliverOutbox(rec.instanceId));
      if (isTerminal(rec.status)) continue;
      if (rec.inbox.length > 0) this.orchestrations.scheduleEpisode(rec.instanceId);
      this.orchestrations.dispatchPendingWork(rec);
    }
    this.entityHost.resume();
    this.work.scheduleIdleCheck();
  }

  /** Stops arming timers and starting work; waits for running work to settle. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.timers.cancelAll();
    this.activities.clear();
    await this.waitForIdle();
  }

  /** Resolves when no episode, activity or entity batch is queued or running. */
  waitForIdle(): Promise<void> {
    return this.work.waitForIdle();
  }

  // client operations ------------------------------------------------------------------------

  startNew(name: string, options: StartOptions = {}): Promise<InstanceRecord> {
    return this.orchestrations.create(name, options);
  }

  getInstance(instanceId: string): InstanceRecord | undefined {
    const rec = this.orchestrations.instances.get(instanceId);
    return rec ? clone(rec) : undefined;
  }

  listInstances(query: InstanceQuery = {}): InstancePage {
    const entities = query.includeEntities ? [...this.entityHost.entities.values()].map(entityRow) : [];
    return queryInstances([...this.orchestrations.instances.values(), ...entities], query);
  }

  /** 'ok' when termination was queued, 'gone' when already finished, 'notfound'. */
  terminate(instanceId: string, reason: string): Promise<'ok' | 'gone' | 'notfound'> {
    return this.orchestrations.enqueueEvent(instanceId, terminatedEvent(reason, iso(this.clock.now())));
  }

  raiseEvent(instanceId: string, eventName: string, data: unknown): Promise<'ok' | 'gone' | 'notfound'> {
    return this.orchestrations.enqueueEvent(
      instanceId,
      eventRaisedEvent(eventName, data, iso(this.clock.now())),
    );
  }

  /** Deletes a finished instance (running ones are kept, as the real purge API does). */
  purge(instanceId: string): Promise<number> {
    return this.orchestrations.purge(instanceId);
  }

  async purgeBy(query: Omit<InstanceQuery, 'top' | 'continuationToken'>): Promise<number> {
    const statuses = query.runtimeStatus && query.runtimeStatus.length > 0 ? query.runtimeStatus : undefined;
    const { instances } = this.listInstances({ ...query, runtimeStatus: statuses });
    let deleted = 0;
    for (const rec of instances) deleted += await this.purge(rec.instanceId);
    return deleted;
  }

  /** Resolves with the instance once it is Completed, Failed or Terminated. */
  waitForCompletion(instanceId: string, options: { timeoutMs?: number } = {}): Promise<InstanceRecord> {
    return waitForCompletion(
      this,
      () => this.orchestrations.instances.get(instanceId),
      instanceId,
      options.timeoutMs,
    );
  }

  signalEntity(name: string, key: string, operation: string, input?: unknown): Promise<void> {
    return signalEntity(this.entityHost, name, key, operation, input, iso(this.clock.now()));
  }

  readEntity(name: string, key: string): { exists: boolean; state: unknown } {
    return readEntity(this.entityHost, name, key);
  }

  listEntities(name?: string): EntityRecord[] {
    return listEntities(this.entityHost, name);
  }

  /** Earliest armed durable timer (diagnostics / tests). */
  nextTimerAt(): Date | undefined {
    return this.timers.nextAt();
  }
}
