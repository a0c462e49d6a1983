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
 * "Données consolidées" and "Données définitives". Source: the public ingester Erhazya/ampere
 * (ADR 024 and src/ampere/sources/eco2mix.py, observed 2026-09-27: one row per half-hour, it reads
 * code_insee_region, nature, date_heure, solaire, tch_solaire) and the ODRE dataset page. The rest
 * of the list is assumed to follow eco2mix-regional-tr without its always-null `column_68`
 * (unverified: to be refined from the portal's schema).
 */
const REGIONAL_CONS_DEF_FIELDS = REGIONAL_TR_FIELDS.filter((f) => f !== 'column_68');

/**
 * eco2mix-national-cons-def: one row per quarter, but consommation, taux_co2 and the other
 * measures are filled only at :00 and :30; prevision_j1 every quarter (Erhazya/ampere ADR 024).
 * The field list is assumed to be that of eco2mix-national-tr (unverified).
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
  },
  'eco2mix-national-cons-def': {
    id: 'eco2mix-national-cons-def',
    short: 'national_cons_def',
    rowKey: null,
    rowsPerInstant: 1,
    resolutionMinutes: 15,
    fields: NATIONAL_CONS_DEF_FIELDS,
    // Null at :15 and :45 in this dataset: completeness must not wait for those (see above).
    publishedMeasure: 'consommation',
    kind: 'historical',
  },
} as const satisfies Record<string, DatasetSpec>;

export type DatasetId = keyof typeof DATASET_REGISTRY;
/** Every dataset of the registry, real-time and historical. */
export const ALL_DATASETS = Object.keys(DATASET_REGISTRY) as DatasetId[];
/** The real-time datasets: the ones scheduled runs ingest and RTE_DATASETS defaults to. */
export const DATASETS = ALL_DATASETS.filter((d) => DATASET_REGISTRY[d].kind === 'real-time');

export function datasetSpec(id: DatasetId): DatasetSpec {
  return DATASET_REGISTRY[id];
}

export function isDatasetId(value: unknown): value is DatasetId {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(DATASET_REGISTRY, value);
}
