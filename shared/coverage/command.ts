/**
 * `watt-watcher coverage` and the banner's dashboard link, as entries of the app's local profile
 * (shared/localProfile.ts; shapes of tools/runtime/profile.ts, matched structurally).
 */
import { FN } from '../constants';
import type { DatasetCoverage } from './model';
import { renderTerminalCalendar } from './terminal';

type Flags = Record<string, string | boolean | (string | boolean)[] | undefined>;

export const COVERAGE_USAGE = `Usage: watt-watcher coverage [--from DAY] [--to DAY] [--dataset ID]

Prints the lake's coverage per dataset: one line per UTC day, one character per hour (the worst
state of its four quarters), and a legend. Read from durable state and heartbeats, as
GET /api/ingestion/coverage answers it.
  --from DAY            First UTC day, YYYY-MM-DD (default: 13 days before --to)
  --to DAY              Last UTC day, YYYY-MM-DD (default: today); at most 400 days in all
  --dataset ID          One dataset, or a comma-separated list (default: every configured one)`;

export function coverageQuery(f: Flags): Record<string, string> {
  const q: Record<string, string> = {};
  for (const k of ['from', 'to', 'dataset'] as const) {
    const v = f[k];
    if (typeof v === 'string') q[k] = v;
  }
  return q;
}

export function printCoverage({ status, body }: { status: number; body: unknown }): {
  lines: string[];
  errLines?: string[];
  exit: number;
} {
  if (status !== 200) {
    return { lines: [JSON.stringify(body ?? null)], errLines: [`coverage refused (HTTP ${status}):`], exit: status === 400 ? 64 : 1 };
  }
  return { lines: renderTerminalCalendar(body as { from: string; to: string; datasets: DatasetCoverage[] }), exit: 0 };
}

export const coverageCommand = {
  name: 'coverage',
  summary: 'Print the lake coverage calendar (one character per hour)',
  usage: COVERAGE_USAGE,
  flags: { from: { type: 'string' }, to: { type: 'string' }, dataset: { type: 'string' } },
  call: { function: FN.getCoverage, method: 'GET', path: '/api/ingestion/coverage', query: coverageQuery },
  print: printCoverage,
} as const;

/** The banner's link to the dashboard, carrying the host's own function key. */
export function dashboardLink(ctx: { httpUrl: string; functionKey: string }): string {
  return `Dashboard: ${ctx.httpUrl}/api/ingestion/dashboard?code=${encodeURIComponent(ctx.functionKey)}`;
}
