import { contentSecurityPolicy, renderDashboard, type DashboardData } from '../../../shared/coverage/page';
import { emptyCounts } from '../../../shared/coverage/model';
import { initialState } from '../../../shared/state';

const HOSTILE_ID = 'eco2mix-manual-"><script>alert(1)</script><img src=x onerror=alert(2)>';
const HOSTILE_DATASET = '<b onmouseover=alert(3)>x</b>';

function data(): DashboardData {
  return {
    generatedAt: '2026-11-10T09:40:00Z',
    range: { from: '2026-11-10', to: '2026-11-10' },
    coverage: [
      {
        dataset: 'eco2mix-regional-tr',
        watermark: '2026-11-10T05:00:00Z',
        openGaps: 2,
        permanentGaps: 1,
        totals: { ...emptyCounts(), landed: 37, missing: 1, 'not due': 58 },
        days: [
          {
            date: '2026-11-10',
            quarters: `${'L'.repeat(20)}M${'L'.repeat(16)}U${'N'.repeat(58)}`,
            counts: { ...emptyCounts(), landed: 36, missing: 1, unpublished: 1, 'not due': 58 },
          },
        ],
      },
    ],
    states: [
      { ...initialState('eco2mix-regional-tr'), watermark: '2026-11-10T05:00:00Z', callsMonth: 17, callsMonthKey: '2026-11' },
      { ...initialState('eco2mix-national-tr'), dataset: HOSTILE_DATASET as never, callsMonth: 5, callsMonthKey: '2026-10' },
    ],
    budget: { monthly: 50000, usedThisMonth: 17, remaining: 49983 },
    runs: [
      {
        instanceId: HOSTILE_ID,
        runtimeStatus: 'Failed',
        status: 'failed',
        trigger: 'manual',
        window: { from: '2026-11-10T05:00:00Z', to: '2026-11-10T09:15:00Z' },
        records: null,
        durationMs: 93_500,
        createdTime: '2026-11-10T09:16:00.000Z',
      },
    ],
  };
}

describe('the dashboard page', () => {
  const page = renderDashboard(data(), 'n0nce');

  it('escapes instance ids and anything else that comes from outside', () => {
    expect(page).not.toContain('<script>alert(1)');
    expect(page).not.toContain('<img src=x');
    expect(page).not.toContain('<b onmouseover');
    expect(page).toContain('data-run="eco2mix-manual-&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;"');
    expect(page).toContain('&lt;b onmouseover=alert(3)&gt;x&lt;/b&gt;');
    // the only scripts and styles are the page's own, under its nonce
    expect(page.match(/<script/g)).toHaveLength(1);
    expect(page).toContain('<script nonce="n0nce">');
    expect(page).toContain('<style nonce="n0nce">');
    expect(page).not.toMatch(/ style=/);
    expect(page).not.toMatch(/https?:\/\//);
  });

  it('draws one cell per quarter with its state and hover text, the state per dataset and the runs', () => {
    const cells = [...page.matchAll(/<i class="q (\w+)" data-state="([a-z ]+)" title="([^"]+)"><\/i>/g)];
    expect(cells).toHaveLength(96);
    expect(cells[20]![2]).toBe('missing');
    expect(cells[20]![3]).toBe('2026-11-10T05:00Z missing · day: 36 landed, 1 unpublished, 1 missing, 58 not due');
    expect(cells[37]![1]).toBe('unpublished');
    expect(cells[95]![2]).toBe('not due');
    expect(page).toContain('2 open, 1 permanent');
    expect(page).toMatch(/<td>17<\/td>/);
    expect(page).toContain('17 of 50000 used, 49983 left');
    expect(page).toContain('1.6 min');
    expect(page).toContain('2026-11-10T05:00:00Z → 2026-11-10T09:15:00Z');
  });

  it('lets nothing but its own nonce run, and fetch only from its origin', () => {
    const csp = contentSecurityPolicy('n0nce');
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'nonce-n0nce'");
    expect(csp).toContain("style-src 'nonce-n0nce'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
  });

  it('builds the timeline with DOM text, never as markup', () => {
    expect(page).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write/);
    expect(page).toContain('textContent');
  });
});
