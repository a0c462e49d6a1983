/** How busy the API was during a backfill: requests in flight over time, from the stand-in's log. */

export interface Interval {
  start: number;
  end: number;
}

export interface Concurrency {
  /** First request start -> last request end. */
  spanMs: number;
  /** Time-weighted mean of the requests in flight over the span. */
  meanInFlight: number;
  peakInFlight: number;
  /** Milliseconds of the span with exactly k requests in flight, k = 0..peak. */
  msAt: number[];
  /** The longest stretch with fewer than `target` requests in flight. */
  longestBelowTargetMs: number;
}

/** Sweeps the start and end points of `intervals` (an end at the same instant as a start comes first). */
export function concurrency(intervals: readonly Interval[], target: number): Concurrency {
  if (intervals.length === 0) {
    return { spanMs: 0, meanInFlight: 0, peakInFlight: 0, msAt: [0], longestBelowTargetMs: 0 };
  }
  const points = intervals
    .flatMap((i) => [
      { at: i.start, delta: 1 },
      { at: Math.max(i.start, i.end), delta: -1 },
    ])
    .sort((a, b) => a.at - b.at || a.delta - b.delta);
  const first = points[0]?.at ?? 0;
  const msAt: number[] = [];
  let inFlight = 0;
  let peak = 0;
  let weighted = 0;
  let last = first;
  let belowSince: number | null = first;
  let longestBelow = 0;
  for (const p of points) {
    const dt = p.at - last;
    msAt[inFlight] = (msAt[inFlight] ?? 0) + dt;
    weighted += inFlight * dt;
    last = p.at;
    inFlight += p.delta;
    peak = Math.max(peak, inFlight);
    if (inFlight < target && belowSince === null) belowSince = p.at;
    if (inFlight >= target && belowSince !== null) {
      longestBelow = Math.max(longestBelow, p.at - belowSince);
      belowSince = null;
    }
  }
  const span = last - first;
  // The stretch still open at the end is the tail, lanes done one after the other: it counts too.
  if (belowSince !== null) longestBelow = Math.max(longestBelow, last - belowSince);
  return {
    spanMs: span,
    meanInFlight: span > 0 ? weighted / span : inFlight,
    peakInFlight: peak,
    msAt: Array.from({ length: peak + 1 }, (_, k) => msAt[k] ?? 0),
    longestBelowTargetMs: longestBelow,
  };
}
