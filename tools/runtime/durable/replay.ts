/**
 * The state of one replay: the history's scheduling events by EventId, the orchestration's
 * current time, the next sequence number, the tasks waiting for completions, and the top-level
 * action being awaited. Completions in history are fed in order (`feed`).
 */
import { invokeAction } from './actions';
import { EventType, type EntityMessage, type HistoryEvent } from './types';
import { deterministicGuid, type ShimContext, type WireAction } from './wireActions';

export interface Node {
  done: boolean;
  failed: boolean;
  parent?: Compound;
  /** Called when a history completion targets this node. */
  onEvent?(event: HistoryEvent): void;
}

export interface Compound extends Node {
  childDone(child: Node): void;
}

export class Replay {
  now = new Date(0);
  resolved = false;
  nondeterminism: string | undefined;
  continueAsNew: { input: string | null } | undefined;
  readonly newEvents: HistoryEvent[] = [];
  readonly messages: EntityMessage[] = [];
  readonly abandonedRetries: string[] = [];
  private nextId = 0;
  private cursor = 0;
  private current: Node | undefined;
  private readonly scheduledInHistory = new Map<number, HistoryEvent>();
  private readonly waitingById = new Map<number, Node>();
  private readonly waitingByName = new Map<string, Node[]>();
  private readonly bufferedEvents = new Map<string, HistoryEvent[]>();

  constructor(
    history: HistoryEvent[],
    private readonly actions: WireAction[],
    readonly ctx: ShimContext,
  ) {
    for (const e of history) {
      if (
        e.EventType === EventType.TaskScheduled ||
        e.EventType === EventType.TimerCreated ||
        e.EventType === EventType.EventSent ||
        e.EventType === EventType.SubOrchestrationInstanceCreated
      ) {
        this.scheduledInHistory.set(e.EventId, e);
      }
    }
  }

  /** The next sequence number (EventId), in the order the DTF replay reaches it. */
  nextEventId(): number {
    return this.nextId++;
  }

  emit(event: Omit<HistoryEvent, 'IsPlayed' | 'Timestamp'>): void {
    const existing = this.scheduledInHistory.get(event.EventId);
    if (existing) {
      if (existing.EventType !== event.EventType || (existing.Name ?? '') !== (event.Name ?? '')) {
        this.nondeterminism ??=
          `Non-deterministic workflow detected: history has ${EventType[existing.EventType]} "${existing.Name ?? ''}" ` +
          `with EventId ${event.EventId}, but the orchestrator now schedules ${EventType[event.EventType]} "${event.Name ?? ''}".`;
      }
      return;
    }
    this.newEvents.push({ ...event, IsPlayed: false, Timestamp: this.now.toISOString() });
  }

  finish(node: Node, failed: boolean): void {
    if (node.done) return;
    node.done = true;
    node.failed = failed;
    if (node.parent) node.parent.childDone(node);
    else if (node === this.current) this.pump();
  }

  leaf(parent?: Compound): Node {
    return { done: false, failed: false, parent };
  }

  waitFor(id: number, node: Node): void {
    this.waitingById.set(id, node);
  }

  waitForName(name: string, node: Node): void {
    const buffered = this.bufferedEvents.get(name);
    if (buffered && buffered.length > 0) {
      buffered.shift();
      node.done = true;
      return;
    }
    const list = this.waitingByName.get(name) ?? [];
    list.push(node);
    this.waitingByName.set(name, list);
  }

  scheduleActivity(name: string, input: string | null): number {
    const id = this.nextId++;
    this.emit({ EventType: EventType.TaskScheduled, EventId: id, Name: name, Input: input });
    return id;
  }

  createTimer(fireAt: Date): number {
    const id = this.nextId++;
    this.emit({ EventType: EventType.TimerCreated, EventId: id, FireAt: fireAt.toISOString() });
    return id;
  }

  sendEntityRequest(target: string, operation: string, input: unknown, signal: boolean): string {
    const id = this.nextId++;
    const requestId = deterministicGuid(this.ctx.instanceId, this.ctx.executionId, id);
    const request = {
      id: requestId,
      name: operation,
      signal,
      input:
        input === undefined || input === null
          ? undefined
          : typeof input === 'string'
            ? input
            : JSON.stringify(input),
      parent: signal ? undefined : this.ctx.instanceId,
      parentExecution: signal ? undefined : this.ctx.executionId,
      timestamp: this.now.toISOString(),
    };
    const wire = {
      id: request.id,
      op: operation,
      signal,
      input: request.input,
      parent: request.parent,
      parentExecution: request.parentExecution,
      timestamp: request.timestamp,
    };
    const existed = this.scheduledInHistory.has(id);
    this.emit({
      EventType: EventType.EventSent,
      EventId: id,
      Name: 'op',
      InstanceId: target,
      Input: JSON.stringify(wire),
    });
    if (!existed) this.messages.push({ target, request });
    return requestId;
  }

  /** Awaits the top-level actions one after another, as far as the history so far allows. */
  pump(): void {
    for (;;) {
      if (this.current && !this.current.done) return;
      this.current = undefined;
      if (this.cursor >= this.actions.length) {
        this.resolved = true;
        return;
      }
      const action = this.actions[this.cursor++] as WireAction;
      const node = invokeAction(this, action);
      if (!node.done) {
        this.current = node;
        return;
      }
    }
  }

  /** Feeds one history event: time, the start, completions, timers and raised events. */
  feed(event: HistoryEvent): void {
    switch (event.EventType) {
      case EventType.OrchestratorStarted: {
        const t = new Date(event.Timestamp);
        if (t.getTime() > this.now.getTime()) this.now = t;
        break;
      }
      case EventType.ExecutionStarted:
        this.pump();
        break;
      case EventType.TaskCompleted:
      case EventType.TaskFailed:
      case EventType.SubOrchestrationInstanceCompleted:
      case EventType.SubOrchestrationInstanceFailed: {
        const node = this.waitingById.get(event.TaskScheduledId ?? -1);
        if (node) {
          this.waitingById.delete(event.TaskScheduledId ?? -1);
          node.onEvent?.(event);
        }
        break;
      }
      case EventType.TimerFired: {
        const node = this.waitingById.get(event.TimerId ?? -1);
        if (node) {
          this.waitingById.delete(event.TimerId ?? -1);
          node.onEvent?.(event);
        }
        break;
      }
      case EventType.EventRaised: {
        const name = event.Name ?? '';
        const list = this.waitingByName.get(name);
        const node = list?.shift();
        if (node) node.onEvent?.(event);
        else {
          const buf = this.bufferedEvents.get(name) ?? [];
          buf.push(event);
          this.bufferedEvents.set(name, buf);
        }
        break;
      }
      default:
        break;
    }
  }
}
