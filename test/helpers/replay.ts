/**
 * Drives an orchestrator through durable-functions' own replay executor: history in, the
 * orchestrator state (actions, custom status, output) out. The entry points live in the
 * package's testing utilities, which it does not export; a deep require reaches them.
 */
import { DummyOrchestrationContext } from 'durable-functions';
import type { OrchestrationContext, OrchestrationHandler } from 'durable-functions';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const testing = require('durable-functions/lib/src/util/testingUtils') as {
  createOrchestrator(
    fn: OrchestrationHandler,
  ): (input: unknown, context: unknown) => Promise<OrchestratorState>;
  DurableOrchestrationInput: new (
    instanceId: string,
    history: unknown[],
    input: unknown,
    longRunningTimerIntervalDuration?: string,
    maximumShortTimerDuration?: string,
    defaultHttpAsyncRequestSleepTimeMillseconds?: number,
    schemaVersion?: number,
  ) => unknown;
};

export interface OrchestratorState {
  isDone: boolean;
  actions: Action[][];
  output?: unknown;
  error?: string;
  customStatus?: unknown;
}
export interface Action {
  actionType: number;
  functionName?: string;
  input?: unknown;
  retryOptions?: {
    firstRetryIntervalInMilliseconds: number;
    maxNumberOfAttempts: number;
    backoffCoefficient: number;
    maxRetryIntervalInMilliseconds: number;
  };
  compoundActions?: Action[];
  instanceId?: string;
  operation?: string;
  fireAt?: string;
}

export type HistoryEvent = Record<string, unknown> & { EventType: number; EventId: number };

export class History {
  readonly events: HistoryEvent[] = [];
  private t: number;
  constructor(start: string) {
    this.t = Date.parse(start);
  }
  private push(type: number, id: number, fields: Record<string, unknown> = {}): this {
    this.events.push({
      EventType: type,
      EventId: id,
      IsPlayed: false,
      Timestamp: new Date(this.t),
      ...fields,
    });
    return this;
  }
  started(name: string, input: unknown): this {
    return this.episode().push(0, -1, { Name: name, Input: JSON.stringify(input) });
  }
  episode(advanceMs = 1000): this {
    this.t += advanceMs;
    return this.push(12, -1);
  }
  scheduled(id: number, name: string, input: unknown): this {
    return this.push(4, id, { Name: name, Input: JSON.stringify(input) });
  }
  completed(scheduledId: number, result: unknown): this {
    return this.push(5, -1, {
      TaskScheduledId: scheduledId,
      Result: result === undefined ? 'null' : JSON.stringify(result),
    });
  }
  failed(scheduledId: number, reason: string): this {
    return this.push(6, -1, { TaskScheduledId: scheduledId, Reason: reason, Details: 'stack' });
  }
  timerCreated(id: number, fireAt: Date): this {
    return this.push(10, id, { FireAt: fireAt });
  }
  timerFired(timerId: number, fireAt: Date): this {
    return this.push(11, -1, { TimerId: timerId, FireAt: fireAt });
  }
  endEpisode(): this {
    return this.push(13, -1);
  }
}

export async function replay(
  fn: OrchestrationHandler,
  instanceId: string,
  history: History,
): Promise<OrchestratorState> {
  const run = testing.createOrchestrator(fn);
  const started = history.events.find((e) => e.EventType === 0);
  const input: unknown = typeof started?.Input === 'string' ? JSON.parse(started.Input) : undefined;
  const binding = new testing.DurableOrchestrationInput(
    instanceId,
    history.events,
    input,
    undefined,
    undefined,
    undefined,
    2,
  );
  try {
    return await run(binding, new DummyOrchestrationContext('orchestrator', 'inv', () => undefined));
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const marker = '$OutOfProcData$:';
    const at = message.lastIndexOf(marker);
    if (at < 0) throw err;
    return JSON.parse(message.slice(at + marker.length)) as OrchestratorState;
  }
}

/** Flattens compound actions (Task.all / Task.any) into the activities and signals they schedule. */
export function flatten(actions: Action[][]): Action[] {
  const out: Action[] = [];
  const walk = (a: Action): void => {
    if (a.compoundActions) a.compoundActions.forEach(walk);
    else out.push(a);
  };
  for (const group of actions) group.forEach(walk);
  return out;
}

export type { OrchestrationContext };
