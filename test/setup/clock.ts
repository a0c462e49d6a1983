/**
 * Every test file starts at the same instant, whatever today's date: `Date` is faked (and ticks with
 * real time), every real timer is kept. A test that needs another instant fakes its own clock.
 */
import { FAKE_DATE_ONLY, SUITE_EPOCH } from './epoch';

jest.useFakeTimers({ ...FAKE_DATE_ONLY, now: SUITE_EPOCH, advanceTimers: true });
