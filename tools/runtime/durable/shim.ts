/**
 * Host-side replay of the actions an out-of-process orchestrator returns, modelled on the
 * Durable Functions extension's out-of-proc shim over the Durable Task Framework:
 *
 * - the (cumulative) top-level actions are awaited one after another; WhenAll/WhenAny children
 *   are started together; exceptions of awaited tasks are swallowed (the SDK handles them);
 * - every scheduled task, timer and sent event takes the next sequence number (EventId), in the
 *   order the DTF replay reaches it; completions in history are fed in order, and awaiting code
 *   resumes synchronously (so numbers match the ones the JS SDK assigns on its side);
 * - CallActivityWithRetry runs the DTF retry interceptor: after a failed attempt k, a timer
 *   `first * coefficient^(k-1)` (capped by maxRetryInterval) from the orchestration's current
 *   time, then a new TaskScheduled; after the final failed attempt one zero-length timer, then failure.
 *
 * The replay is pure: given the history (with this episode's new events appended) and the
 * actions, it returns the scheduling events not yet in history.
 */
import { Replay } from './replay';
import type { HistoryEvent } from './types';
import { UnsupportedActionError, type ShimContext, type ShimResult, type WireAction } from './wireActions';

export {
  ActionType,
  deterministicGuid,
  entityTarget,
  inputText,
  topLevelActions,
  type ShimContext,
  type ShimResult,
  type WireAction,
} from './wireActions';

export function replayActions(history: HistoryEvent[], actions: WireAction[], ctx: ShimContext): ShimResult {
  const r = new Replay(history, actions, ctx);
  const { newEvents, messages, abandonedRetries } = r;
  try {
    for (const event of history) r.feed(event);
  } catch (err) {
    if (err instanceof UnsupportedActionError) {
      return { newEvents, messages, resolved: false, nondeterminism: err.message, abandonedRetries };
    }
    throw err;
  }
  const { resolved, continueAsNew, nondeterminism } = r;
  return { newEvents, messages, resolved, continueAsNew, nondeterminism, abandonedRetries };
}
