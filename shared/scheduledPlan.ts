import type { Timer } from '@azure/functions';
import type { Config } from './config';
import { DAY_MS, type DatasetId } from './constants';
import { sweepDays } from './gapLedger';
import { countSlices } from './slicing';
import { callsThisMonth, quotaExhaustedUntil } from './state';
import { floorToQuarter, iso } from './time';
import type { DatasetState, GapSummary, IngestionInput, SweepWindow } from './types';

/** How early a timer may fire and still count as its own occurrence. */
export const EARLY_FIRE_MS = 60_000;
const LISTED_GAPS = 20;

/**
 * The slot a timer invocation is for. Read in Azure/azure-webjobs-sdk-extensions,
 * TimerListener.InvokeJobFunction: the TimerInfo handed to the function carries the
 * ScheduleStatus as it stood before this invocation (it is replaced only after the function
 * returns, from `Next` when the fire came early), so `scheduleStatus.next` is the occurrence
 * being invoked, which lies slightly after now when the timer fires early (clock skew). On a
 * past-due or run-on-startup invocation `next` is not this one, and without the schedule monitor
 * there is no status at all: then the slot is the quarter now falls in.
 */
export function slotFor(
  timer: Pick<Timer, 'isPastDue'> & { scheduleStatus?: { next?: string } | null },
  nowMs: number,
): number {
  const next = timer.scheduleStatus?.next ? Date.parse(timer.scheduleStatus.next) : NaN;
  if (!timer.isPastDue && Number.isFinite(next) && next > nowMs && next - nowMs <= EARLY_FIRE_MS) {
    return floorToQuarter(next);
  }
  return floorToQuarter(nowMs);
}

type PlanConfig = Pick<
  Config,
  'datasets' | 'monthlyCallBudget' | 'gapSweepHour' | 'gapSweepMaxCalls' | 'gapHorizonMs' | 'gapGiveUpMs'
>;

export function summarizeGaps(states: readonly DatasetState[]): GapSummary[] {
  return states.map((s) => {
    const live = (s.gaps ?? []).filter((g) => g.status !== 'closed');
    return {
      dataset: s.dataset,
      open: live.filter((g) => g.status === 'open').length,
      permanent: live.filter((g) => g.status === 'permanent').length,
      gaps: live.slice(0, LISTED_GAPS).map(({ from, to, reason, status }) => ({ from, to, reason, status })),
    };
  });
}

/** The open gaps of each dataset as sweep windows (one per gap day), oldest first, capped. */
export function sweepWindows(states: readonly DatasetState[], maxCalls: number): SweepWindow[] {
  const all: SweepWindow[] = [];
  for (const s of states) for (const d of sweepDays(s.gaps ?? [])) all.push({ dataset: s.dataset, ...d });
  return all
    .sort((a, b) => a.from.localeCompare(b.from) || a.dataset.localeCompare(b.dataset))
    .slice(0, maxCalls);
}

/**
 * Everything a scheduled run adds to its window: the daily gap sweep (first run from the sweep
 * hour on each UTC day), a deferral while the quota is exhausted or the budget spent, and a
 * window shrunk to what the monthly budget still allows (saying so).
 */
export function planScheduledRun(
  states: readonly DatasetState[],
  window: { from: string; to: string },
  slotMs: number,
  config: PlanConfig,
  nowMs: number,
  budgetStates: readonly DatasetState[] = states,
): Pick<IngestionInput, 'from' | 'to' | 'sweep' | 'deferred' | 'notes' | 'gaps' | 'gapPolicy'> {
  const base = {
    ...window,
    gaps: summarizeGaps(states),
    gapPolicy: { horizonMs: config.gapHorizonMs, giveUpMs: config.gapGiveUpMs },
  };
  const until = quotaExhaustedUntil(budgetStates, nowMs);
  if (until !== null) {
    return {
      ...base,
      deferred: { until, reason: `API quota exhausted until ${until} (a 429 with reset_time)` },
    };
  }
  const notes: string[] = [];
  const today = iso(slotMs).slice(0, 10);
  const sweepDue =
    new Date(slotMs).getUTCHours() >= config.gapSweepHour && states.some((s) => s.lastSweepDay !== today);
  let sweep = sweepDue ? sweepWindows(states, config.gapSweepMaxCalls) : undefined;
  const datasets: readonly DatasetId[] = config.datasets;
  const remaining = Math.max(0, config.monthlyCallBudget - callsThisMonth(budgetStates, nowMs));
  const from = Date.parse(window.from);
  let to = Date.parse(window.to);
  const mainCalls = countSlices(datasets, from, to);
  if (sweep && mainCalls + sweep.length > remaining) {
    sweep = sweep.slice(0, Math.max(0, remaining - mainCalls));
    notes.push(`gap sweep cut to ${sweep.length} call(s) by the monthly budget (${remaining} left)`);
  }
  if (mainCalls > remaining) {
    const perDataset = Math.floor(remaining / Math.max(1, datasets.length));
    if (perDataset === 0) {
      const d = new Date(nowMs);
      const nextMonth = iso(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1));
      return {
        ...base,
        deferred: {
          until: nextMonth,
          reason: `monthly API call budget spent (${config.monthlyCallBudget - remaining} of ${config.monthlyCallBudget})`,
        },
      };
    }
    to = Math.min(to, from + perDataset * DAY_MS);
    notes.push(
      `catch-up shrunk from [${window.from}, ${window.to}) to [${window.from}, ${iso(to)}) by the monthly budget: ${remaining} call(s) left`,
    );
  }
  return {
    ...base,
    to: iso(to),
    ...(sweep ? { sweep } : {}),
    ...(notes.length > 0 ? { notes } : {}),
  };
}
