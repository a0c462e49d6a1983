/**
 * The dashboard in a real browser: headless Chromium loads the page the embedded runtime serves
 * after a scripted history, and the cells, the run list and a run's timeline are checked against
 * the APIs. Screenshots go to build/screenshots (git-ignored).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { CODE_STATE, type StateCode } from '../../shared/coverage/model';
import { startScenario, stopScenario, type Scenario } from '../shared/coverage/scenario';
import { launchChromium, SCREENSHOTS } from './chromium';

const RANGE = 'from=2026-11-07&to=2026-11-10';

/** The element methods the page functions use. */
interface Elem {
  getAttribute(name: string): string | null;
  querySelectorAll(selector: string): Iterable<Elem>;
  textContent: string | null;
}

/** The few browser globals the page functions touch (the test compiles without the DOM lib). */
interface Win {
  pwned?: number;
  getComputedStyle(e: unknown): { backgroundColor: string };
  document: {
    createElement(tag: string): { textContent: string };
    body: { appendChild(e: unknown): void };
  };
}

describe('the dashboard in headless Chromium', () => {
  let s: Scenario;
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  let context: BrowserContext;
  let page: Page;
  const problems: string[] = [];

  beforeAll(async () => {
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    s = await startScenario();
    browser = await launchChromium();
    context = browser.context;
    page = await context.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('request', (r) => {
      if (!r.url().startsWith(s.h.host.httpUrl)) problems.push(`request outside the host: ${r.url()}`);
    });
    const res = await page.goto(`${s.h.host.httpUrl}/api/ingestion/dashboard?code=e2e-key&${RANGE}`);
    expect(res?.status()).toBe(200);
  });
  afterAll(async () => {
    await browser?.close();
    if (s) await stopScenario(s);
  });

  it('shows every quarter in the state the coverage API gives it', async () => {
    const api = await s.h.get(`/api/ingestion/coverage?${RANGE}`);
    const datasets = api.body.datasets as { dataset: string; days: { date: string; quarters: string }[] }[];
    for (const d of datasets) {
      for (const day of d.days) {
        const shown = await page.$$eval(
          `section.calendar[data-dataset="${d.dataset}"] .row[data-date="${day.date}"] i.q`,
          (cells: Elem[]) => cells.map((c) => c.getAttribute('data-state')),
        );
        expect(shown).toEqual([...day.quarters].map((c) => CODE_STATE[c as StateCode]));
      }
    }
    const hover = await page.getAttribute(
      'section.calendar[data-dataset="eco2mix-regional-tr"] .row[data-date="2026-11-10"] i.q:nth-child(21)',
      'title',
    );
    expect(hover).toBe('2026-11-10T05:00Z missing · day: 37 landed, 1 missing, 58 not due');
    const colours = await page.$$eval('.legend i.q', (cells) =>
      cells.map((c) => (globalThis as unknown as Win).getComputedStyle(c).backgroundColor),
    );
    expect(new Set(colours).size).toBe(5);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'dashboard.png'), fullPage: true });
  });

  it('lists the runs with status, trigger, window, records and duration', async () => {
    const rows = await page.$$eval('#runs tbody tr', (trs: Elem[]) =>
      trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent?.trim() ?? '')),
    );
    expect(rows.map((r) => r[0]).sort()).toEqual([...s.runIds].sort());
    const started = rows.map((r) => r[6] ?? '');
    expect(started).toEqual([...started].sort().reverse()); // newest first
    const failed = rows.find((r) => r[0] === s.failedId)!;
    expect(failed.slice(1, 5)).toEqual([
      'failed',
      'timer',
      '2026-11-09T10:00:00Z → 2026-11-10T09:15:00Z',
      '—',
    ]);
    const backfill = rows.find((r) => r[0] === s.backfillId)!;
    expect(backfill.slice(1, 5)).toEqual(
      [
        'succeeded',
        'backfill',
        '2026-11-08T00:00:00Z → 2026-11-10T00:00:00Z',
        String(2 * 96 * 12 - 1 + 2 * 96),
      ].map(String),
    );
    const state = await page.textContent('#state');
    expect(state).toContain('2026-11-09T10:00:00Z');
    expect(await page.textContent('#quota')).toMatch(/of 50000 used/);
  });

  it('shows a run as a timeline of attempts, retry timers and failures on a click', async () => {
    await page.click(`button[data-run="${s.failedId}"]`);
    await page.waitForSelector('#timeline .tl-row');
    const labels = await page.$$eval('#timeline .tl-label', (els: Elem[]) =>
      els.map((e) => e.textContent ?? ''),
    );
    expect(labels.some((l) => l.startsWith('fetchSlice · attempt 4'))).toBe(true);
    expect(labels.filter((l) => l.startsWith('retry timer')).length).toBeGreaterThanOrEqual(6);
    expect(await page.$$eval('#timeline .tl-row[data-kind="run"][data-ok="false"]', (e) => e.length)).toBe(1);
    expect(await page.textContent('#timeline .tl-err')).toMatch(/503/);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'timeline.png'), fullPage: true });
  });

  it('renders a hostile error message as text, under a CSP that allows only its own script', async () => {
    await page.route('**/api/ingestion/runs/**', (route) =>
      route.fulfill({
        status: 200,
        contentType: 'application/json',
        body: JSON.stringify({
          timeline: [
            {
              kind: 'activity',
              name: '<img src=x onerror="window.pwned=1">',
              start: '2026-11-10T09:15:00Z',
              end: '2026-11-10T09:15:01Z',
              ok: false,
              attempt: 1,
              error: '<script>window.pwned=2</script>',
            },
          ],
        }),
      }),
    );
    await page.click(`button[data-run="${s.backfillId}"]`);
    await page.waitForSelector('#timeline .tl-err');
    expect(await page.textContent('#timeline .tl-err')).toBe('<script>window.pwned=2</script>');
    expect(await page.$$eval('#timeline img, #timeline script', (e) => e.length)).toBe(0);
    expect(await page.evaluate(() => (globalThis as unknown as Win).pwned)).toBeUndefined();
    // an inline script the page did not bring is refused by the CSP
    await page.evaluate(() => {
      const doc = (globalThis as unknown as Win).document;
      const el = doc.createElement('script');
      el.textContent = 'window.pwned = 3';
      doc.body.appendChild(el);
    });
    expect(await page.evaluate(() => (globalThis as unknown as Win).pwned)).toBeUndefined();
    await page.unroute('**/api/ingestion/runs/**');
    problems.splice(0, problems.length, ...problems.filter((p) => !/Content Security Policy/.test(p)));
    expect(problems).toEqual([]);
  });
});
