import { concurrency } from '../../../tools/bench/timeline';

describe('requests in flight over time', () => {
  it('weights each level of concurrency by how long it lasted', () => {
    // two lanes: [0,100) and [50,150), then a pause, then [200,300)
    const c = concurrency(
      [
        { start: 0, end: 100 },
        { start: 50, end: 150 },
        { start: 200, end: 300 },
      ],
      2,
    );
    expect(c.spanMs).toBe(300);
    expect(c.msAt).toEqual([50, 200, 50]);
    expect(c.peakInFlight).toBe(2);
    expect(c.meanInFlight).toBeCloseTo(300 / 300);
    // below two lanes from 100 to 300 (the ramp-up before 50 counts too, but is shorter)
    expect(c.longestBelowTargetMs).toBe(200);
  });

  it('counts a request ending when the next starts as no overlap', () => {
    const c = concurrency(
      [
        { start: 0, end: 10 },
        { start: 10, end: 20 },
      ],
      1,
    );
    expect([c.peakInFlight, c.msAt, c.longestBelowTargetMs]).toEqual([1, [0, 20], 0]);
  });

  it('answers zeros for no request', () => {
    expect(concurrency([], 4)).toEqual({
      spanMs: 0,
      meanInFlight: 0,
      peakInFlight: 0,
      msAt: [0],
      longestBelowTargetMs: 0,
    });
  });
});
