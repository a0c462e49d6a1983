import { formatMs } from './stats';

export interface ScaleRow {
  days: number;
  wallMs: number;
  requests: number;
  slices: number;
  instances: number;
  maxHistoryEvents: number;
  replayedEvents: number;
  peakRssMb: number;
}

/** The scaling table of `npm run bench`: one row per backfill length. */
export function scalingTable(rows: readonly ScaleRow[]): string {
  const head = [
    'days',
    'wall',
    'requests',
    'instances',
    'max events/instance',
    'events replayed',
    'replayed/slice',
    'peak RSS MB',
  ];
  const cells = rows.map((r) => [
    String(r.days),
    formatMs(r.wallMs),
    String(r.requests),
    String(r.instances),
    String(r.maxHistoryEvents),
    String(r.replayedEvents),
    (r.replayedEvents / Math.max(1, r.slices)).toFixed(1),
    r.peakRssMb.toFixed(1),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)));
  const line = (c: readonly string[]): string =>
    `   ${c.map((v, i) => v.padStart(widths[i] ?? 0)).join('  ')}`;
  return [line(head), ...cells.map(line)].join('\n');
}
