/** The errors the engine's client operations throw. */
import type { RuntimeStatus } from './types';

/** Starting an id that is Pending, Running or Suspended (the extension's OrchestrationAlreadyExistsException). */
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
