/** The stand-in's mutable settings (set by options, the handle and the control plane), and the data options they give. */
import type { DataOptions, GapSpec, StallSpec } from './availability';
import { toMs } from './time';
import type { FakeOdreOptions, Quirks } from './types';

// Unordered exports are off by default: test/shared/rte/client.test.ts reads an export in date order.
export const DEFAULT_QUIRKS: Quirks = { springGhostRows: true, autumnHole: true, unorderedExports: false };

export interface Settings {
  latencyMs: number;
  gaps: GapSpec[];
  stalls: StallSpec[];
  lagMs: number | undefined;
  dataStart: number | undefined;
  releaseStart: number | undefined;
  notAvailableBefore: number | undefined;
  quirks: Quirks;
}

function optMs(v: string | number | Date | undefined): number | undefined {
  return v === undefined ? undefined : toMs(v);
}

export function settingsFrom(options: FakeOdreOptions): Settings {
  for (const s of options.stalls ?? []) checkStall(s);
  return {
    latencyMs: options.latencyMs ?? 0,
    gaps: [...(options.gaps ?? [])],
    stalls: [...(options.stalls ?? [])],
    lagMs: options.publishDelayMs,
    dataStart: optMs(options.dataStart),
    releaseStart: optMs(options.releaseStart),
    notAvailableBefore: optMs(options.notAvailableBefore),
    quirks: { ...DEFAULT_QUIRKS, ...options.quirks },
  };
}

export function checkStall(s: StallSpec): void {
  if (toMs(s.to) <= toMs(s.from)) throw new RangeError('a stall must end after it starts');
}

export function dataOptionsOf(s: Settings, now: number): DataOptions {
  return {
    now,
    gaps: s.gaps,
    stalls: s.stalls,
    springGhostRows: s.quirks.springGhostRows,
    autumnHole: s.quirks.autumnHole,
    ...(s.dataStart === undefined ? {} : { dataStart: s.dataStart }),
    ...(s.releaseStart === undefined ? {} : { releaseStart: s.releaseStart }),
    ...(s.lagMs === undefined ? {} : { publishDelayMs: s.lagMs }),
    ...(s.notAvailableBefore === undefined ? {} : { notAvailableBefore: s.notAvailableBefore }),
  };
}
