/** Old rows carry "ND" (not available) or "-" instead of numbers (facts.md section 6). */
import type { Row } from './types';

/** Rewrites, in place, the values an old row would not have: "-" where there is no such plant, "ND" otherwise. */
export function markNotAvailable(
  row: Row,
  ndFields: readonly string[],
  dashWhenZero: readonly string[],
): Row {
  for (const f of ndFields) if (f in row) row[f] = 'ND';
  for (const f of dashWhenZero) if (row[f] === 0 || row[f] === '0') row[f] = '-';
  return row;
}
