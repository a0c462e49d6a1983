/** What a dataset's row generator provides to the stand-in (the rest comes from the dataset registry). */
import type { QuarterContext } from '../values';

export type FieldValue = string | number | null;
export type Row = Record<string, FieldValue>;

/** One row position: an instant and, for datasets with a row key, a region index into REGIONS. */
export interface Slot {
  t: number;
  region: number;
  /** A spring ghost row: the Paris hour 02:00 that does not exist, served at 01:00-01:45Z. */
  ghost?: boolean;
}

export interface RowEnv {
  timeZone: string;
  /** End of the server's Paris day (the intraday forecast stops there). */
  todayEnd: number;
  /** [start, end) of what the dataset holds at the server's now. */
  range: { start: number; end: number };
  /** Rows before this instant carry "ND" and "-" for the values they lack. */
  notAvailableBefore: number;
}

export interface NaturePeriod {
  nature: string;
  from: number;
  to: number;
}

export interface RowGenerator {
  /** Fields typed `text` in the portal schema (the others are numbers, plus `date_heure`). */
  readonly textFields: ReadonlySet<string>;
  /** Fields computable without the measures (filters on them are cheap). */
  readonly identityFields: ReadonlySet<string>;
  /** Real time: rows run to the end of this many Paris days from the server's day. */
  readonly horizonDays: number;
  /**
   * Minutes between two rows when they differ from the registry's resolution: the national
   * consolidated data has a row every quarter, though the registry checks its measure every 30.
   */
  readonly rowStepMinutes?: 15 | 30;
  /** Historical datasets: the first instant they hold. */
  readonly historyStart?: number;
  /** Forecast fields, which a ghost row repeats from the last real quarter. */
  readonly forecastFields: readonly string[];
  /** The `nature` of the rows over [start, end). */
  natures(range: { start: number; end: number }): NaturePeriod[];
  identity(slot: Slot, q: QuarterContext, env: RowEnv): Row;
  row(slot: Slot, q: QuarterContext, env: RowEnv): Row;
}
