import { QUARTER_MS } from './constants';

/** Strict ISO-8601 instant with an explicit zone (`Z` or `±hh:mm`); date-only and local times are refused. */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;

export function parseInstant(text: string): Date | null {
  if (!ISO_INSTANT.test(text)) return null;
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) return null;
  // Date.parse rolls 2026-02-30 over to March: reject instants whose calendar date does not round-trip.
  const [datePart] = text.split('T');
  const [y, m, d] = (datePart ?? '').split('-').map(Number);
  const probe = new Date(Date.UTC(y ?? 0, (m ?? 1) - 1, d ?? 0));
  if (probe.getUTCFullYear() !== y || probe.getUTCMonth() + 1 !== m || probe.getUTCDate() !== d) return null;
  return new Date(ms);
}

export function floorToQuarter(ms: number): number {
  return Math.floor(ms / QUARTER_MS) * QUARTER_MS;
}

export function iso(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

/** Basic ISO-8601 with no colons, safe in file names: `20261128T061500Z`. */
export function basicIso(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '');
}

/** `YYYY/MM/DD` of the UTC date, for lake partitions. */
export function datePartition(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10).replace(/-/g, '/');
}
