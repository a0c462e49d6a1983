/**
 * The bridge's `Date`: wall-clock time shifted so that it reads the instant the suite sets, then
 * ticks in real time (the embedded side does the same with jest's faked Date). Only `Date` moves;
 * every timer stays real.
 */
const RealDate = Date;
let offsetMs = 0;

export function setNow(nowMs: number): void {
  offsetMs = nowMs - RealDate.now();
}

class ShiftedDate extends RealDate {
  constructor(...args: unknown[]) {
    if (args.length === 0) super(RealDate.now() + offsetMs);
    else super(...(args as [string | number | Date]));
  }
  static override now(): number {
    return RealDate.now() + offsetMs;
  }
}

export function installShiftedDate(): void {
  globalThis.Date = ShiftedDate as DateConstructor;
}
