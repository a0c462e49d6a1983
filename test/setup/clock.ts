/**
 * Every test file starts at the same instant, whatever today's date: `Date` is faked (and ticks with
 * real time), every real timer is kept. A test that needs another instant fakes its own clock.
 */
import { SUITE_EPOCH } from './epoch';

jest.useFakeTimers({
  now: SUITE_EPOCH,
  advanceTimers: true,
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
});
