/**
 * Orchestration instances: creation, the inbox (events waiting for an episode), episodes,
 * commits and the work a committed history implies (activities, timers, sub-orchestrations,
 * entity messages).
 *
 * Durability rules:
 * - an instance's state (history, inbox of received-but-unprocessed events, entity outbox) is
 *   one file, replaced atomically; an activity result, fired timer or child's answer is appended
 *   to the inbox and saved by the commit of the episode that consumes it (work the saved history
 *   re-derives, below); raised events and entity responses are saved before an episode sees them;
 * - pending work is derived from the persisted history (pendingWork.ts): a TaskScheduled without
 *   completion is (re-)run, a TimerCreated without TimerFired is (re-)armed, an inbox is
 *   (re-)processed and an outbox is (re-)delivered (entities de-duplicate re-delivered requests by id).
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock';
import type { Logger } from '../logger';
import type { FunctionRegistry } from '../registry';
import type { ActivityJob } from './activityPool';
import { InstanceExistsError, UnknownFunctionError } from './engineErrors';
import { timerFiredEvent } from './events';
import { newInstance } from './newInstance';
import { runEpisode } from './episode';
import type { StartOptions } from './newInstance';
import { alreadyDelivered, othersPending, pendingWork } from './pendingWork';
import type { TaskHubStore } from './store';
import { answerParent, startChild, type ChildContext } from './subOrchestrations';
import type { DurableTimers } from './timers';
import { EventType, isTerminal, type EntityMessage, type HistoryEvent, type InstanceRecord } from './types';
import { clone, iso, type KeyedLock } from './util';

export type { StartOptions } from './newInstance';

export interface OrchestrationsOptions {
  registry: FunctionRegistry;
  clock: Clock;
  logger: Logger;
  store: TaskHubStore;
  lock: KeyedLock;
  timers: DurableTimers;
  enqueueActivity(job: ActivityJob): void;
  deliverToEntity(message: EntityMessage): Promise<void>;
  track(p: Promise<unknown>): void;
  stopped(): boolean;
  /**
   * An instance was created or committed. The record is the live one, not a copy (copying each
   * commit took about 50 ms of a 30-day backfill's CPU): read it during the call, never keep it.
   */
  changed(rec: Readonly<InstanceRecord>): void;
}

/**
 * How long an answer waits for others while its instance has more tasks out (othersPending)
 * before its episode runs. The extension dequeues control-queue messages in batches
 * (`controlQueueBatchSize`, 32 by default) and an instance's messages in one batch make one
 * episode; without a window, two answers a millisecond apart made two episodes, and a scheduled
 * run 26 history events instead of 22 (`npm run bench`, section 4).
 */
export const EPISODE_GATHER_MS = 4;

export class Orchestrations {
  readonly instances = new Map<string, InstanceRecord>();
  private readonly lock: KeyedLock;
  private readonly episodeQueued = new Set<string>();
  /** Replay cost, as the extension would pay it: episodes run and history events replayed by them. */
  episodes = 0;
  replayedEvents = 0;
  /** The longest history any one execution reached. */
  maxHistoryEvents = 0;

  private readonly children: ChildContext;

  constructor(private readonly o: OrchestrationsOptions) {
    this.lock = o.lock;
    this.children = {
      get: (id) => this.instances.get(id),
      create: (name, options) => this.create(name, options),
      deliver: (instanceId, executionId, event) => this.deliverCompletion(instanceId, executionId, event),
      now: () => iso(this.o.clock.now()),
    };
  }

  /** Creates (or overwrites a finished) instance and schedules its first episode. */
  async create(name: string, options: StartOptions = {}): Promise<InstanceRecord> {
    const fn = this.o.registry.get(name);
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
      if (existing) this.o.timers.cancelOf(instanceId);
      const rec = newInstance(fn.name, instanceId, options, iso(this.o.clock.now()));
      await this.o.store.saveInstance(rec);
      this.instances.set(instanceId, rec);
      this.scheduleEpisode(instanceId);
      this.o.changed(rec);
      return clone(rec);
    });
  }

  /** Deletes a finished instance (running ones are kept, as the real purge API does). */
  async purge(instanceId: string): Promise<number> {
    return this.lock.run(instanceId, async () => {
      const rec = this.instances.get(instanceId);
      if (!rec || !isTerminal(rec.status)) return 0;
      await this.o.store.deleteInstance(instanceId);
      this.instances.delete(instanceId);
      return 1;
    });
  }

  async enqueueEvent(instanceId: string, event: HistoryEvent): Promise<'ok' | 'gone' | 'notfound'> {
    return this.lock.run(instanceId, async () => {
      const rec = this.instances.get(instanceId);
      if (!rec) return 'notfound';
      if (isTerminal(rec.status)) return 'gone';
      rec.inbox.push(event);
      await this.o.store.saveInstance(rec);
      this.scheduleEpisode(instanceId);
      return 'ok';
    });
  }

  /**
   * Appends a completion (an activity's result, a fired timer, a child's answer) for the given
   * execution. The episode that consumes it saves it with its own commit: a crash before that
   * loses only what the saved history gives back (the activity runs again, the timer is armed
   * again, a finished child answers again), and each step of an orchestration costs one write
   * instead of two.
   */
  async deliverCompletion(instanceId: string, executionId: string, event: HistoryEvent): Promise<void> {
    // In the instance's lock: an episode under way sees the inbox before or after, never during.
    await this.lock.run(instanceId, () => {
      const rec = this.instances.get(instanceId);
      if (
        rec &&
        rec.executionId === executionId &&
        !isTerminal(rec.status) &&
        !alreadyDelivered(rec, event)
      ) {
        rec.inbox.push(event);
        this.scheduleEpisode(instanceId, othersPending(rec, event) ? EPISODE_GATHER_MS : 0);
      }
      return Promise.resolve();
    });
  }

  async deliverResponse(
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
      await this.o.store.saveInstance(rec);
      this.scheduleEpisode(instanceId);
    });
  }

  async deliverOutbox(instanceId: string): Promise<void> {
    const rec = this.instances.get(instanceId);
    if (!rec || rec.outbox.length === 0) return;
    const messages = [...rec.outbox];
    for (const message of messages) await this.o.deliverToEntity(message);
    await this.lock.run(instanceId, async () => {
      const current = this.instances.get(instanceId);
      if (!current) return;
      current.outbox = current.outbox.filter((m) => !messages.includes(m));
      await this.o.store.saveInstance(current);
    });
  }

  scheduleEpisode(instanceId: string, gatherMs = 0): void {
    if (this.episodeQueued.has(instanceId)) return;
    this.episodeQueued.add(instanceId);
    this.o.track(
      new Promise<void>((resolve) =>
        gatherMs > 0 ? setTimeout(resolve, gatherMs) : setImmediate(resolve),
      ).then(() =>
        this.lock.run(instanceId, async () => {
          this.episodeQueued.delete(instanceId);
          const rec = this.instances.get(instanceId);
          if (!rec || isTerminal(rec.status) || rec.inbox.length === 0) return;
          // No episode follows (the host stops, the instance is suspended): what came in is kept.
          if (this.o.stopped() || rec.status === 'Suspended') return this.o.store.saveInstance(rec);
          this.episodes++;
          this.replayedEvents += rec.history.length;
          const rerun = await runEpisode(rec, {
            registry: this.o.registry,
            logger: this.o.logger,
            clock: this.o.clock,
            cancelTimersOf: (id) => this.o.timers.cancelOf(id),
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
    rec.lastUpdatedTime = iso(this.o.clock.now());
    this.maxHistoryEvents = Math.max(this.maxHistoryEvents, rec.history.length);
    await this.o.store.saveInstance(rec);
    this.o.changed(rec);
    if (rec.outbox.length > 0) this.o.track(this.deliverOutbox(rec.instanceId));
    if (isTerminal(rec.status)) {
      this.o.timers.cancelOf(rec.instanceId);
      if (rec.parent) this.o.track(answerParent(this.children, rec));
      this.o.logger.log('information', `${rec.instanceId} (${rec.name}) ${rec.status}`, 'DurableTask');
      return;
    }
    this.dispatchPendingWork(rec);
  }

  dispatchPendingWork(rec: InstanceRecord): void {
    if (this.o.stopped() || isTerminal(rec.status)) return;
    const { instanceId, executionId } = rec;
    const work = pendingWork(rec);
    for (const job of work.activities) this.o.enqueueActivity(job);
    for (const created of work.children) this.o.track(startChild(this.children, rec, created));
    for (const { timerId, fireAt } of work.timers) {
      this.o.timers.arm(instanceId, executionId, timerId, new Date(fireAt), () =>
        this.o.track(
          this.deliverCompletion(
            instanceId,
            executionId,
            timerFiredEvent(timerId, fireAt, iso(this.o.clock.now())),
          ),
        ),
      );
    }
  }
}
