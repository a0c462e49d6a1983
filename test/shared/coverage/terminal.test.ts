import { emptyCounts } from '../../../shared/coverage/model';
import { coverageQuery, dashboardLink, printCoverage } from '../../../shared/coverage/command';
import { hourChar, renderTerminalCalendar } from '../../../shared/coverage/terminal';

describe('the terminal calendar', () => {
  it('prints one character per hour, the worst quarter of each, and a legend', () => {
    const quarters = `${'L'.repeat(20)}M${'L'.repeat(15)}UL${'N'.repeat(4)}G${'N'.repeat(55)}`;
    const lines = renderTerminalCalendar({
      from: '2026-11-10',
      to: '2026-11-10',
      datasets: [
        {
          dataset: 'eco2mix-regional-tr',
          watermark: '2026-11-10T05:00:00Z',
          openGaps: 1,
          permanentGaps: 0,
          totals: { ...emptyCounts(), landed: 37 },
          days: [{ date: '2026-11-10', quarters, counts: { ...emptyCounts(), landed: 37 } }],
        },
      ],
    });
    expect(lines).toContain(`2026-11-10  #####.###~x${' '.repeat(13)}  37/96 landed`);
    expect(lines[3]).toBe('UTC day     0     6     12    18    ');
    expect(lines.at(-1)).toBe(
      'Legend: "#" landed  "~" unpublished  "." missing  "x" gap  " " not due  (an hour shows its worst quarter)',
    );
    expect(hourChar('LLNN')).toBe('#');
  });
});

describe('the coverage command entry', () => {
  it('passes --from, --to and --dataset as the query, prints the calendar or the refusal', () => {
    expect(coverageQuery({ from: '2026-11-01', to: '2026-11-02', dataset: 'eco2mix-national-tr', x: true })).toEqual({
      from: '2026-11-01',
      to: '2026-11-02',
      dataset: 'eco2mix-national-tr',
    });
    const refused = printCoverage({ status: 400, body: { error: 'invalid query', details: { field: 'from' } } });
    expect(refused.exit).toBe(64);
    expect(refused.lines[0]).toContain('"field":"from"');
    const ok = printCoverage({ status: 200, body: { from: '2026-11-01', to: '2026-11-01', datasets: [] } });
    expect([ok.exit, ok.lines[0]]).toEqual([0, 'Coverage 2026-11-01 to 2026-11-01 (UTC), one character per hour']);
    expect(dashboardLink({ httpUrl: 'http://localhost:7071', functionKey: 'k/+=' })).toBe(
      'Dashboard: http://localhost:7071/api/ingestion/dashboard?code=k%2F%2B%3D',
    );
  });
});
