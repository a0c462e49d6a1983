import { CODE_STATE, QUARTER_STATES, type DatasetCoverage, type QuarterState, type StateCode } from './model';

/** One character per hour: the worst state among its due quarters (an hour all in the future is blank). */
export const HOUR_CHAR: Record<QuarterState, string> = {
  landed: '#',
  unpublished: '~',
  missing: '.',
  gap: 'x',
  'not due': ' ',
};
const WORST_FIRST: readonly QuarterState[] = ['gap', 'missing', 'unpublished', 'landed', 'not due'];

export function hourChar(quarters: string): string {
  const states = new Set([...quarters].map((c) => CODE_STATE[c as StateCode]));
  const worst = WORST_FIRST.find((s) => states.has(s)) ?? 'not due';
  return HOUR_CHAR[worst];
}

const HEADER = `${'UTC day'.padEnd(12)}${Array.from({ length: 4 }, (_, i) => String(i * 6).padEnd(6)).join('')}`;

/** The coverage API's answer as text: per dataset, one line per UTC day, oldest first. */
export function renderTerminalCalendar(report: { from: string; to: string; datasets: DatasetCoverage[] }): string[] {
  const lines: string[] = [`Coverage ${report.from} to ${report.to} (UTC), one character per hour`];
  for (const c of report.datasets) {
    lines.push('', `${c.dataset}  watermark ${c.watermark ?? '-'}  gaps: ${c.openGaps} open, ${c.permanentGaps} permanent`);
    lines.push(HEADER);
    for (const d of c.days) {
      let row = '';
      for (let h = 0; h < 24; h++) row += hourChar(d.quarters.slice(h * 4, h * 4 + 4));
      lines.push(`${d.date}  ${row}  ${d.counts.landed}/96 landed`);
    }
    lines.push(`total: ${QUARTER_STATES.map((s) => `${c.totals[s]} ${s}`).join(', ')}`);
  }
  lines.push(
    '',
    `Legend: ${QUARTER_STATES.map((s) => `"${HOUR_CHAR[s]}" ${s}`).join('  ')}  (an hour shows its worst quarter)`,
  );
  return lines;
}
