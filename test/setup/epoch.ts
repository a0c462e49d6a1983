/** The instant every test file starts at (test/setup/clock.ts), and the day windows derived from it. */
export const SUITE_EPOCH = Date.parse('2026-11-27T06:22:41Z');
export const DAY_MS = 86_400_000;
/** Midnight UTC of the suite's "today". */
export const SUITE_MIDNIGHT = Math.floor(SUITE_EPOCH / DAY_MS) * DAY_MS;

/**
 * For `jest.useFakeTimers`: fake `Date` only (the app derives schedule slots and budgets from
 * `Date.now()`), keep every real timer, so the runtime, HTTP and the stand-ins run as usual.
 */
export const FAKE_DATE_ONLY: { doNotFake: FakeableAPI[] } = {
  doNotFake: [
    'hrtime',
    'nextTick',
    'performance',
    'queueMicrotask',
    'requestAnimationFrame',
    'cancelAnimationFrame',
    'requestIdleCallback',
    'cancelIdleCallback',
    'setImmediate',
    'clearImmediate',
    'setInterval',
    'clearInterval',
    'setTimeout',
    'clearTimeout',
  ],
};
