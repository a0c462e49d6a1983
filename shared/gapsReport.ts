import type { DatasetState } from './types';

/**
 * `watt-watcher gaps`: the gap ledger of each dataset as text, one line per gap, from the body
 * of GET /api/ingestion/state (so the command needs nothing the API does not show).
 */
export function formatGaps(
  states: readonly Pick<
    DatasetState,
    'dataset' | 'watermark' | 'gaps' | 'incomplete' | 'quotaExhaustedUntil'
  >[],
): string {
  const lines: string[] = [];
  for (const s of states) {
    const gaps = s.gaps ?? [];
    const open = gaps.filter((g) => g.status === 'open').length;
    const permanent = gaps.filter((g) => g.status === 'permanent').length;
    lines.push(
      `${s.dataset}: watermark ${s.watermark ?? 'none'}, ${open} open, ${permanent} permanent, ${(s.incomplete ?? []).length} pending` +
        (s.quotaExhaustedUntil ? `, quota exhausted until ${s.quotaExhaustedUntil}` : ''),
    );
    for (const g of gaps) {
      lines.push(
        `  ${g.status.padEnd(9)} [${g.from}, ${g.to}) ${g.reason} ${g.received}/${g.expected} rows, first seen ${g.firstSeen}, last checked ${g.lastChecked}${g.closedAt ? `, closed ${g.closedAt}` : ''}`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}
