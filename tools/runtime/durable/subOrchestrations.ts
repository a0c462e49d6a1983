/** Sub-orchestrations: a child is started once, and its result (or its failure to start) answers the parent. */
import { errorMessage } from '../../../shared/errors';
import { subOrchestrationEvent } from './events';
import type { StartOptions } from './newInstance';
import { isTerminal, type HistoryEvent, type InstanceRecord } from './types';

export interface ChildContext {
  get(instanceId: string): InstanceRecord | undefined;
  create(name: string, options: StartOptions): Promise<InstanceRecord>;
  /** Appends a completion to the given execution's inbox. */
  deliver(instanceId: string, executionId: string, event: HistoryEvent): Promise<void>;
  now(): string;
}

/** Starts a sub-orchestration once; a child already finished (crash in between) answers again. */
export async function startChild(
  ctx: ChildContext,
  parent: InstanceRecord,
  created: HistoryEvent,
): Promise<void> {
  const childId = created.InstanceId ?? '';
  const link = { instanceId: parent.instanceId, executionId: parent.executionId, taskId: created.EventId };
  const child = ctx.get(childId);
  if (child?.parent?.executionId === link.executionId && child.parent.taskId === link.taskId) {
    if (isTerminal(child.status)) await answerParent(ctx, child);
    return;
  }
  try {
    await ctx.create(created.Name ?? '', {
      instanceId: childId,
      input: created.Input == null ? undefined : (JSON.parse(created.Input) as unknown),
      parent: link,
    });
  } catch (err) {
    const outcome = { ok: false as const, reason: errorMessage(err) };
    await ctx.deliver(
      link.instanceId,
      link.executionId,
      subOrchestrationEvent(link.taskId, outcome, ctx.now()),
    );
  }
}

export async function answerParent(ctx: ChildContext, child: InstanceRecord): Promise<void> {
  const link = child.parent;
  if (!link) return;
  const outcome =
    child.status === 'Completed'
      ? { ok: true as const, result: child.output ?? 'null' }
      : {
          ok: false as const,
          reason: child.output === null ? '' : String(JSON.parse(child.output) as unknown),
        };
  await ctx.deliver(
    link.instanceId,
    link.executionId,
    subOrchestrationEvent(link.taskId, outcome, ctx.now()),
  );
}
