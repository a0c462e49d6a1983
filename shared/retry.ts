import { createHash } from 'node:crypto';
import { RetryOptions } from 'durable-functions';
import { RETRY_POLICY, TRANSPORT_RETRIES } from './constants';

/** Jitter derived from the instance and slice: the same on every replay, different across slices. */
export function jitterMs(instanceId: string, sliceKey: string): number {
  const digest = createHash('sha256').update(`${instanceId}/${sliceKey}`).digest();
  return digest.readUInt32BE(0) % RETRY_POLICY.maxJitterMs;
}

export function retryOptionsFor(instanceId: string, sliceKey: string): RetryOptions {
  const options = new RetryOptions(
    RETRY_POLICY.firstRetryIntervalMs + jitterMs(instanceId, sliceKey),
    RETRY_POLICY.maxNumberOfAttempts,
  );
  options.backoffCoefficient = RETRY_POLICY.backoffCoefficient;
  options.maxRetryIntervalInMilliseconds = RETRY_POLICY.maxRetryIntervalMs;
  return options;
}

/** Delays the host waits before retry k = 1..n (without jitter). */
export function retryDelaysMs(): number[] {
  const delays: number[] = [];
  for (let k = 1; k < RETRY_POLICY.maxNumberOfAttempts; k++) {
    delays.push(
      Math.min(
        RETRY_POLICY.firstRetryIntervalMs * RETRY_POLICY.backoffCoefficient ** (k - 1),
        RETRY_POLICY.maxRetryIntervalMs,
      ),
    );
  }
  return delays;
}

/** Worst case per slice: every durable attempt also spends every transport retry. */
export const WORST_CASE_REQUESTS_PER_SLICE = RETRY_POLICY.maxNumberOfAttempts * (1 + TRANSPORT_RETRIES);
