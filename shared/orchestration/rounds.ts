import type { OrchestrationContext, Task } from 'durable-functions';
import type { FetchResult, Slice, StoredFile } from '../types';
import type { Fetched, Outcome } from './pipeline';

/** What a round needs from the pipeline: starting tasks, and recording what they came back with. */
export interface RoundDeps {
  context: OrchestrationContext;
  /** Fetches scheduled at once (steps), or kept scheduled (stream). */
  width: number;
  startFetch(slice: Slice): Task;
  startStore(item: Fetched): Task;
  /** Records a fetch's outcome; the slice to store, or null. */
  fetched(slice: Slice, outcome: Outcome<FetchResult>): Fetched | null;
  stored(item: Fetched, outcome: Outcome<StoredFile>): void;
  /** The quota is exhausted (or the run deferred): no request is to be sent any more. */
  stopped(): boolean;
  defer(slices: readonly Slice[]): void;
  progress(storing: boolean): void;
}

/** Yields one already-scheduled task on its own, so that its failure does not hide the others. */
export function* settle<R>(task: Task): Generator<Task, Outcome<R>, unknown> {
  try {
    return { ok: true, value: (yield task) as R };
  } catch (error) {
    return { ok: false, error };
  }
}

/**
 * Steps: each fetches the next `width` slices while it stores those the previous step fetched.
 * A step is one Task.all of new tasks only: durable-functions lets a task belong to one compound
 * task, and one holding already-scheduled tasks would schedule them a second time. Task.all fails
 * fast, so each task is then settled on its own. Few episodes: a scheduled run's shape.
 */
export function* stepRound(d: RoundDeps, todo: readonly Slice[]): Generator<Task, void, unknown> {
  const width = Math.max(1, d.width);
  let toStore: Fetched[] = [];
  for (let i = 0; i < todo.length || toStore.length > 0; i += width) {
    if (d.stopped() && i < todo.length) {
      d.defer(todo.slice(i));
      i = todo.length;
    }
    const fetchBatch = todo.slice(i, i + width);
    const storeBatch = toStore;
    const storeTasks = storeBatch.map((item) => d.startStore(item));
    const fetchTasks = fetchBatch.map((slice) => d.startFetch(slice));
    try {
      yield d.context.df.Task.all([...storeTasks, ...fetchTasks]);
    } catch {
      // outcomes are collected task by task below
    }
    for (const [j, item] of storeBatch.entries()) d.stored(item, yield* settle(storeTasks[j] as Task));
    toStore = [];
    for (const [j, slice] of fetchBatch.entries()) {
      const item = d.fetched(slice, yield* settle(fetchTasks[j] as Task));
      if (item) toStore.push(item);
    }
    d.progress(i + width >= todo.length);
  }
}

/**
 * A stream: `width` fetches stay scheduled, taken in order. When the oldest is in, its store and
 * the next fetch start together, in one Task.any of those two new tasks (it returns with the
 * store, short), and the stream goes on to the next fetch, scheduled a step earlier. No step
 * waits for a whole batch; a slow answer holds back only its own lane, and with the process's
 * request gate (shared/rte/gate.ts) narrower than the fetches scheduled, a fetch of another lane
 * already waiting leaves the moment any answer is in.
 */
export function* streamRound(d: RoundDeps, todo: readonly Slice[]): Generator<Task, void, unknown> {
  const depth = Math.max(1, d.width);
  const scheduled: { slice: Slice; task: Task }[] = [];
  let next = 0;
  const more = (): Task[] => {
    const fresh: Task[] = [];
    while (!d.stopped() && next < todo.length && scheduled.length < depth) {
      const slice = todo[next++] as Slice;
      const task = d.startFetch(slice);
      scheduled.push({ slice, task });
      fresh.push(task);
    }
    return fresh;
  };
  const first = more();
  if (first.length > 0) yield* anyOf(d.context, first);
  for (let head = scheduled.shift(); head; head = scheduled.shift()) {
    const item = d.fetched(head.slice, yield* settle(head.task));
    if (d.stopped() && next < todo.length) {
      d.defer(todo.slice(next));
      next = todo.length;
    }
    const store = item ? d.startStore(item) : undefined;
    const fresh = more();
    yield* anyOf(d.context, store ? [store, ...fresh] : fresh);
    if (store && item) d.stored(item, yield* settle(store));
    d.progress(next >= todo.length);
  }
  // stopped before anything was scheduled (a deferred run): nothing is sent, nothing is lost
  if (next < todo.length) d.defer(todo.slice(next));
}

/** Schedules `tasks` (new ones only) and waits for the first to finish, whichever way. */
function* anyOf(context: OrchestrationContext, tasks: Task[]): Generator<Task, void, unknown> {
  if (tasks.length === 0) return;
  try {
    yield context.df.Task.any(tasks);
  } catch {
    // each task is settled on its own later
  }
}
