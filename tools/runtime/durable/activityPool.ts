/** The activity pool: runs TaskScheduled work at most `max` at once, each job once while queued or running. */
import { errorMessage } from '../../../shared/errors';
import type { Clock } from '../clock';
import { invokeFunction } from '../invoke';
import type { Logger } from '../logger';
import type { FunctionRegistry } from '../registry';
import { taskFailedEvent } from './events';
import { EventType, type HistoryEvent } from './types';
import { iso, jobKey } from './util';

export interface ActivityJob {
  instanceId: string;
  executionId: string;
  taskId: number;
  name: string;
  input: string | null;
}

export interface ActivityPoolOptions {
  registry: FunctionRegistry;
  clock: Clock;
  logger: Logger;
  max: number;
  /** Hands the completion (TaskCompleted or TaskFailed) back to the engine. */
  deliver(job: ActivityJob, event: HistoryEvent): Promise<void>;
  /** Busy accounting of the engine: one begin per queued job, one end when it is done or dropped. */
  begin(): void;
  end(count?: number): void;
  stopped(): boolean;
}

const keyOf = (job: ActivityJob): string => jobKey(job.instanceId, job.executionId, job.taskId);

export class ActivityPool {
  private readonly queue: ActivityJob[] = [];
  private readonly keys = new Set<string>();
  private running = 0;
  /** Peak number of activities running at once. */
  peak = 0;

  constructor(private readonly o: ActivityPoolOptions) {}

  enqueue(job: ActivityJob): void {
    const key = keyOf(job);
    if (this.keys.has(key)) return;
    this.keys.add(key);
    this.queue.push(job);
    this.o.begin();
    this.pump();
  }

  /** Drops the queued (not yet running) jobs. */
  clear(): void {
    const dropped = this.queue.splice(0);
    for (const job of dropped) this.keys.delete(keyOf(job));
    if (dropped.length > 0) this.o.end(dropped.length);
  }

  private pump(): void {
    while (!this.o.stopped() && this.running < this.o.max && this.queue.length > 0) {
      const job = this.queue.shift() as ActivityJob;
      this.running++;
      this.peak = Math.max(this.peak, this.running);
      void this.run(job).finally(() => {
        this.running--;
        this.keys.delete(keyOf(job));
        this.o.end();
        this.pump();
      });
    }
    if (this.o.stopped()) this.clear();
  }

  private async run(job: ActivityJob): Promise<void> {
    const fn = this.o.registry.get(job.name);
    const now = (): string => iso(this.o.clock.now());
    let event: HistoryEvent;
    if (!fn || fn.triggerType.toLowerCase() !== 'activitytrigger') {
      const reason = `The activity function '${job.name}' doesn't exist.`;
      event = taskFailedEvent(job.taskId, reason, reason, now());
    } else {
      try {
        const input = job.input === null ? undefined : (JSON.parse(job.input) as unknown);
        const { result } = await invokeFunction(fn, input, {
          logger: this.o.logger,
          triggerMetadata: { instanceId: job.instanceId },
        });
        event = {
          EventType: EventType.TaskCompleted,
          EventId: -1,
          IsPlayed: false,
          Timestamp: now(),
          TaskScheduledId: job.taskId,
          Result: result === undefined ? 'null' : (JSON.stringify(result) ?? 'null'),
        };
      } catch (err) {
        const message = errorMessage(err);
        const details = err instanceof Error && err.stack ? err.stack : message;
        // The extension keeps the host's RpcException text from after 'Exception:', so the message
        // arrives with its leading space: two spaces after 'failed:', as on the real engine.
        event = taskFailedEvent(
          job.taskId,
          `Activity function '${fn.name}' failed:  ${message}`,
          details,
          now(),
        );
      }
    }
    await this.o.deliver(job, event);
  }
}
