import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/**
 * Compares a presented secret with the expected one in constant time. Both sides are hashed first,
 * so neither the content nor the length of the expected value leaks through timing.
 */
export function constantTimeEqual(presented: string, expected: string): boolean {
  return timingSafeEqual(digest(presented), digest(expected));
}

/**
 * Whether a presented secret equals one of the candidates: every candidate is compared (no early
 * exit). An absent or empty secret never matches, and an empty candidate matches nothing.
 */
export function matchesAny(presented: string | null | undefined, candidates: readonly string[]): boolean {
  if (presented === undefined || presented === null || presented === '') return false;
  let ok = false;
  for (const candidate of candidates) {
    if (candidate === '') continue;
    ok = constantTimeEqual(presented, candidate) || ok;
  }
  return ok;
}
