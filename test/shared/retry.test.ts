import { jitterMs, retryDelaysMs, retryOptionsFor, WORST_CASE_REQUESTS_PER_SLICE } from '../../shared/retry';

describe('durable retry policy', () => {
  it('waits 2 s, 4 s, 8 s before the three retries', () =>
    expect(retryDelaysMs()).toEqual([2000, 4000, 8000]));
  it('has deterministic jitter below one second, different per slice', () => {
    const a = jitterMs('eco2mix-20261128T0615Z', 'regional-x');
    expect(jitterMs('eco2mix-20261128T0615Z', 'regional-x')).toBe(a);
    expect(a).toBeGreaterThanOrEqual(0);
    expect(a).toBeLessThan(1000);
    expect(jitterMs('eco2mix-20261128T0615Z', 'national-x')).not.toBe(a);
  });
  it('builds RetryOptions with the cap and coefficient', () => {
    const o = retryOptionsFor('i', 's');
    expect([o.maxNumberOfAttempts, o.backoffCoefficient, o.maxRetryIntervalInMilliseconds]).toEqual([
      4, 2, 30000,
    ]);
    expect(o.firstRetryIntervalInMilliseconds).toBe(2000 + jitterMs('i', 's'));
  });
  it('bounds the worst case at 12 requests per slice', () => expect(WORST_CASE_REQUESTS_PER_SLICE).toBe(12));
});
