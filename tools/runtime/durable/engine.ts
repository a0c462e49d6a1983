/**
 * The embedded durable engine: orchestration episodes, activities, durable timers and entities
 * over a file-backed task hub, following the Durable Functions extension's out-of-proc protocol
 * (see shim.ts for the action replay and retry semantics).
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
import type { Clock, ClockTimer } from '../clock';
import { VirtualClock } from '../clock';
import { invokeFunction } from '../invoke';
import type { Logger } from '../logger';
import type { FunctionRegistry, RegisteredFunction } from '../registry';
import { deterministicGuid, replayActions, topLevelActions } from './shim';
import { TaskHubStore } from './store';
import {
  EventType,
  isTerminal,
  parseSchedulerId,
  schedulerId,
  type EntityMessage,
  type EntityRecord,
  type EntityRequest,
  type HistoryEvent,
  type InstanceRecord,
  type RuntimeStatus,
} from './types';

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

export interface InstanceQuery {
  runtimeStatus?: RuntimeStatus[];
  createdTimeFrom?: Date;
  createdTimeTo?: Date;
  instanceIdPrefix?: string;
  top?: number;
  continuationToken?: string;
}

export interface InstancePage {
  instances: InstanceRecord[];
  continuationToken?: string;
}

export class InstanceExistsError extends Error {
  constructor(readonly instanceId: string) {
    super(`An Orchestration instance with the status Running already exists: ${instanceId}`);
    this.name = 'InstanceExistsError';
  }
}

export class UnknownFunctionError extends Error {}

interface ActivityJob {
  instanceId: string;
  executionId: string;
  taskId: number;
  name: string;
  input: string | null;
}

const OUT_OF_PROC_MARKER = '\n\n$OutOfProcData$:';

function iso(d: Date): string {
  return d.toISOString();
}

function clone<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

/** Serialises async work per key. */
class KeyedLock {
  private readonly tails = new Map<string, Promise<void>>();
  run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.tails.get(key) ?? Promise.resolve();
    const result = prev.then(fn, fn);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }
}

export class DurableEngine extends EventEmitter {
  readonly store: TaskHubStore;
  readonly registry: FunctionRegistry;
  readonly clock: Clock;
  readonly hubName: string;
  private readonly logger: Logger;
  private readonly maxConcurrentActivities: number;
  private readonly maxEntityBatch: number;
  private readonly autoAdvance: boolean;
  private readonly instances = new Map<string, InstanceRecord>();
  private readonly entities = new Map<string, EntityRecord>();
  private readonly lock = new KeyedLock();
  private readonly episodeQueued = new Set<string>();
  private readonly entityQueued = new Set<string>();
  private readonly activityQueue: ActivityJob[] = [];
  private readonly activityKeys = new Set<string>();
  private readonly timers = new Map<string, { fireAt: number; handle: ClockTimer }>();
  private runningActivities = 0;
  private busy = 0;
  private started = false;
  private stopped = false;
  private idleCheckScheduled = false;
  /** Peak number of activities running at once (diagnostics/tests). */
  peakActivities = 0;
  /** Replay cost, as the extension would pay it: episodes run and history events replayed by them. */
  episodes = 0;
  replayedEvents = 0;
  /** The longest history any one execution reached. */
  maxHistoryEvents = 0;

  constructor(options: EngineOptions) {
    super();
    this.setMaxListeners(0);
    this.registry = options.registry;
    this.clock = options.clock;
    this.logger = options.logger;
    this.hubName = options.hubName;
    this.store = new TaskHubStore(options.durableDir, options.hubName);
    this.maxConcurrentActivities = Math.max(1, options.maxConcurrentActivities ?? 10);
    this.maxEntityBatch = Math.max(1, options.maxEntityBatch ?? 50);
    this.autoAdvance = options.autoAdvance ?? options.clock instanceof VirtualClock;
  }

  // ------------------------------------------------------------------------------------------
  // lifecycle

  /** Loads the task hub and resumes every unfinished instance and entity from its state. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    await this.store.init();
    for (const rec of this.store.loadAllInstances()) this.instances.set(rec.instanceId, rec);
    for (const ent of this.store.loadAllEntities()) this.entities.set(ent.id, ent);
    for (const rec of this.instances.values()) {
      if (rec.outbox.length > 0) this.track(this.deliverOutbox(rec.instanceId));
      if (isTerminal(rec.status)) continue;
      if (rec.inbox.length > 0) this.scheduleEpisode(rec.instanceId);
      this.dispatchPendingWork(rec);
    }
    for (const ent of this.entities.values()) {
      if (ent.outbox.length > 0) this.track(this.deliverEntityOutbox(ent.id));
      if (ent.queue.length > 0) this.scheduleEntity(ent.id);
    }
    this.scheduleIdleCheck();
  }

  /** Stops arming timers and starting work; waits for running work to settle. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers.values()) t.handle.cancel();
    this.timers.clear();
    this.activityQueue.length = 0;
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
      .catch((err: unknown) => this.logger.log('error', `durable engine: ${errorText(err)}`, 'DurableTask'))
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
      if (!this.stopped && this.autoAdvance && this.clock instanceof VirtualClock && this.timers.size > 0) {
        const earliest = Math.min(...[...this.timers.values()].map((t) => t.fireAt));
        this.clock.advanceTo(new Date(earliest));
        if (this.busy !== 0) return;
      }
      this.emit('idle');
    });
  }

  // ------------------------------------------------------------------------------------------
  // client operations

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
      if (existing && !isTerminal(existing.status)) throw new InstanceExistsError(instanceId);
      if (existing) this.cancelTimersOf(instanceId);
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
        inbox: [this.executionStartedEvent(fn.name, instanceId, executionId, input, now)],
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
    let list = [...this.instances.values()];
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
    list.sort(
      (a, b) => a.createdTime.localeCompare(b.createdTime) || a.instanceId.localeCompare(b.instanceId),
    );
    const start = query.continuationToken
      ? Number(Buffer.from(query.continuationToken, 'base64').toString('utf8')) || 0
      : 0;
    const top = query.top && query.top > 0 ? query.top : list.length;
    const page = list.slice(start, start + top);
    const next =
      start + top < list.length ? Buffer.from(String(start + top), 'utf8').toString('base64') : undefined;
    return { instances: page.map(clone), continuationToken: next };
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

  // entities --------------------------------------------------------------------------------

  async signalEntity(name: string, key: string, operation: string, input?: unknown): Promise<void> {
    const target = schedulerId(name, key);
    const request: EntityRequest = {
      id: randomUUID(),
      name: operation,
      signal: true,
      input: input === undefined ? undefined : JSON.stringify(input),
      timestamp: iso(this.clock.now()),
    };
    await this.deliverToEntity({ target, request });
  }

  readEntity(name: string, key: string): { exists: boolean; state: unknown } {
    const ent = this.entities.get(schedulerId(name, key));
    if (!ent || !ent.exists || ent.state === null) return { exists: false, state: undefined };
    return { exists: true, state: JSON.parse(ent.state) as unknown };
  }

  listEntities(name?: string): EntityRecord[] {
    const wanted = name?.toLowerCase();
    return [...this.entities.values()]
      .filter((e) => (wanted === undefined || e.name === wanted) && e.exists)
      .sort((a, b) => a.id.localeCompare(b.id))
      .map(clone);
  }

  // ------------------------------------------------------------------------------------------
  // internals: events and episodes

  private executionStartedEvent(
    name: string,
    instanceId: string,
    executionId: string,
    input: string | null,
    timestamp: string,
  ): HistoryEvent {
    return {
      EventType: EventType.ExecutionStarted,
      EventId: -1,
      IsPlayed: false,
      Timestamp: timestamp,
      OrchestrationInstance: { InstanceId: instanceId, ExecutionId: executionId },
      ParentInstance: null,
      Name: name,
      Version: '',
      Input: input,
      Tags: null,
      Correlation: null,
      ScheduledStartTime: null,
      Generation: 0,
    };
  }

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

  private scheduleEpisode(instanceId: string): void {
    if (this.stopped || this.episodeQueued.has(instanceId)) return;
    this.episodeQueued.add(instanceId);
    this.track(
      new Promise<void>((resolve) => setImmediate(resolve)).then(() =>
        this.lock.run(instanceId, async () => {
          this.episodeQueued.delete(instanceId);
          if (this.stopped) return;
          await this.runEpisode(instanceId);
        }),
      ),
    );
  }

  private async runEpisode(instanceId: string): Promise<void> {
    const rec = this.instances.get(instanceId);
    if (!rec || isTerminal(rec.status) || rec.inbox.length === 0) return;
    const lastTs =
      rec.history.length > 0 ? Date.parse(rec.history[rec.history.length - 1]?.Timestamp ?? '') : 0;
    const now = new Date(Math.max(this.clock.now().getTime(), Number.isFinite(lastTs) ? lastTs : 0));
    const nowIso = iso(now);
    const inbox = rec.inbox;
    const started: HistoryEvent = {
      EventType: EventType.OrchestratorStarted,
      EventId: -1,
      IsPlayed: false,
      Timestamp: nowIso,
    };
    const completed = (): HistoryEvent => ({
      EventType: EventType.OrchestratorCompleted,
      EventId: -1,
      IsPlayed: false,
      Timestamp: iso(this.clock.now().getTime() < now.getTime() ? now : this.clock.now()),
    });

    const terminated = inbox.find((e) => e.EventType === EventType.ExecutionTerminated);
    if (terminated) {
      rec.history.push(
        started,
        { ...terminated, IsPlayed: false },
        this.executionCompleted('Terminated', terminated.Input ?? null, nowIso),
        completed(),
      );
      rec.inbox = [];
      rec.status = 'Terminated';
      rec.output = terminated.Input ?? null;
      await this.commit(rec);
      return;
    }

    const episodeHistory: HistoryEvent[] = [
      ...rec.history.map((e) => ({ ...e, IsPlayed: true })),
      started,
      ...inbox.map((e) => ({ ...e, IsPlayed: false })),
    ];
    const fn = this.registry.get(rec.name);
    let state: OrchestratorState | undefined;
    let failure: string | undefined;
    if (!fn || fn.triggerType.toLowerCase() !== 'orchestrationtrigger') {
      failure = `The function '${rec.name}' doesn't exist, is disabled, or is not an orchestrator function.`;
    } else {
      this.episodes++;
      this.replayedEvents += rec.history.length;
      const outcome = await this.invokeOrchestrator(fn, rec, episodeHistory);
      state = outcome.state;
      failure = outcome.unexpected;
    }

    const newHistory = [...rec.history, started, ...inbox.map((e) => ({ ...e, IsPlayed: false }))];
    rec.inbox = [];
    if (state?.customStatus !== undefined && state.customStatus !== null) {
      rec.customStatus = JSON.stringify(state.customStatus) ?? null;
    }
    if (rec.status === 'Pending') rec.status = 'Running';

    if (failure !== undefined || !state) {
      const message = failure ?? 'The orchestrator returned no state';
      rec.history = [
        ...newHistory,
        this.executionCompleted('Failed', JSON.stringify(message), nowIso, message),
        completed(),
      ];
      rec.status = 'Failed';
      rec.output = JSON.stringify(message);
      await this.commit(rec);
      return;
    }

    const shim = replayActions(episodeHistory, topLevelActions(state.actions), {
      instanceId: rec.instanceId,
      executionId: rec.executionId,
    });
    if (shim.nondeterminism) {
      rec.history = [
        ...newHistory,
        this.executionCompleted('Failed', JSON.stringify(shim.nondeterminism), nowIso, shim.nondeterminism),
        completed(),
      ];
      rec.status = 'Failed';
      rec.output = JSON.stringify(shim.nondeterminism);
      await this.commit(rec);
      return;
    }
    for (const name of shim.abandonedRetries) {
      this.logger.log(
        'warning',
        `${rec.instanceId}: retry timeout of '${name}' expired; the host schedules no final timer and the orchestrator waits forever`,
        'DurableTask',
      );
    }
    rec.history = [...newHistory, ...shim.newEvents];
    rec.outbox.push(...shim.messages);

    if (shim.resolved && state.error !== undefined && state.error !== null && state.error !== '') {
      const message = `Orchestrator function '${rec.name}' failed: ${String(state.error)}`;
      rec.history.push(
        this.executionCompleted('Failed', JSON.stringify(message), nowIso, message),
        completed(),
      );
      rec.status = 'Failed';
      rec.output = JSON.stringify(message);
    } else if (shim.resolved && state.isDone && shim.continueAsNew) {
      // DTF ContinueAsNew: this execution ends, a new one starts from a fresh history.
      const input = shim.continueAsNew.input;
      const executionId = randomUUID().replace(/-/g, '');
      this.cancelTimersOf(rec.instanceId);
      this.maxHistoryEvents = Math.max(this.maxHistoryEvents, rec.history.length);
      rec.executionId = executionId;
      rec.history = [];
      rec.input = input;
      rec.output = null;
      rec.status = 'Running';
      rec.createdTime = nowIso;
      rec.inbox = [this.executionStartedEvent(rec.name, rec.instanceId, executionId, input, nowIso)];
      await this.commit(rec);
      this.scheduleEpisode(rec.instanceId);
      return;
    } else if (shim.resolved && state.isDone) {
      const output = state.output === undefined ? null : (JSON.stringify(state.output) ?? null);
      rec.history.push(this.executionCompleted('Completed', output, nowIso), completed());
      rec.status = 'Completed';
      rec.output = output;
    } else {
      rec.history.push(completed());
    }
    await this.commit(rec);
  }

  private executionCompleted(
    status: string,
    result: string | null,
    timestamp: string,
    errorMessage?: string,
  ): HistoryEvent {
    const event: HistoryEvent = {
      EventType: EventType.ExecutionCompleted,
      EventId: -1,
      IsPlayed: false,
      Timestamp: timestamp,
      OrchestrationStatus: status,
      Result: result,
    };
    if (errorMessage !== undefined) {
      event.FailureDetails = {
        ErrorType: 'OrchestrationFailureException',
        ErrorMessage: errorMessage,
        StackTrace: null,
      };
    }
    return event;
  }

  /** Persists the record, then dispatches the work it implies. */
  private async commit(rec: InstanceRecord): Promise<void> {
    rec.lastUpdatedTime = iso(this.clock.now());
    this.maxHistoryEvents = Math.max(this.maxHistoryEvents, rec.history.length);
    await this.store.saveInstance(rec);
    this.emit('instance', clone(rec));
    if (rec.outbox.length > 0) this.track(this.deliverOutbox(rec.instanceId));
    if (isTerminal(rec.status)) {
      this.cancelTimersOf(rec.instanceId);
      if (rec.parent) this.track(this.answerParent(rec));
      this.logger.log('information', `${rec.instanceId} (${rec.name}) ${rec.status}`, 'DurableTask');
      return;
    }
    this.dispatchPendingWork(rec);
  }

  private async invokeOrchestrator(
    fn: RegisteredFunction,
    rec: InstanceRecord,
    history: HistoryEvent[],
  ): Promise<{ state?: OrchestratorState; unexpected?: string }> {
    const binding = clone({
      history,
      input: rec.input === null ? undefined : (JSON.parse(rec.input) as unknown),
      instanceId: rec.instanceId,
      isReplaying: rec.history.length > 0,
      parentInstanceId: null,
      upperSchemaVersion: 1,
      upperSchemaVersionNew: 2,
      longRunningTimerIntervalDuration: '3.00:00:00',
      maximumShortTimerDuration: '6.00:00:00',
      defaultHttpAsyncRequestSleepTimeMillseconds: 30000,
    });
    try {
      const { result } = await invokeFunction(fn, binding, {
        logger: this.logger,
        triggerMetadata: { instanceId: rec.instanceId },
      });
      return { state: clone(result) as OrchestratorState };
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const at = message.lastIndexOf(OUT_OF_PROC_MARKER);
      if (at >= 0) {
        try {
          return { state: JSON.parse(message.slice(at + OUT_OF_PROC_MARKER.length)) as OrchestratorState };
        } catch {
          // fall through: report the raw error
        }
      }
      return { unexpected: `Orchestrator function '${rec.name}' failed: ${message}` };
    }
  }

  // ------------------------------------------------------------------------------------------
  // internals: pending work (derived from history)

  private dispatchPendingWork(rec: InstanceRecord): void {
    if (this.stopped || isTerminal(rec.status)) return;
    const completedTasks = new Set<number>();
    const firedTimers = new Set<number>();
    for (const e of [...rec.history, ...rec.inbox]) {
      if (isTaskResult(e)) completedTasks.add(e.TaskScheduledId ?? -1);
      if (e.EventType === EventType.TimerFired) firedTimers.add(e.TimerId ?? -1);
    }
    for (const e of rec.history) {
      if (e.EventType === EventType.TaskScheduled && !completedTasks.has(e.EventId)) {
        this.enqueueActivity({
          instanceId: rec.instanceId,
          executionId: rec.executionId,
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
        this.armTimer(rec.instanceId, rec.executionId, e.EventId, e.FireAt ?? e.Timestamp);
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
      const reason = err instanceof Error ? err.message : String(err);
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

  private armTimer(instanceId: string, executionId: string, timerId: number, fireAtIso: string): void {
    const key = `${instanceId}\u0000${executionId}\u0000${timerId}`;
    if (this.timers.has(key) || this.stopped) return;
    const fireAt = new Date(fireAtIso);
    const handle = this.clock.setTimer(fireAt, () => {
      this.timers.delete(key);
      this.track(
        this.deliverCompletion(instanceId, executionId, {
          EventType: EventType.TimerFired,
          EventId: -1,
          IsPlayed: false,
          Timestamp: iso(this.clock.now()),
          TimerId: timerId,
          FireAt: fireAtIso,
        }),
      );
    });
    this.timers.set(key, { fireAt: fireAt.getTime(), handle });
  }

  private cancelTimersOf(instanceId: string): void {
    for (const [key, t] of this.timers) {
      if (key.startsWith(`${instanceId}\u0000`)) {
        t.handle.cancel();
        this.timers.delete(key);
      }
    }
  }

  /** Earliest armed durable timer (diagnostics / tests). */
  nextTimerAt(): Date | undefined {
    if (this.timers.size === 0) return undefined;
    return new Date(Math.min(...[...this.timers.values()].map((t) => t.fireAt)));
  }

  private enqueueActivity(job: ActivityJob): void {
    const key = `${job.instanceId}\u0000${job.executionId}\u0000${job.taskId}`;
    if (this.activityKeys.has(key)) return;
    this.activityKeys.add(key);
    this.activityQueue.push(job);
    this.busy++;
    this.pumpActivities();
  }

  private pumpActivities(): void {
    while (
      !this.stopped &&
      this.runningActivities < this.maxConcurrentActivities &&
      this.activityQueue.length > 0
    ) {
      const job = this.activityQueue.shift() as ActivityJob;
      this.runningActivities++;
      this.peakActivities = Math.max(this.peakActivities, this.runningActivities);
      void this.runActivity(job).finally(() => {
        this.runningActivities--;
        this.activityKeys.delete(`${job.instanceId}\u0000${job.executionId}\u0000${job.taskId}`);
        this.busy--;
        this.pumpActivities();
        if (this.busy === 0) this.scheduleIdleCheck();
      });
    }
    if (this.stopped && this.activityQueue.length > 0) {
      const dropped = this.activityQueue.splice(0);
      for (const job of dropped)
        this.activityKeys.delete(`${job.instanceId}\u0000${job.executionId}\u0000${job.taskId}`);
      this.busy -= dropped.length;
      if (this.busy === 0) this.scheduleIdleCheck();
    }
  }

  private async runActivity(job: ActivityJob): Promise<void> {
    const fn = this.registry.get(job.name);
    let event: HistoryEvent;
    if (!fn || fn.triggerType.toLowerCase() !== 'activitytrigger') {
      const reason = `The activity function '${job.name}' doesn't exist.`;
      event = this.taskFailed(job.taskId, reason, reason);
    } else {
      try {
        const input = job.input === null ? undefined : (JSON.parse(job.input) as unknown);
        const { result } = await invokeFunction(fn, input, {
          logger: this.logger,
          triggerMetadata: { instanceId: job.instanceId },
        });
        event = {
          EventType: EventType.TaskCompleted,
          EventId: -1,
          IsPlayed: false,
          Timestamp: iso(this.clock.now()),
          TaskScheduledId: job.taskId,
          Result: result === undefined ? 'null' : (JSON.stringify(result) ?? 'null'),
        };
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        const details = err instanceof Error && err.stack ? err.stack : message;
        event = this.taskFailed(job.taskId, `Activity function '${fn.name}' failed: ${message}`, details);
      }
    }
    await this.deliverCompletion(job.instanceId, job.executionId, event);
  }

  private taskFailed(taskId: number, reason: string, details: string): HistoryEvent {
    return {
      EventType: EventType.TaskFailed,
      EventId: -1,
      IsPlayed: false,
      Timestamp: iso(this.clock.now()),
      TaskScheduledId: taskId,
      Reason: reason,
      Details: details,
    };
  }

  // ------------------------------------------------------------------------------------------
  // internals: entities

  private async deliverOutbox(instanceId: string): Promise<void> {
    const rec = this.instances.get(instanceId);
    if (!rec || rec.outbox.length === 0) return;
    const messages = [...rec.outbox];
    for (const message of messages) await this.deliverToEntity(message);
    await this.lock.run(instanceId, async () => {
      const current = this.instances.get(instanceId);
      if (!current) return;
      current.outbox = current.outbox.filter((m) => !messages.includes(m));
      await this.store.saveInstance(current);
    });
  }

  private async deliverEntityOutbox(entityId: string): Promise<void> {
    const ent = this.entities.get(entityId);
    if (!ent || ent.outbox.length === 0) return;
    const messages = [...ent.outbox];
    for (const message of messages) await this.deliverToEntity(message);
    await this.lock.run(`entity:${entityId}`, async () => {
      const current = this.entities.get(entityId);
      if (!current) return;
      current.outbox = current.outbox.filter((m) => !messages.includes(m));
      await this.store.saveEntity(current);
    });
  }

  private async deliverToEntity(message: EntityMessage): Promise<void> {
    const id = message.target;
    await this.lock.run(`entity:${id}`, async () => {
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
          lastModifiedTime: iso(this.clock.now()),
        };
        this.entities.set(id, ent);
      }
      if (ent.recent.includes(message.request.id) || ent.queue.some((r) => r.id === message.request.id))
        return;
      ent.queue.push(message.request);
      ent.recent.push(message.request.id);
      if (ent.recent.length > 1000) ent.recent.splice(0, ent.recent.length - 1000);
      await this.store.saveEntity(ent);
    });
    this.scheduleEntity(id);
  }

  private scheduleEntity(entityId: string): void {
    if (this.stopped || this.entityQueued.has(entityId)) return;
    this.entityQueued.add(entityId);
    this.track(
      new Promise<void>((resolve) => setImmediate(resolve)).then(() =>
        this.lock.run(`entity:${entityId}`, async () => {
          this.entityQueued.delete(entityId);
          if (this.stopped) return;
          await this.runEntityBatch(entityId);
        }),
      ),
    );
  }

  private async runEntityBatch(entityId: string): Promise<void> {
    const ent = this.entities.get(entityId);
    if (!ent || ent.queue.length === 0) return;
    const batch = ent.queue.slice(0, this.maxEntityBatch);
    const fn = this.registry.get(ent.name);
    let result: EntityBatchResult;
    if (!fn || fn.triggerType.toLowerCase() !== 'entitytrigger') {
      const msg = JSON.stringify({ message: `The entity function '${ent.name}' doesn't exist.` });
      result = {
        entityExists: ent.exists,
        entityState: ent.state ?? undefined,
        results: batch.map(() => ({ isError: true, result: msg })),
        signals: [],
      };
    } else {
      const input = clone({
        self: { name: ent.name, key: ent.key },
        state: ent.state ?? undefined,
        exists: ent.exists,
        batch: batch.map((r) => ({ id: r.id, name: r.name, signal: r.signal, input: r.input })),
      });
      try {
        const { result: raw } = await invokeFunction(fn, input, { logger: this.logger });
        result = clone(raw) as EntityBatchResult;
      } catch (err) {
        // The whole batch failed (the SDK catches operation errors itself): report each operation.
        const msg = JSON.stringify({ message: errorText(err) });
        result = {
          entityExists: ent.exists,
          entityState: ent.state ?? undefined,
          results: batch.map(() => ({ isError: true, result: msg })),
          signals: [],
        };
      }
    }
    ent.queue = ent.queue.slice(batch.length);
    ent.exists = result.entityExists === true;
    ent.state = ent.exists ? (result.entityState ?? null) : null;
    ent.lastModifiedTime = iso(this.clock.now());
    const now = iso(this.clock.now());
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
    await this.store.saveEntity(ent);
    this.emit('entity', clone(ent));
    if (ent.outbox.length > 0) this.track(this.deliverEntityOutbox(ent.id));
    for (const r of responses) {
      this.track(this.deliverResponse(r.instanceId, r.executionId, r.event));
    }
    if (ent.queue.length > 0) this.scheduleEntity(entityId);
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
}

interface OrchestratorState {
  isDone: boolean;
  actions: unknown;
  output?: unknown;
  error?: string;
  customStatus?: unknown;
  schemaVersion?: number;
}

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

function isTaskResult(e: HistoryEvent): boolean {
  return (
    e.EventType === EventType.TaskCompleted ||
    e.EventType === EventType.TaskFailed ||
    e.EventType === EventType.SubOrchestrationInstanceCompleted ||
    e.EventType === EventType.SubOrchestrationInstanceFailed
  );
}

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
