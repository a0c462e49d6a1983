import type { DatasetState } from '../types';
import { calendarHtml, legendHtml } from './calendarHtml';
import { Html, html } from './html';
import type { DatasetCoverage } from './model';
import { PAGE_CSS, PAGE_SCRIPT } from './pageAssets';
import type { RunRow } from './runs';

export interface DashboardData {
  generatedAt: string;
  /** UTC days shown, both included. */
  range: { from: string; to: string };
  coverage: DatasetCoverage[];
  states: DatasetState[];
  budget: { monthly: number; usedThisMonth: number; remaining: number };
  runs: RunRow[];
}

/** Only the page's own inline style and script run; it may fetch from its origin, nothing else. */
export function contentSecurityPolicy(nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src 'nonce-${nonce}'`,
    "connect-src 'self'",
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

function stateTable(d: DashboardData): Html {
  const month = d.generatedAt.slice(0, 7);
  const rows = d.states.map((s) => {
    const cov = d.coverage.find((c) => c.dataset === s.dataset);
    return html`<tr data-dataset="${s.dataset}"><td>${s.dataset}</td><td class="mono">${s.watermark ?? '—'}</td>
<td>${cov?.openGaps ?? 0} open, ${cov?.permanentGaps ?? 0} permanent</td>
<td>${s.callsMonthKey === month ? s.callsMonth : 0}</td>
<td class="st-${s.lastRunStatus ?? 'none'}">${s.lastRunStatus ?? '—'}${s.consecutiveFailures > 0 ? ` (${s.consecutiveFailures} failing in a row)` : ''}</td></tr>`;
  });
  return html`<table id="state"><thead><tr><th>Dataset</th><th>Watermark</th><th>Gaps</th><th>Calls this month</th><th>Last run</th></tr></thead>
<tbody>${rows}</tbody></table>
<p id="quota">Monthly call budget: ${d.budget.usedThisMonth} of ${d.budget.monthly} used, ${d.budget.remaining} left.</p>`;
}

function seconds(ms: number): string {
  return ms < 60_000 ? `${(ms / 1000).toFixed(1)} s` : `${(ms / 60_000).toFixed(1)} min`;
}

function runsTable(runs: readonly RunRow[]): Html {
  if (runs.length === 0) return html`<p class="muted">No runs yet.</p>`;
  const rows = runs.map(
    (r) => html`<tr data-run-row="${r.instanceId}"><td><button type="button" data-run="${r.instanceId}">${r.instanceId}</button></td>
<td class="st-${r.status ?? r.runtimeStatus}">${r.status ?? r.runtimeStatus.toLowerCase()}</td><td>${r.trigger}</td>
<td class="mono">${r.window ? `${r.window.from} → ${r.window.to}` : '—'}</td><td>${r.records ?? '—'}</td>
<td>${seconds(r.durationMs)}</td><td class="mono">${r.createdTime}</td></tr>`,
  );
  return html`<table id="runs"><thead><tr><th>Run (click for its timeline)</th><th>Status</th><th>Trigger</th><th>Window</th><th>Records</th><th>Duration</th><th>Started</th></tr></thead>
<tbody>${rows}</tbody></table>`;
}

/** The whole page; every value from state, history or the lake is escaped by `html`. */
export function renderDashboard(d: DashboardData, nonce: string): string {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer"><title>Watt Watcher — lake coverage</title>
<style nonce="${nonce}">${new Html(PAGE_CSS)}</style></head>
<body>
<h1>Watt Watcher — lake coverage</h1>
<p class="muted">UTC days ${d.range.from} to ${d.range.to}, as of ${d.generatedAt}. Read-only.</p>
<h2>State per dataset</h2>
${stateTable(d)}
<h2>Coverage (one row per UTC day, one cell per quarter hour)</h2>
${legendHtml()}
${d.coverage.map(calendarHtml)}
<h2>Latest runs</h2>
${runsTable(d.runs)}
<div id="timeline"></div>
<script nonce="${nonce}">${new Html(PAGE_SCRIPT)}</script>
</body></html>
`.text;
}
