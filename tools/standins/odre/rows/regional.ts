/** Regional rows: eco2mix-regional-tr (quarter-hourly) and eco2mix-regional-cons-def (half-hourly). */
import { datasetSpec } from '../../../../shared/datasets';
import { REGIONS, type RegionProfile } from '../regions';
import { formatDateHeure } from '../time';
import { pct, regionalValues, type QuarterContext } from '../values';
import { markNotAvailable } from './notAvailable';
import { historicalNatures, natureAt, REAL_TIME } from './natures';
import type { Row, RowEnv, RowGenerator, Slot } from './types';

const TEXT_FIELDS: ReadonlySet<string> = new Set([
  'code_insee_region',
  'libelle_region',
  'nature',
  'date',
  'heure',
  'pompage',
  'stockage_batterie',
  'destockage_batterie',
]);
const IDENTITY_FIELDS: ReadonlySet<string> = new Set([
  'code_insee_region',
  'libelle_region',
  'nature',
  'date',
  'heure',
  'date_heure',
]);
const OLD_ND = ['stockage_batterie', 'destockage_batterie', 'tco_bioenergies', 'tch_bioenergies'];
const OLD_DASH = ['nucleaire', 'pompage', 'tco_nucleaire', 'tch_nucleaire'];

function profile(slot: Slot): RegionProfile {
  const p = REGIONS[slot.region];
  if (!p) throw new RangeError(`No region at index ${slot.region}`);
  return p;
}

function head(slot: Slot, q: QuarterContext, env: RowEnv, nature: string): Row {
  const p = profile(slot);
  return {
    code_insee_region: p.code,
    libelle_region: p.name,
    nature,
    date: q.wall.date,
    heure: q.wall.heure,
    date_heure: formatDateHeure(q.t, env.timeZone),
  };
}

function regionalRow(slot: Slot, q: QuarterContext, env: RowEnv, nature: string): Row {
  const row = head(slot, q, env, nature);
  const p = profile(slot);
  const v = q.published ? regionalValues(slot.region, p, q) : null;
  const num = (x: number | undefined): number | null => (v ? (x ?? null) : null);
  const str = (x: number | undefined): string | null => (v && x !== undefined ? String(x) : null);
  row.consommation = num(v?.consommation);
  row.thermique = num(v?.thermique);
  row.nucleaire = num(v?.nucleaire);
  row.eolien = num(v?.eolien);
  row.solaire = num(v?.solaire);
  row.hydraulique = num(v?.hydraulique);
  row.pompage = str(v?.pompage);
  row.bioenergies = num(v?.bioenergies);
  row.ech_physiques = num(v?.ech_physiques);
  row.stockage_batterie = str(v?.stockage);
  row.destockage_batterie = str(v?.destockage);
  const caps: Array<[string, number, number | undefined]> = [
    ['thermique', p.thermal, v?.thermique],
    ['nucleaire', p.nuclear, v?.nucleaire],
    ['eolien', p.wind, v?.eolien],
    ['solaire', p.solar, v?.solaire],
    ['hydraulique', p.hydro, v?.hydraulique],
    ['bioenergies', p.bio, v?.bioenergies],
  ];
  for (const [name, cap, value] of caps) {
    row[`tco_${name}`] = v && value !== undefined ? pct(value, v.consommation) : null;
    row[`tch_${name}`] = v && value !== undefined ? pct(value, cap) : null;
  }
  return q.t < env.notAvailableBefore ? markNotAvailable(row, OLD_ND, OLD_DASH) : row;
}

export const regionalTr: RowGenerator = {
  textFields: TEXT_FIELDS,
  identityFields: IDENTITY_FIELDS,
  horizonDays: 1,
  forecastFields: [],
  natures: (range) =>
    range.start < range.end ? [{ nature: REAL_TIME, ...{ from: range.start, to: range.end } }] : [],
  identity: (slot, q, env) => head(slot, q, env, REAL_TIME),
  row: (slot, q, env) => {
    const row = regionalRow(slot, q, env, REAL_TIME);
    row.column_68 = null;
    return row;
  },
};

const CONS_DEF_FIELDS = datasetSpec('eco2mix-regional-cons-def').fields;

export const regionalConsDef: RowGenerator = {
  textFields: TEXT_FIELDS,
  identityFields: IDENTITY_FIELDS,
  horizonDays: 0,
  historyStart: Date.parse('2012-12-31T23:00:00Z'),
  forecastFields: [],
  natures: historicalNatures,
  identity: (slot, q, env) => head(slot, q, env, natureAt(historicalNatures(env.range), q.t)),
  row: (slot, q, env) => {
    const full = regionalRow(slot, q, env, natureAt(historicalNatures(env.range), q.t));
    const row: Row = {};
    for (const f of CONS_DEF_FIELDS) row[f] = full[f] ?? null;
    row.eolien_terrestre = full.eolien ?? null;
    return row;
  },
};
