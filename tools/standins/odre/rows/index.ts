/** One row generator per dataset of the registry: adding a dataset is its registry entry plus its generator here. */
import type { DatasetId } from '../../../../shared/datasets';
import { nationalConsDef, nationalTr } from './national';
import { regionalConsDef, regionalTr } from './regional';
import type { RowGenerator } from './types';

export const GENERATORS: Readonly<Record<DatasetId, RowGenerator>> = {
  'eco2mix-regional-tr': regionalTr,
  'eco2mix-national-tr': nationalTr,
  'eco2mix-regional-cons-def': regionalConsDef,
  'eco2mix-national-cons-def': nationalConsDef,
};
