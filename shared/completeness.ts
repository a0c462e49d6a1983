import { QUARTER_MS, ROWS_PER_QUARTER, type DatasetId } from './constants';
import type { Completeness } from './types';
import { iso } from './time';

const TCO_TCH = ['thermique', 'nucleaire', 'eolien', 'solaire', 'hydraulique', 'bioenergies'].flatMap((f) => [
  `tco_${f}`,
  `tch_${f}`,
]);

/** The fields each dataset is known to carry (facts.md §2); anything else is schema drift. */
export const KNOWN_FIELDS: Readonly<Record<DatasetId, readonly string[]>> = {
  'eco2mix-regional-tr': [
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
  ],
  'eco2mix-national-tr': [
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
  ],
};

/** The measure that tells whether a quarter has been published yet. */
const PUBLISHED_MEASURE = 'consommation';
const MAX_LISTED_QUARTERS = 24;

/** Counted in UTC quarters, so daylight-saving days need no special case. */
export function checkCompleteness(
  dataset: DatasetId,
  fromIso: string,
  toIso: string,
  rows: readonly Record<string, unknown>[],
): Completeness {
  const from = Date.parse(fromIso);
  const to = Date.parse(toIso);
  const perQuarter = ROWS_PER_QUARTER[dataset];
  const counts = new Map<number, number>();
  let nullMeasures = 0;
  const seen = new Set<string>();
  for (const row of rows) {
    for (const key of Object.keys(row)) seen.add(key);
    if (row[PUBLISHED_MEASURE] === null || row[PUBLISHED_MEASURE] === undefined) nullMeasures++;
    const t = typeof row.date_heure === 'string' ? Date.parse(row.date_heure) : NaN;
    if (t >= from && t < to) counts.set(t, (counts.get(t) ?? 0) + 1);
  }
  const missing: string[] = [];
  let missingCount = 0;
  let firstMissing: string | null = null;
  for (let q = Math.ceil(from / QUARTER_MS) * QUARTER_MS; q < to; q += QUARTER_MS) {
    if ((counts.get(q) ?? 0) < perQuarter) {
      missingCount++;
      firstMissing ??= iso(q);
      if (missing.length < MAX_LISTED_QUARTERS) missing.push(iso(q));
    }
  }
  const known = new Set(KNOWN_FIELDS[dataset]);
  const warnings: string[] = [];
  for (const f of [...seen].sort()) if (!known.has(f)) warnings.push(`unexpected field "${f}"`);
  if (rows.length > 0) {
    for (const f of KNOWN_FIELDS[dataset]) if (!seen.has(f)) warnings.push(`missing field "${f}"`);
  }
  return {
    expected: expectedRows(dataset, from, to),
    received: rows.length,
    nullMeasures,
    missingQuarterCount: missingCount,
    missingQuarters: missing,
    schemaWarnings: warnings,
    firstMissing,
  };
}

export function expectedRows(dataset: DatasetId, fromMs: number, toMs: number): number {
  const first = Math.ceil(fromMs / QUARTER_MS);
  const last = Math.ceil(toMs / QUARTER_MS);
  return Math.max(0, last - first) * ROWS_PER_QUARTER[dataset];
}
