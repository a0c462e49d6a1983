import type { HttpResponseInit } from '@azure/functions';
import type { DurableClient } from 'durable-functions';
import type { Config } from '../config';
import { DAY_MS } from '../constants';
import type { Lake } from '../lake/lake';
import { readStates } from '../queries';
import { callsThisMonth } from '../state';
import { iso } from '../time';
import { STATE_CODE } from './model';
import { contentSecurityPolicy, renderDashboard } from './page';
import { parseCoverageQuery, type ParsedRange } from './params';
import { readCoverage, type CoverageRange } from './read';
import { latestRuns } from './runs';

/** The page draws one element per quarter: it shows at most this many days (the API 400). */
export const DASHBOARD_MAX_DAYS = 92;
const RUNS_SHOWN = 20;

const day = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

function rangeOrError(parsed: ParsedRange): { range: CoverageRange } | { response: HttpResponseInit } {
  if (parsed.ok) return { range: parsed.value };
  return { response: { status: 400, jsonBody: { error: parsed.error, details: parsed.details } } };
}

export async function coverageResponse(
  client: DurableClient,
  lake: Lake,
  config: Config,
  query: URLSearchParams,
  nowMs: number,
): Promise<HttpResponseInit> {
  const r = rangeOrError(parseCoverageQuery(query, config.datasets, nowMs));
  if ('response' in r) return r.response;
  const states = await readStates(client, r.range.datasets);
  const datasets = await readCoverage(lake, states, r.range, nowMs);
  return {
    status: 200,
    jsonBody: {
      from: day(r.range.fromDay),
      to: day(r.range.toDay - DAY_MS),
      generatedAt: iso(nowMs),
      quarterMinutes: 15,
      codes: STATE_CODE,
      datasets,
    },
  };
}

export async function dashboardResponse(
  client: DurableClient,
  lake: Lake,
  config: Config,
  query: URLSearchParams,
  nowMs: number,
  nonce: string,
): Promise<HttpResponseInit> {
  const r = rangeOrError(parseCoverageQuery(query, config.datasets, nowMs));
  if ('response' in r) return r.response;
  if ((r.range.toDay - r.range.fromDay) / DAY_MS > DASHBOARD_MAX_DAYS) {
    return {
      status: 400,
      jsonBody: {
        error: 'invalid query',
        details: { field: 'from', reason: `the page shows at most ${DASHBOARD_MAX_DAYS} days; the coverage API 400` },
      },
    };
  }
  const [states, runs] = await Promise.all([readStates(client, config.datasets), latestRuns(client, RUNS_SHOWN)]);
  const coverage = await readCoverage(lake, states, r.range, nowMs);
  const used = callsThisMonth(states, nowMs);
  const page = renderDashboard(
    {
      generatedAt: iso(nowMs),
      range: { from: day(r.range.fromDay), to: day(r.range.toDay - DAY_MS) },
      coverage,
      states,
      budget: { monthly: config.monthlyCallBudget, usedThisMonth: used, remaining: Math.max(0, config.monthlyCallBudget - used) },
      runs,
    },
    nonce,
  );
  return {
    status: 200,
    body: page,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': contentSecurityPolicy(nonce),
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'x-frame-options': 'DENY',
      'cache-control': 'no-store',
    },
  };
}
