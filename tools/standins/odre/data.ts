/**
 * Deterministic eCO2mix-like data for the ODRE stand-in: the datasets of the registry
 * (shared/datasets.ts), each through its row generator (rows/). Nothing is materialised beyond
 * the rows being streamed.
 */
import { datasetSpec, isDatasetId, type DatasetId } from '../../../shared/datasets';
import { GENERATORS } from './rows';

export * from './availability';
export * from './factory';
export { REGIONS } from './regions';
export type { FieldValue, Row, Slot } from './rows/types';
export * from './time';

export const REGIONAL_FIELDS = datasetSpec('eco2mix-regional-tr').fields;
export const NATIONAL_FIELDS = datasetSpec('eco2mix-national-tr').fields;

export function fieldsOf(dataset: DatasetId): readonly string[] {
  return datasetSpec(dataset).fields;
}

export function textFieldsOf(dataset: DatasetId): ReadonlySet<string> {
  return GENERATORS[dataset].textFields;
}

export function isDataset(id: string): id is DatasetId {
  return isDatasetId(id);
}
