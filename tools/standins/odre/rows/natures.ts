/** The `nature` of a row: the version of its values (facts.md section 6; Erhazya/ampere ADR 024). */
import { parisMidnightAfter, wallClock } from '../time';
import type { NaturePeriod } from './types';

export const REAL_TIME = 'Données temps réel';
export const CONSOLIDATED = 'Données consolidées';
export const DEFINITIVE = 'Données définitives';

/** Paris midnight starting 1 January of `year`. */
function parisNewYear(year: number): number {
  return parisMidnightAfter(Date.UTC(year - 1, 11, 31, 12), 1);
}

/**
 * Historical rows are definitive up to the 1st of January of the year before their end, and
 * consolidated after (seen in September 2026: definitive to the end of 2024, consolidated from
 * January 2025 to the end of June 2026).
 */
let memo: { start: number; end: number; periods: NaturePeriod[] } | null = null;

export function historicalNatures(range: { start: number; end: number }): NaturePeriod[] {
  if (memo?.start === range.start && memo.end === range.end) return memo.periods;
  memo = { start: range.start, end: range.end, periods: computeNatures(range) };
  return memo.periods;
}

function computeNatures(range: { start: number; end: number }): NaturePeriod[] {
  if (range.start >= range.end) return [];
  const endYear = Number(wallClock(range.end - 1).date.slice(0, 4));
  const cut = Math.min(Math.max(parisNewYear(endYear - 1), range.start), range.end);
  const out: NaturePeriod[] = [];
  if (cut > range.start) out.push({ nature: DEFINITIVE, from: range.start, to: cut });
  if (range.end > cut) out.push({ nature: CONSOLIDATED, from: cut, to: range.end });
  return out;
}

export function natureAt(periods: readonly NaturePeriod[], t: number): string {
  return periods.find((p) => t >= p.from && t < p.to)?.nature ?? periods[periods.length - 1]?.nature ?? '';
}
