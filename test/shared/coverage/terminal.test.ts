import { emptyCounts } from '../../../shared/coverage/model';
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
