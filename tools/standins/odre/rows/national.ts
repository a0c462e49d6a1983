/** National rows: eco2mix-national-tr and eco2mix-national-cons-def (both quarter-hourly). */
import { QUARTER_MS } from '../../../../shared/constants';
import { datasetSpec } from '../../../../shared/datasets';
import { REGIONS } from '../regions';
import { formatDateHeure } from '../time';
import { regionalValues, rnd, smooth, type QuarterContext, type RegionalValues } from '../values';
import { markNotAvailable } from './notAvailable';
import { historicalNatures, natureAt, REAL_TIME } from './natures';
import type { Row, RowEnv, RowGenerator } from './types';

const TEXT_FIELDS: ReadonlySet<string> = new Set([
  'perimetre',
  'nature',
  'date',
  'heure',
  'eolien_terrestre',
  'eolien_offshore',
  'ech_comm_angleterre',
  'stockage_batterie',
  'destockage_batterie',
]);
const IDENTITY_FIELDS: ReadonlySet<string> = new Set(['perimetre', 'nature', 'date', 'heure', 'date_heure']);
const OLD_ND = ['stockage_batterie', 'destockage_batterie', 'eolien_terrestre', 'eolien_offshore'];
const OLD_DASH = ['charbon', 'fioul_tac'];
const FORECASTS = ['prevision_j1', 'prevision_j'];

function head(q: QuarterContext, env: RowEnv, nature: string): Row {
  return {
    perimetre: 'France',
    nature,
    date: q.wall.date,
    heure: q.wall.heure,
    date_heure: formatDateHeure(q.t, env.timeZone),
  };
}

function nationalRow(q: QuarterContext, env: RowEnv, nature: string, measured: boolean): Row {
  const sum: RegionalValues = {
    consommation: 0,
    thermique: 0,
    nucleaire: 0,
    eolien: 0,
    solaire: 0,
    hydraulique: 0,
    pompage: 0,
    bioenergies: 0,
    stockage: 0,
    destockage: 0,
    ech_physiques: 0,
  };
  REGIONS.forEach((p, r) => {
    const v = regionalValues(r, p, q);
    for (const k of Object.keys(sum) as Array<keyof RegionalValues>) sum[k] += v[k];
  });
  const seed = 997;
  const quarterIndex = q.t / QUARTER_MS;
  const round100 = (x: number): number => Math.round(x / 100) * 100;
  const row = head(q, env, nature);
  const n = (x: number): number | null => (measured ? x : null);
  const s = (x: number): string | null => (measured ? String(x) : null);
  const gaz = Math.round(sum.thermique * 0.84);
  const charbon = Math.round(sum.thermique * 0.02);
  const fioul = sum.thermique - gaz - charbon;
  const offshore = Math.round(sum.eolien * 0.12);
  const production =
    sum.thermique + sum.nucleaire + sum.eolien + sum.solaire + sum.hydraulique + sum.bioenergies;
  const co2 = Math.round(
    (gaz * 429 + fioul * 777 + charbon * 986 + sum.bioenergies * 60) / Math.max(production, 1),
  );
  const halfHour = q.wall.heure.endsWith(':00') || q.wall.heure.endsWith(':30');
  const ech = (k: number, scale: number): number =>
    Math.round(scale * (smooth(seed + k, q.hours, 6) * 2 - 0.7));
  const commNum = (k: number, scale: number): number | null => (measured && halfHour ? ech(k, scale) : null);
  row.consommation = n(sum.consommation);
  row.prevision_j1 = round100(sum.consommation * (0.985 + 0.03 * rnd(seed, quarterIndex, 1)));
  // The intraday forecast exists only up to the end of the server's current day.
  row.prevision_j =
    q.t < env.todayEnd ? round100(sum.consommation * (0.993 + 0.014 * rnd(seed, quarterIndex, 2))) : null;
  row.fioul = n(fioul);
  row.charbon = n(charbon);
  row.gaz = n(gaz);
  row.nucleaire = n(sum.nucleaire);
  row.eolien = n(sum.eolien);
  row.eolien_terrestre = s(sum.eolien - offshore);
  row.eolien_offshore = s(offshore);
  row.solaire = n(sum.solaire);
  row.hydraulique = n(sum.hydraulique);
  row.pompage = n(sum.pompage);
  row.bioenergies = n(sum.bioenergies);
  row.ech_physiques = n(sum.ech_physiques);
  row.taux_co2 = n(co2);
  row.ech_comm_angleterre = measured && halfHour ? String(ech(1, 2500)) : null;
  row.ech_comm_espagne = commNum(2, 2800);
  row.ech_comm_italie = commNum(3, 3000);
  row.ech_comm_suisse = commNum(4, 2600);
  row.ech_comm_allemagne_belgique = commNum(5, 3500);
  row.fioul_tac = n(Math.round(fioul * 0.2));
  row.fioul_cogen = n(Math.round(fioul * 0.35));
  row.fioul_autres = n(fioul - Math.round(fioul * 0.2) - Math.round(fioul * 0.35));
  row.gaz_tac = n(Math.round(gaz * 0.03));
  row.gaz_cogen = n(Math.round(gaz * 0.2));
  row.gaz_ccg = n(Math.round(gaz * 0.7));
  row.gaz_autres = n(gaz - Math.round(gaz * 0.03) - Math.round(gaz * 0.2) - Math.round(gaz * 0.7));
  const fil = Math.round(sum.hydraulique * 0.55);
  const lacs = Math.round(sum.hydraulique * 0.33);
  row.hydraulique_fil_eau_eclusee = n(fil);
  row.hydraulique_lacs = n(lacs);
  row.hydraulique_step_turbinage = n(sum.hydraulique - fil - lacs);
  const dechets = Math.round(sum.bioenergies * 0.3);
  const biomasse = Math.round(sum.bioenergies * 0.42);
  row.bioenergies_dechets = n(dechets);
  row.bioenergies_biomasse = n(biomasse);
  row.bioenergies_biogaz = n(sum.bioenergies - dechets - biomasse);
  row.stockage_batterie = s(sum.stockage);
  row.destockage_batterie = s(sum.destockage);
  return q.t < env.notAvailableBefore ? markNotAvailable(row, OLD_ND, OLD_DASH) : row;
}

export const nationalTr: RowGenerator = {
  textFields: TEXT_FIELDS,
  identityFields: IDENTITY_FIELDS,
  horizonDays: 2,
  forecastFields: FORECASTS,
  natures: (range) =>
    range.start < range.end ? [{ nature: REAL_TIME, from: range.start, to: range.end }] : [],
  identity: (_slot, q, env) => head(q, env, REAL_TIME),
  row: (_slot, q, env) => nationalRow(q, env, REAL_TIME, q.published),
};

const CONS_DEF_FIELDS = datasetSpec('eco2mix-national-cons-def').fields;

/**
 * Consolidated and definitive national rows come every quarter, but only the forecasts are filled
 * at :15 and :45 (Erhazya/ampere ADR 024, observed 2026-09-27).
 */
export const nationalConsDef: RowGenerator = {
  textFields: TEXT_FIELDS,
  identityFields: IDENTITY_FIELDS,
  horizonDays: 0,
  // One row per quarter; the registry's 30 minutes is the step of its measure (:00 and :30).
  rowStepMinutes: 15,
  historyStart: Date.parse('2011-12-31T23:00:00Z'),
  forecastFields: FORECASTS,
  natures: historicalNatures,
  identity: (_slot, q, env) => head(q, env, natureAt(historicalNatures(env.range), q.t)),
  row: (_slot, q, env) => {
    const halfHour = q.t % (2 * QUARTER_MS) === 0;
    const full = nationalRow(q, env, natureAt(historicalNatures(env.range), q.t), halfHour);
    const row: Row = {};
    for (const f of CONS_DEF_FIELDS) row[f] = full[f] ?? null;
    return row;
  },
};
