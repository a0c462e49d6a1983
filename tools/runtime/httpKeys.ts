/** Function and master keys: one constant-time compare. */
import { createHash, timingSafeEqual } from 'node:crypto';

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** Constant-time check against every candidate (no early exit, no length leak). */
export function keyMatches(given: string | undefined, candidates: readonly string[]): boolean {
  if (given === undefined || given === '') return false;
  const g = digest(given);
  let ok = false;
  for (const candidate of candidates) {
    if (candidate === '') continue;
    ok = timingSafeEqual(g, digest(candidate)) || ok;
  }
  return ok;
}
