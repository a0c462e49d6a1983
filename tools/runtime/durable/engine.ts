/**
 * The embedded durable engine: orchestration episodes (episode.ts), the activity pool
 * (activityPool.ts), durable timers (timers.ts) and entities (entities.ts) over a file-backed
 * task hub, following the Durable Functions extension's out-of-proc protocol (see shim.ts for
 * the action replay and retry semantics). This file holds the lifecycle, the client operations
 * and the glue.
 *
 * Durability rules:
 * - an instance's state (history, inbox of received-but-unprocessed events, entity outbox) is
 *   one file, replaced atomically; an activity result or fired timer is appended to the inbox and
 *   persisted before the orchestration sees it;
 * - pending work is derived from the persisted history: a TaskScheduled without completion is
 *   (re-)run, a TimerCreated without TimerFired is (re-)armed, an inbox is (re-)processed and an
 *   outbox is (re-)delivered (entities de-duplicate re-delivered requests by id).
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { errorMessage } from '../../../shared/errors';
import type { Clock } from '../clock';
import { VirtualClock } from '../clock';
import type { Logger } from '../logger';
import type { FunctionRegistry } from '../registry';
import { ActivityPool } from './activityPool';
import { EntityHost } from './entities';
import { runEpisode } from './episode';
import { executionStartedEvent } from './events';
import { entityRow, queryInstances, type InstancePage, type InstanceQuery } from './queries';
import { TaskHubStore } from './store';
import { DurableTimers } from './timers';
import {
  EventType,
  isTerminal,
  schedulerId,
  type EntityRecord,
  type EntityRequest,
  type HistoryEvent,
  type InstanceRecord,
  type RuntimeStatus,
} from './types';
import { clone, iso, KeyedLock } from './util';

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

export interface StartOptions {
  instanceId?: string;
  input?: unknown;
  parent?: InstanceRecord['parent'];
}

export class InstanceExistsError extends Error {
  constructor(
    readonly instanceId: string,
    readonly status: RuntimeStatus = 'Running',
  ) {
    super(`An Orchestration instance with the status ${status} already exists: ${instanceId}`);
    this.name = 'InstanceExistsError';
  }
}

export class UnknownFunctionError extends Error {}

export class DurableEngine extends EventEmitter {
  readonly store: TaskHubStore;
  readonly registry: FunctionRegistry;
  readonly clock: Clock;
  readonly hubName: string;
  private readonly logger: Logger;
  private readonly autoAdvance: boolean;
  private readonly instances = new Map<string, InstanceRecord>();
  private readonly lock = new KeyedLock();
  private readonly episodeQueued = new Set<string>();
  private readonly timers: DurableTimers;
  private readonly activities: ActivityPool;
  private readonly entityHost: EntityHost;
  private busy = 0;
  private started = false;
  private stopped = false;
  private idleCheckScheduled = false;

  constructor(options: EngineOptions) {
    super();
    this.setMaxListeners(0);
    this.registry = options.registry;
    this.clock = options.clock;
    this.logger = options.logger;
    this.hubName = options.hubName;
    this.store = new TaskHubStore(options.durableDir, options.hubName);
    this.autoAdvance = options.autoAdvance ?? options.clock instanceof VirtualClock;
    this.timers = new DurableTimers(this.clock);
    this.activities = new ActivityPool({
      registry: this.registry,
      clock: this.clock,
      logger: this.logger,
      max: Math.max(1, options.maxConcurrentActivities ?? 10),
      deliver: (job, event) => this.deliverCompletion(job.instanceId, job.executionId, event),
      begin: () => void this.busy++,
      end: (count = 1) => {
        this.busy -= count;
        if (this.busy === 0) this.scheduleIdleCheck();
      },
      stopped: () => this.stopped,
    });
    this.entityHost = new EntityHost({
      registry: this.registry,
      clock: this.clock,
      logger: this.logger,
      store: this.store,
      lock: this.lock,
      maxBatch: Math.max(1, options.maxEntityBatch ?? 50),
      track: (p) => this.track(p),
      stopped: () => this.stopped,
      changed: (ent) => this.emit('entity', clone(ent)),
      respond: (instanceId, executionId, event) => this.deliverResponse(instanceId, executionId, event),
    });
  }

  /** Replay cost, as the extension would pay it: episodes run and history events replayed by them. */
  episodes = 0;
  replayedEvents = 0;
  /** The longest history any one execution reached. */
  maxHistoryEvents = 0;

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
    for (const rec of this.store.loadAllInstances()) this.instances.set(rec.instanceId, rec);
    for (const ent of this.store.loadAllEntities()) this.entityHost.entities.set(ent.id, ent);
    for (const rec of this.instances.values()) {
      if (rec.outbox.length > 0) this.track(this.deliverOutbox(rec.instanceId));
      if (isTerminal(rec.status)) continue;
      if (rec.inbox.length > 0) this.scheduleEpisode(rec.instanceId);
      this.dispatchPendingWork(rec);
    }
    this.entityHost.resume();
    this.scheduleIdleCheck();
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
    if (this.busy === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const check = (): void => {
        if (this.busy === 0) {
          this.off('idle', check);
          resolve();
        }
      };
      this.on('idle', check);
    });
  }

  private track(p: Promise<unknown>): void {
    this.busy++;
    void p
      .catch((err: unknown) =>
        this.logger.log('error', `durable engine: ${errorMessage(err)}`, 'DurableTask'),
      )
      .finally(() => {
        this.busy--;
        if (this.busy === 0) this.scheduleIdleCheck();
      });
  }

  private scheduleIdleCheck(): void {
    if (this.idleCheckScheduled) return;
    this.idleCheckScheduled = true;
    setImmediate(() => {
      this.idleCheckScheduled = false;
      if (this.busy !== 0) return;
      const earliest = this.timers.nextAt();
      if (!this.stopped && this.autoAdvance && this.clock instanceof VirtualClock && earliest) {
        this.clock.advanceTo(earliest);
        if (this.busy !== 0) return;
      }
      this.emit('idle');
    });
  }

  // client operations ------------------------------------------------------------------------

  async startNew(name: string, options: StartOptions = {}): Promise<InstanceRecord> {
    const fn = this.registry.get(name);
    if (!fn || fn.triggerType.toLowerCase() !== 'orchestrationtrigger') {
      throw new UnknownFunctionError(
        `The function '${name}' doesn't exist, is disabled, or is not an orchestrator function.`,
      );
    }
    const instanceId = options.instanceId ?? randomUUID().replace(/-/g, '');
    return this.lock.run(instanceId, async () => {
      const existing = this.instances.get(instanceId);
      if (existing && !isTerminal(existing.status))
        throw new InstanceExistsError(instanceId, existing.status);
      if (existing) this.timers.cancelOf(instanceId);
      const now = iso(this.clock.now());
      const executionId = randomUUID().replace(/-/g, '');
      const input = options.input === undefined ? null : (JSON.stringify(options.input) ?? null);
      const rec: InstanceRecord = {
        instanceId,
        name: fn.name,
        executionId,
        status: 'Pending',
        input,
        output: null,
        customStatus: null,
        createdTime: now,
        lastUpdatedTime: now,
        history: [],
        inbox: [executionStartedEvent(fn.name, instanceId, executionId, input, now)],
        outbox: [],
        ...(options.parent ? { parent: options.parent } : {}),
      };
      await this.store.saveInstance(rec);
      this.instances.set(instanceId, rec);
      this.scheduleEpisode(instanceId);
      this.emit('instance', clone(rec));
      return clone(rec);
    });
  }

  getInstance(instanceId: string): InstanceRecord | undefined {
    const rec = this.instances.get(instanceId);
    return rec ? clone(rec) : undefined;
  }

  listInstances(query: InstanceQuery = {}): InstancePage {
    const entities = query.includeEntities ? [...this.entityHost.entities.values()].map(entityRow) : [];
    return queryInstances([...this.instances.values(), ...entities], query);
  }

  /** 'ok' when termination was queued, 'gone' when already finished, 'notfound'. */
  async terminate(instanceId: string, reason: string): Promise<'ok' | 'gone' | 'notfound'> {
    return this.enqueueEvent(instanceId, {
      EventType: EventType.ExecutionTerminated,
      EventId: -1,
      IsPlayed: false,
      Timestamp: iso(this.clock.now()),
      Input: JSON.stringify(reason),
    });
  }

  async raiseEvent(
    instanceId: string,
    eventName: string,
    data: unknown,
  ): Promise<'ok' | 'gone' | 'notfound'> {
    return this.enqueueEvent(instanceId, {
      EventType: EventType.EventRaised,
      EventId: -1,
      IsPlayed: false,
      Timestamp: iso(this.clock.now()),
      Name: eventName,
      Input: data === undefined ? null : (JSON.stringify(data) ?? null),
    });
  }

  /** Deletes a finished instance (running ones are kept, as the real purge API does). */
  async purge(instanceId: string): Promise<number> {
    return this.lock.run(instanceId, async () => {
      const rec = this.instances.get(instanceId);
      if (!rec || !isTerminal(rec.status)) return 0;
      await this.store.deleteInstance(instanceId);
      this.instances.delete(instanceId);
      return 1;
    });
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
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const check = (): boolean => {
        const rec = this.instances.get(instanceId);
        if (rec && isTerminal(rec.status)) {
          this.off('instance', onChange);
          if (timer) clearTimeout(timer);
          resolve(clone(rec));
          return true;
        }
        return false;
      };
      const onChange = (rec: InstanceRecord): void => {
        if (rec.instanceId === instanceId) check();
      };
      this.on('instance', onChange);
      if (check()) return;
      if (options.timeoutMs !== undefined) {
        timer = setTimeout(() => {
          this.off('instance', onChange);
          reject(new Error(`Instance ${instanceId} did not finish within ${options.timeoutMs} ms`));
        }, options.timeoutMs);
      }
    });
  }

  async signalEntity(name: string, key: string, operation: string, input?: unknown): Promise<void> {
    const request: EntityRequest = {
      id: randomUUID(),
      name: operation,
      signal: true,
      input: input === undefined ? undefined : JSON.stringify(input),
      timestamp: iso(this.clock.now()),
    };
    await this.entityHost.deliver({ target: schedulerId(name, key), request });
  }

  readEntity(name: string, key: string): { exists: boolean; state: unknown } {
    const ent = this.entityHost.entities.get(schedulerId(name, key));
    if (!ent || !ent.exists || ent.state === null) return { exists: false, state: undefined };
    return { exists: true, state: JSON.parse(ent.state) as unknown };
  }

  listEntities(name?: string): EntityRecord[] {
    const wanted = name?.toLowerCase();
    return [...this.entityHost.entities.values()]
      .filter((e) => (wanted === undefined || e.name === wanted) && e.exists)
      .sort((a, b) => a.id.localeCompare(b.id))
      .map(clone);
  }

  /** Earliest armed durable timer (diagnostics / tests). */
  nextTimerAt(): Date | undefined {
    return this.timers.nextAt();
  }

  // glue: inbox, episodes, pending work --------------------------------------------------------

  private async enqueueEvent(instanceId: string, event: HistoryEvent): Promise<'ok' | 'gone' | 'notfound'> {
    return this.lock.run(instanceId, async () => {
      const rec = this.instances.get(instanceId);
      if (!rec) return 'notfound';
      if (isTerminal(rec.status)) return 'gone';
      rec.inbox.push(event);
      await this.store.saveInstance(rec);
      this.scheduleEpisode(instanceId);
      return 'ok';
    });
  }

  /** Appends a completion for the given execution, persisted before it counts. */
  private async deliverCompletion(
    instanceId: string,
    executionId: string,
    event: HistoryEvent,
  ): Promise<void> {
    await this.lock.run(instanceId, async () => {
      const rec = this.instances.get(instanceId);
      if (!rec || rec.executionId !== executionId || isTerminal(rec.status)) return;
      const sameTarget = (e: HistoryEvent): boolean =>
        e.EventType === event.EventType &&
        (event.EventType === EventType.TimerFired
          ? e.TimerId === event.TimerId
          : e.TaskScheduledId === event.TaskScheduledId);
      const completesTask = (e: HistoryEvent): boolean =>
        event.EventType === EventType.TimerFired
          ? e.EventType === EventType.TimerFired && e.TimerId === event.TimerId
          : isTaskResult(e) && e.TaskScheduledId === event.TaskScheduledId;
      if (rec.history.some(completesTask) || rec.inbox.some(sameTarget) || rec.inbox.some(completesTask))
        return;
      rec.inbox.push(event);
      await this.store.saveInstance(rec);
      this.scheduleEpisode(instanceId);
    });
  }

  private async deliverResponse(
    instanceId: string,
    executionId: string | undefined,
    event: HistoryEvent,
  ): Promise<void> {
    await this.lock.run(instanceId, async () => {
      const rec = this.instances.get(instanceId);
      if (!rec || isTerminal(rec.status) || (executionId && rec.executionId !== executionId)) return;
      if (
        [...rec.history, ...rec.inbox].some(
          (e) => e.EventType === EventType.EventRaised && e.Name === event.Name,
        )
      )
        return;
      rec.inbox.push(event);
      await this.store.saveInstance(rec);
      this.scheduleEpisode(instanceId);
    });
  }

  private async deliverOutbox(instanceId: string): Promise<void> {
    const rec = this.instances.get(instanceId);
    if (!rec || rec.outbox.length === 0) return;
    const messages = [...rec.outbox];
    for (const message of messages) await this.entityHost.deliver(message);
    await this.lock.run(instanceId, async () => {
      const current = this.instances.get(instanceId);
      if (!current) return;
      current.outbox = current.outbox.filter((m) => !messages.includes(m));
      await this.store.saveInstance(current);
    });
  }

  private scheduleEpisode(instanceId: string): void {
    if (this.stopped || this.episodeQueued.has(instanceId)) return;
    this.episodeQueued.add(instanceId);
    this.track(
      new Promise<void>((resolve) => setImmediate(resolve)).then(() =>
        this.lock.run(instanceId, async () => {
          this.episodeQueued.delete(instanceId);
          if (this.stopped) return;
          const rec = this.instances.get(instanceId);
          if (!rec || isTerminal(rec.status) || rec.status === 'Suspended' || rec.inbox.length === 0) return;
          this.episodes++;
          this.replayedEvents += rec.history.length;
          const rerun = await runEpisode(rec, {
            registry: this.registry,
            logger: this.logger,
            clock: this.clock,
            cancelTimersOf: (id) => this.timers.cancelOf(id),
            observeHistory: (n) => (this.maxHistoryEvents = Math.max(this.maxHistoryEvents, n)),
          });
          await this.commit(rec);
          if (rerun) this.scheduleEpisode(rec.instanceId);
        }),
      ),
    );
  }

  /** Persists the record, then dispatches the work it implies. */
  private async commit(rec: InstanceRecord): Promise<void> {
    rec.lastUpdatedTime = iso(this.clock.now());
    this.maxHistoryEvents = Math.max(this.maxHistoryEvents, rec.history.length);
    await this.store.saveInstance(rec);
    this.emit('instance', clone(rec));
    if (rec.outbox.length > 0) this.track(this.deliverOutbox(rec.instanceId));
    if (isTerminal(rec.status)) {
      this.timers.cancelOf(rec.instanceId);
      if (rec.parent) this.track(this.answerParent(rec));
      this.logger.log('information', `${rec.instanceId} (${rec.name}) ${rec.status}`, 'DurableTask');
      return;
    }
    this.dispatchPendingWork(rec);
  }

  private dispatchPendingWork(rec: InstanceRecord): void {
    if (this.stopped || isTerminal(rec.status)) return;
    const completedTasks = new Set<number>();
    const firedTimers = new Set<number>();
    for (const e of [...rec.history, ...rec.inbox]) {
      if (isTaskResult(e)) completedTasks.add(e.TaskScheduledId ?? -1);
      if (e.EventType === EventType.TimerFired) firedTimers.add(e.TimerId ?? -1);
    }
    const { instanceId, executionId } = rec;
    for (const e of rec.history) {
      if (e.EventType === EventType.TaskScheduled && !completedTasks.has(e.EventId)) {
        this.activities.enqueue({
          instanceId,
          executionId,
          taskId: e.EventId,
          name: e.Name ?? '',
          input: e.Input ?? null,
        });
      } else if (
        e.EventType === EventType.SubOrchestrationInstanceCreated &&
        !completedTasks.has(e.EventId)
      ) {
        this.track(this.startChild(rec, e));
      } else if (e.EventType === EventType.TimerCreated && !firedTimers.has(e.EventId)) {
        const fireAtIso = e.FireAt ?? e.Timestamp;
        const timerId = e.EventId;
        this.timers.arm(instanceId, executionId, timerId, new Date(fireAtIso), () =>
          this.track(
            this.deliverCompletion(instanceId, executionId, {
              EventType: EventType.TimerFired,
              EventId: -1,
              IsPlayed: false,
              Timestamp: iso(this.clock.now()),
              TimerId: timerId,
              FireAt: fireAtIso,
            }),
          ),
        );
      }
    }
  }

  /** Starts a sub-orchestration once; a child already finished (crash in between) answers again. */
  private async startChild(parent: InstanceRecord, created: HistoryEvent): Promise<void> {
    const childId = created.InstanceId ?? '';
    const link = { instanceId: parent.instanceId, executionId: parent.executionId, taskId: created.EventId };
    const child = this.instances.get(childId);
    if (child?.parent?.executionId === link.executionId && child.parent.taskId === link.taskId) {
      if (isTerminal(child.status)) await this.answerParent(child);
      return;
    }
    try {
      await this.startNew(created.Name ?? '', {
        instanceId: childId,
        input: created.Input == null ? undefined : (JSON.parse(created.Input) as unknown),
        parent: link,
      });
    } catch (err) {
      const reason = errorMessage(err);
      await this.deliverCompletion(link.instanceId, link.executionId, {
        EventType: EventType.SubOrchestrationInstanceFailed,
        EventId: -1,
        IsPlayed: false,
        Timestamp: iso(this.clock.now()),
        TaskScheduledId: link.taskId,
        Reason: reason,
        Details: reason,
      });
    }
  }

  private async answerParent(child: InstanceRecord): Promise<void> {
    const link = child.parent;
    if (!link) return;
    const ok = child.status === 'Completed';
    const failure = child.output === null ? '' : String(JSON.parse(child.output) as unknown);
    await this.deliverCompletion(link.instanceId, link.executionId, {
      EventType: ok ? EventType.SubOrchestrationInstanceCompleted : EventType.SubOrchestrationInstanceFailed,
      EventId: -1,
      IsPlayed: false,
      Timestamp: iso(this.clock.now()),
      TaskScheduledId: link.taskId,
      ...(ok ? { Result: child.output ?? 'null' } : { Reason: failure, Details: failure }),
    });
  }
}

function isTaskResult(e: HistoryEvent): boolean {
  return (
    e.EventType === EventType.TaskCompleted ||
    e.EventType === EventType.TaskFailed ||
    e.EventType === EventType.SubOrchestrationInstanceCompleted ||
    e.EventType === EventType.SubOrchestrationInstanceFailed
  );
}
