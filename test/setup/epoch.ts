/** The instant every test file starts at (test/setup/clock.ts), and the day windows derived from it. */
export const SUITE_EPOCH = Date.parse('2026-11-27T06:22:41Z');
export const DAY_MS = 86_400_000;
/** Midnight UTC of the suite's "today". */
export const SUITE_MIDNIGHT = Math.floor(SUITE_EPOCH / DAY_MS) * DAY_MS;
