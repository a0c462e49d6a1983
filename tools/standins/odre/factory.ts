/**
 * Builds rows for a sequence of slots through the dataset's row generator, sharing the
 * per-instant work (wall clock, season) across the regions of one instant.
 */
import { QUARTER_MS } from '../../../shared/constants';
import type { DatasetId } from '../../../shared/datasets';
import {
  availableRange,
  DEFAULT_NOT_AVAILABLE_BEFORE,
  publishedUntil,
  slots,
  stepMs,
  type DataOptions,
} from './availability';
import { GENERATORS } from './rows';
import type { Row, RowEnv, RowGenerator, Slot } from './rows/types';
import { parisMidnightAfter } from './time';
import { quarterContext, type QuarterContext } from './values';

export class RowFactory {
  private ctx: QuarterContext | null = null;
  private readonly gen: RowGenerator;
  private readonly env: RowEnv;
  private readonly step: number;
  private readonly publishedBy: number;

  constructor(
    readonly dataset: DatasetId,
    opts: DataOptions,
    timeZone = 'UTC',
  ) {
    this.gen = GENERATORS[dataset];
    this.step = stepMs(dataset);
    this.publishedBy = publishedUntil(dataset, opts);
    this.env = {
      timeZone,
      todayEnd: parisMidnightAfter(opts.now, 1),
      range: availableRange(dataset, opts),
      notAvailableBefore: opts.notAvailableBefore ?? DEFAULT_NOT_AVAILABLE_BEFORE,
    };
  }

  get identityFields(): ReadonlySet<string> {
    return this.gen.identityFields;
  }

  private quarter(t: number): QuarterContext {
    if (this.ctx?.t !== t) this.ctx = quarterContext(t, t + this.step <= this.publishedBy);
    return this.ctx;
  }

  /** The identity fields only: cheap, for filtering. */
  identity(slot: Slot): Row {
    const row = this.gen.identity(slot, this.quarter(slot.t), this.env);
    return slot.ghost ? this.ghostHeure(row) : row;
  }

  row(slot: Slot): Row {
    const row = this.gen.row(slot, this.quarter(slot.t), this.env);
    if (!slot.ghost) return row;
    // A ghost row repeats the measures of its instant and the last forecast before the change
    // (Erhazya/ampere ADR 024).
    if (this.gen.forecastFields.length > 0) {
      const before = this.gen.row(
        { t: slot.t - QUARTER_MS, region: slot.region },
        quarterContext(slot.t - QUARTER_MS, true),
        this.env,
      );
      for (const f of this.gen.forecastFields) row[f] = before[f] ?? null;
    }
    return this.ghostHeure(row);
  }

  /** 03:xx becomes the Paris 02:xx that never was. */
  private ghostHeure(row: Row): Row {
    const heure = String(row.heure ?? '');
    row.heure = `02${heure.slice(2)}`;
    return row;
  }
}

/** Convenience: every row of [from, to), lazily. */
export function* generateRows(
  dataset: DatasetId,
  from: number,
  to: number,
  opts: DataOptions,
  order: 'asc' | 'desc' = 'asc',
): Generator<Row> {
  const factory = new RowFactory(dataset, opts);
  for (const slot of slots(dataset, from, to, opts, order)) yield factory.row(slot);
}
