/**
 * CallActivityWithRetry as the DTF retry interceptor runs it: after a failed attempt k, a timer
 * `first * coefficient^(k-1)` (capped by maxRetryInterval) from the orchestration's current time,
 * then a new TaskScheduled; after the final failed attempt one zero-length timer, then failure.
 */
import type { Compound, Node, Replay } from './replay';
import { EventType } from './types';
import { inputText, type WireAction } from './wireActions';

export function retryNode(r: Replay, action: WireAction, parent?: Compound): Node {
  const opts = action.retryOptions ?? {};
  const first = opts.firstRetryIntervalInMilliseconds ?? 0;
  const max = opts.maxNumberOfAttempts ?? 1;
  const coefficient = opts.backoffCoefficient ?? 1;
  const cap =
    opts.maxRetryIntervalInMilliseconds && opts.maxRetryIntervalInMilliseconds > 0
      ? opts.maxRetryIntervalInMilliseconds
      : Infinity;
  const timeout =
    opts.retryTimeoutInMilliseconds && opts.retryTimeoutInMilliseconds > 0
      ? opts.retryTimeoutInMilliseconds
      : Infinity;
  const name = action.functionName ?? '';
  const input = inputText(action.input);
  const firstAttemptAt = r.now.getTime();
  const node = r.leaf(parent);
  let attempt = 1;
  let waitingOnTimer = false;
  const startAttempt = (): void => {
    const id = r.scheduleActivity(name, input);
    r.waitFor(id, node);
  };
  node.onEvent = (e) => {
    if (waitingOnTimer) {
      waitingOnTimer = false;
      if (attempt >= max) {
        r.finish(node, true);
      } else {
        attempt++;
        startAttempt();
      }
      return;
    }
    if (e.EventType !== EventType.TaskFailed) {
      r.finish(node, false);
      return;
    }
    // DTF RetryInterceptor: after the last attempt a zero-length "dummy" timer (kept for replay
    // compatibility), whatever the timeout; before it, ComputeNextDelay(retryCount = attempt - 1).
    if (attempt >= max) {
      waitingOnTimer = true;
      r.waitFor(r.createTimer(new Date(r.now.getTime())), node);
      return;
    }
    let delay = 0;
    if (r.now.getTime() < firstAttemptAt + timeout) {
      delay = Math.min(first * Math.pow(coefficient, attempt - 1), cap);
    }
    if (!(delay > 0)) {
      r.abandonedRetries.push(name);
      r.finish(node, true);
      return;
    }
    const timerId = r.createTimer(new Date(r.now.getTime() + delay));
    waitingOnTimer = true;
    r.waitFor(timerId, node);
  };
  startAttempt();
  return node;
}
