/**
 * The dataset registry: the one place that describes a dataset. The product (slicing, paths,
 * completeness, settings, request validation) and the ODRE stand-in both read it.
 * Adding a dataset: one entry here, plus its row generator in tools/standins/odre/ (README).
 */

/** Regional rows cover the 12 metropolitan regions (Corsica excluded), facts.md §2. */
export const REGION_CODES = ['11', '24', '27', '28', '32', '44', '52', '53', '75', '76', '84', '93'] as const;

const TCO_TCH = ['thermique', 'nucleaire', 'eolien', 'solaire', 'hydraulique', 'bioenergies'].flatMap((f) => [
  `tco_${f}`,
  `tch_${f}`,
]);

/** eco2mix-regional-tr, as served (facts.md §2). */
const REGIONAL_TR_FIELDS = [
  'code_insee_region',
  'libelle_region',
  'nature',
  'date',
  'heure',
  'date_heure',
  'consommation',
  'thermique',
  'nucleaire',
  'eolien',
  'solaire',
  'hydraulique',
  'pompage',
  'bioenergies',
  'ech_physiques',
  'stockage_batterie',
  'destockage_batterie',
  ...TCO_TCH,
  'column_68',
] as const;

/** eco2mix-national-tr, as served (facts.md §2). */
const NATIONAL_TR_FIELDS = [
  'perimetre',
  'nature',
  'date',
  'heure',
  'date_heure',
  'consommation',
  'prevision_j1',
  'prevision_j',
  'fioul',
  'charbon',
  'gaz',
  'nucleaire',
  'eolien',
  'eolien_terrestre',
  'eolien_offshore',
  'solaire',
  'hydraulique',
  'pompage',
  'bioenergies',
  'ech_physiques',
  'taux_co2',
  'ech_comm_angleterre',
  'ech_comm_espagne',
  'ech_comm_italie',
  'ech_comm_suisse',
  'ech_comm_allemagne_belgique',
  'fioul_tac',
  'fioul_cogen',
  'fioul_autres',
  'gaz_tac',
  'gaz_cogen',
  'gaz_ccg',
  'gaz_autres',
  'hydraulique_fil_eau_eclusee',
  'hydraulique_lacs',
  'hydraulique_step_turbinage',
  'bioenergies_dechets',
  'bioenergies_biomasse',
  'bioenergies_biogaz',
  'stockage_batterie',
  'destockage_batterie',
] as const;

export interface DatasetSpec {
  readonly id: string;
  /** In file names and slice keys: `eco2mix_<short>_...json`. */
  readonly short: string;
  /** The field that tells rows of one instant apart (a region code), or null for one row per instant. */
  readonly rowKey: string | null;
  /** Rows expected per instant (one per region, or one). */
  readonly rowsPerInstant: number;
  /** Minutes between two instants (15 real time; 30 in the consolidated regional data). */
  readonly resolutionMinutes: 15 | 30;
  /** The fields a row is known to carry; anything else is schema drift. */
  readonly fields: readonly string[];
  /** A row is published once this measure is non-null. */
  readonly publishedMeasure: string;
  /** Real-time datasets run on the schedule; historical ones are backfill-only. */
  readonly kind: 'real-time' | 'historical';
  /** Where data older than this dataset's first instant lives (named in a refused backfill). */
  readonly olderDataIn: string | null;
}

export const DATASET_REGISTRY = {
  'eco2mix-regional-tr': {
    id: 'eco2mix-regional-tr',
    short: 'regional',
    rowKey: 'code_insee_region',
    rowsPerInstant: REGION_CODES.length,
    resolutionMinutes: 15,
    fields: REGIONAL_TR_FIELDS,
    publishedMeasure: 'consommation',
    kind: 'real-time',
    olderDataIn: 'eco2mix-regional-cons-def',
  },
  'eco2mix-national-tr': {
    id: 'eco2mix-national-tr',
    short: 'national',
    rowKey: null,
    rowsPerInstant: 1,
    resolutionMinutes: 15,
    fields: NATIONAL_TR_FIELDS,
    publishedMeasure: 'consommation',
    kind: 'real-time',
    olderDataIn: 'eco2mix-national-cons-def',
  },
  // Consolidated and definitive data (natures `Données consolidées`, `Données définitives`), from
  // 2012 (national) and 2013 (regional) to the last consolidated release. Source: ADR 024 of
  // Erhazya/ampere (docs/decisions/024-ingestion-d-eco2mix.md, observed 2026-09-27) and its
  // src/ampere/sources/eco2mix.py: regional rows are half-hourly; national rows are quarter-hourly
  // but `consommation` and `taux_co2` are filled only at :00 and :30 (so the national measure is
  // checked at 30 minutes); `nature` tells the version of each row. The field lists are the
  // real-time ones (the same export layout, `exports/json` with every field, per that ADR);
  // no public source lists them field by field (unverified): drift is reported as a warning only.
  'eco2mix-regional-cons-def': {
    id: 'eco2mix-regional-cons-def',
    short: 'regional_cons_def',
    rowKey: 'code_insee_region',
    rowsPerInstant: REGION_CODES.length,
    resolutionMinutes: 30,
    fields: REGIONAL_TR_FIELDS.filter((f) => f !== 'column_68'),
    publishedMeasure: 'consommation',
    kind: 'historical',
    olderDataIn: null,
  },
  'eco2mix-national-cons-def': {
    id: 'eco2mix-national-cons-def',
    short: 'national_cons_def',
    rowKey: null,
    rowsPerInstant: 1,
    resolutionMinutes: 30,
    fields: NATIONAL_TR_FIELDS,
    publishedMeasure: 'consommation',
    kind: 'historical',
    olderDataIn: null,
  },
} as const satisfies Record<string, DatasetSpec>;

export type DatasetId = keyof typeof DATASET_REGISTRY;
export const DATASETS = Object.keys(DATASET_REGISTRY) as DatasetId[];
/** The datasets a scheduled run may read (the default of RTE_DATASETS). */
export const SCHEDULED_DATASETS = DATASETS.filter((d) => DATASET_REGISTRY[d].kind === 'real-time');

export function datasetSpec(id: DatasetId): DatasetSpec {
  return DATASET_REGISTRY[id];
}

export function isDatasetId(value: unknown): value is DatasetId {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(DATASET_REGISTRY, value);
}
