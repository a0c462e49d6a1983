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

/**
 * eco2mix-regional-cons-def: the consolidated and definitive regional data, half-hourly, natures
 * "Données consolidées" and "Données définitives". The list is the real-time one with
 * `eolien_terrestre` and `eolien_offshore` added and its trailing unnamed column called
 * `column_30` instead of `column_68`. Sources (public code read 2026-12-02): an Avro model of
 * this export (`io.mend.electrix.ingestion.ConsommationRegionale`, every field above), a Python
 * ingester of `eco2mix-regional-cons-def/exports/json` that drops `date_heure`, `nature` and
 * `column_30` and reads the tco_/tch_ rates, and Erhazya/ampere (ADR 024: one row per half-hour,
 * code_insee_region, nature, date_heure, solaire, tch_solaire). Not checked against the portal's
 * own schema (unreachable here): a field the portal adds shows as a schema warning, never a loss.
 */
const REGIONAL_CONS_DEF_FIELDS = [
  ...REGIONAL_TR_FIELDS.filter((f) => f !== 'column_68'),
  'eolien_terrestre',
  'eolien_offshore',
  'column_30',
] as const;

/**
 * eco2mix-national-cons-def: one row per quarter, but consommation, taux_co2 and the other
 * measures are filled only at :00 and :30; prevision_j1 every quarter (Erhazya/ampere ADR 024).
 * Public readers of this export use perimetre, nature, date_heure, consommation, prevision_j,
 * prevision_j1 and solaire, all in the real-time list; the rest of the list is assumed to be the
 * real-time one (not checked against the portal's schema, unreachable here).
 */
const NATIONAL_CONS_DEF_FIELDS = NATIONAL_TR_FIELDS;

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
  'eco2mix-regional-cons-def': {
    id: 'eco2mix-regional-cons-def',
    short: 'regional_cons_def',
    rowKey: 'code_insee_region',
    rowsPerInstant: REGION_CODES.length,
    resolutionMinutes: 30,
    fields: REGIONAL_CONS_DEF_FIELDS,
    publishedMeasure: 'consommation',
    kind: 'historical',
    olderDataIn: null,
  },
  'eco2mix-national-cons-def': {
    id: 'eco2mix-national-cons-def',
    short: 'national_cons_def',
    rowKey: null,
    rowsPerInstant: 1,
    // Rows every 15 minutes, but `consommation` only at :00 and :30 (Erhazya/ampere ADR 024):
    // completeness checks the published measure at 30 minutes, so it never waits for :15/:45.
    resolutionMinutes: 30,
    fields: NATIONAL_CONS_DEF_FIELDS,
    publishedMeasure: 'consommation',
    kind: 'historical',
    olderDataIn: null,
  },
} as const satisfies Record<string, DatasetSpec>;

export type DatasetId = keyof typeof DATASET_REGISTRY;
/** Every dataset of the registry, real-time and historical. */
export const ALL_DATASETS = Object.keys(DATASET_REGISTRY) as DatasetId[];
/** The real-time datasets: the ones scheduled runs ingest and RTE_DATASETS defaults to. */
export const DATASETS = ALL_DATASETS.filter((d) => DATASET_REGISTRY[d].kind === 'real-time');
/** The datasets a scheduled run may read (alias of DATASETS). */
export const SCHEDULED_DATASETS = DATASETS;

export function datasetSpec(id: DatasetId): DatasetSpec {
  return DATASET_REGISTRY[id];
}

export function isDatasetId(value: unknown): value is DatasetId {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(DATASET_REGISTRY, value);
}
