/** A new orchestration instance: Pending, its ExecutionStarted waiting in the inbox. */
import { randomUUID } from 'node:crypto';
import { executionStartedEvent } from './events';
import type { InstanceRecord } from './types';

export interface StartOptions {
  instanceId?: string;
  input?: unknown;
  parent?: InstanceRecord['parent'];
}

export function newInstance(
  name: string,
  instanceId: string,
  options: StartOptions,
  now: string,
): InstanceRecord {
  const executionId = randomUUID().replace(/-/g, '');
  const input = options.input === undefined ? null : (JSON.stringify(options.input) ?? null);
  return {
    instanceId,
    name,
    executionId,
    status: 'Pending',
    input,
    output: null,
    customStatus: null,
    createdTime: now,
    lastUpdatedTime: now,
    history: [],
    inbox: [executionStartedEvent(name, instanceId, executionId, input, now)],
    outbox: [],
    ...(options.parent ? { parent: options.parent } : {}),
  };
}
