/**
 * Deterministic eCO2mix-like data for the ODRE stand-in. Every value is a pure function of
 * (dataset, region, quarter), so two requests for the same window return the same bytes, and
 * nothing is materialised beyond the rows being streamed.
 */
import { QUARTER_MS, type DatasetId } from '../../../shared/constants';

export type FieldValue = string | number | null;
export type Row = Record<string, FieldValue>;

interface RegionProfile {
  code: string;
  name: string;
  /** Typical load and installed capacities, MW. */
  load: number;
  nuclear: number;
  wind: number;
  solar: number;
  hydro: number;
  thermal: number;
  bio: number;
  /** Pumped storage (STEP) capacity, MW. */
  pumping: number;
}

export const REGIONS: readonly RegionProfile[] = [
  {
    code: '11',
    name: 'Île-de-France',
    load: 8200,
    nuclear: 0,
    wind: 90,
    solar: 180,
    hydro: 20,
    thermal: 1800,
    bio: 260,
    pumping: 0,
  },
  {
    code: '24',
    name: 'Centre-Val de Loire',
    load: 2300,
    nuclear: 11600,
    wind: 1500,
    solar: 700,
    hydro: 40,
    thermal: 300,
    bio: 90,
    pumping: 0,
  },
  {
    code: '27',
    name: 'Bourgogne-Franche-Comté',
    load: 2500,
    nuclear: 0,
    wind: 1100,
    solar: 800,
    hydro: 500,
    thermal: 350,
    bio: 120,
    pumping: 0,
  },
  {
    code: '28',
    name: 'Normandie',
    load: 3100,
    nuclear: 9800,
    wind: 1500,
    solar: 400,
    hydro: 60,
    thermal: 600,
    bio: 110,
    pumping: 0,
  },
  {
    code: '32',
    name: 'Hauts-de-France',
    load: 5200,
    nuclear: 5500,
    wind: 5900,
    solar: 900,
    hydro: 30,
    thermal: 2400,
    bio: 210,
    pumping: 0,
  },
  {
    code: '44',
    name: 'Grand Est',
    load: 5100,
    nuclear: 8500,
    wind: 4200,
    solar: 1300,
    hydro: 2200,
    thermal: 1900,
    bio: 220,
    pumping: 1100,
  },
  {
    code: '52',
    name: 'Pays de la Loire',
    load: 3300,
    nuclear: 0,
    wind: 1900,
    solar: 1400,
    hydro: 20,
    thermal: 1300,
    bio: 100,
    pumping: 0,
  },
  {
    code: '53',
    name: 'Bretagne',
    load: 2800,
    nuclear: 0,
    wind: 1600,
    solar: 500,
    hydro: 280,
    thermal: 500,
    bio: 90,
    pumping: 0,
  },
  {
    code: '75',
    name: 'Nouvelle-Aquitaine',
    load: 5100,
    nuclear: 6600,
    wind: 1800,
    solar: 4800,
    hydro: 2300,
    thermal: 300,
    bio: 240,
    pumping: 0,
  },
  {
    code: '76',
    name: 'Occitanie',
    load: 4600,
    nuclear: 2600,
    wind: 1900,
    solar: 3400,
    hydro: 5400,
    thermal: 200,
    bio: 150,
    pumping: 400,
  },
  {
    code: '84',
    name: 'Auvergne-Rhône-Alpes',
    load: 6800,
    nuclear: 13600,
    wind: 700,
    solar: 2300,
    hydro: 11600,
    thermal: 900,
    bio: 230,
    pumping: 3400,
  },
  {
    code: '93',
    name: "Provence-Alpes-Côte d'Azur",
    load: 4700,
    nuclear: 0,
    wind: 100,
    solar: 2900,
    hydro: 3200,
    thermal: 1900,
    bio: 180,
    pumping: 150,
  },
];

const NATURE = 'Données temps réel';

export const REGIONAL_FIELDS = [
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
  'tco_thermique',
  'tch_thermique',
  'tco_nucleaire',
  'tch_nucleaire',
  'tco_eolien',
  'tch_eolien',
  'tco_solaire',
  'tch_solaire',
  'tco_hydraulique',
  'tch_hydraulique',
  'tco_bioenergies',
  'tch_bioenergies',
  'column_68',
] as const;

// Kept apart from the app's KNOWN_FIELDS on purpose: the stand-in mirrors the real API, not the app.
export const NATIONAL_FIELDS = [
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

export const FIELDS: Readonly<Record<DatasetId, readonly string[]>> = {
  'eco2mix-regional-tr': REGIONAL_FIELDS,
  'eco2mix-national-tr': NATIONAL_FIELDS,
  // Placeholders until the stand-in serves the consolidated datasets (isDataset refuses them).
  'eco2mix-regional-cons-def': REGIONAL_FIELDS,
  'eco2mix-national-cons-def': NATIONAL_FIELDS,
};

/** Fields typed `text` in the portal schema (the others are numbers, plus `date_heure`). */
export const TEXT_FIELDS: Readonly<Record<DatasetId, ReadonlySet<string>>> = {
  'eco2mix-regional-tr': new Set([
    'code_insee_region',
    'libelle_region',
    'nature',
    'date',
    'heure',
    'pompage',
    'stockage_batterie',
    'destockage_batterie',
  ]),
  'eco2mix-national-tr': new Set([
    'perimetre',
    'nature',
    'date',
    'heure',
    'eolien_terrestre',
    'eolien_offshore',
    'ech_comm_angleterre',
    'stockage_batterie',
    'destockage_batterie',
  ]),
  'eco2mix-regional-cons-def': new Set(),
  'eco2mix-national-cons-def': new Set(),
};

/** Fields computable without generating the measures (used to filter cheaply). */
export const IDENTITY_FIELDS: ReadonlySet<string> = new Set([
  'code_insee_region',
  'libelle_region',
  'perimetre',
  'nature',
  'date',
  'heure',
  'date_heure',
]);

export function isDataset(id: string): id is DatasetId {
  return id === 'eco2mix-regional-tr' || id === 'eco2mix-national-tr';
}

/** A declared hole in the data: quarters in [from, to) are absent (for some regions, or all). */
export interface GapSpec {
  dataset?: DatasetId;
  from: string | number | Date;
  /** Defaults to one quarter after `from`. */
  to?: string | number | Date;
  /** Region codes; all regions when omitted. Ignored for the national dataset. */
  regions?: string[];
}

export interface DataOptions {
  /** The server's clock, epoch ms. */
  now: number;
  gaps?: readonly GapSpec[];
  /** First quarter of the datasets, epoch ms. Defaults to 2025-01-01 00:00 Paris. */
  dataStart?: number;
  /** A quarter carries null measures until this long after its end. Defaults to one hour. */
  publishDelayMs?: number;
}

export const DEFAULT_DATA_START = Date.parse('2024-12-31T23:00:00Z');
export const DEFAULT_PUBLISH_DELAY_MS = 60 * 60 * 1000;

/** One row position: a quarter and, for the regional dataset, a region index into REGIONS. */
export interface Slot {
  t: number;
  region: number;
}

export function toMs(v: string | number | Date): number {
  const ms = typeof v === 'number' ? v : typeof v === 'string' ? Date.parse(v) : v.getTime();
  if (!Number.isFinite(ms)) throw new RangeError(`Not a valid instant: ${String(v)}`);
  return ms;
}

// ---------------------------------------------------------------- time zones

interface WallClock {
  date: string;
  heure: string;
  /** Offset from UTC in minutes (Paris: 60 or 120). */
  offset: number;
  weekday: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Throws RangeError for an unknown IANA zone. */
export function assertTimeZone(timeZone: string): void {
  formatterFor(timeZone);
}

export function wallClock(ms: number, timeZone = 'Europe/Paris'): WallClock {
  const parts: Record<string, string> = {};
  for (const p of formatterFor(timeZone).formatToParts(ms)) parts[p.type] = p.value;
  const y = Number(parts.year);
  const mo = Number(parts.month);
  const d = Number(parts.day);
  const h = Number(parts.hour);
  const mi = Number(parts.minute);
  const local = Date.UTC(y, mo - 1, d, h, mi);
  const minuteMs = Math.floor(ms / 60_000) * 60_000;
  return {
    date: `${parts.year}-${parts.month}-${parts.day}`,
    heure: `${parts.hour}:${parts.minute}`,
    offset: Math.round((local - minuteMs) / 60_000),
    weekday: new Date(Date.UTC(y, mo - 1, d)).getUTCDay(),
  };
}

/** `2026-03-25T02:30:00+00:00`, or the instant in another zone's offset. */
export function formatDateHeure(ms: number, timeZone = 'UTC'): string {
  const offset = timeZone === 'UTC' ? 0 : wallClock(ms, timeZone).offset;
  const local = new Date(ms + offset * 60_000).toISOString().slice(0, 19);
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  return `${local}${sign}${pad2(Math.floor(abs / 60))}:${pad2(abs % 60)}`;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** The UTC instant of Paris midnight `days` days after the Paris day containing `ms`. */
export function parisMidnightAfter(ms: number, days: number): number {
  const wc = wallClock(ms);
  const [y, m, d] = wc.date.split('-').map(Number) as [number, number, number];
  const naive = Date.UTC(y, m - 1, d + days);
  let guess = naive - wc.offset * 60_000;
  const off = wallClock(guess).offset;
  guess = naive - off * 60_000;
  return guess;
}

// ---------------------------------------------------------------- availability

/** [start, end) of the rows that exist at `now`, epoch ms, quarter aligned. */
export function availableRange(dataset: DatasetId, opts: DataOptions): { start: number; end: number } {
  const start = alignUp(opts.dataStart ?? DEFAULT_DATA_START);
  const days = dataset === 'eco2mix-national-tr' ? 2 : 1;
  return { start, end: parisMidnightAfter(opts.now, days) };
}

function alignUp(ms: number): number {
  return Math.ceil(ms / QUARTER_MS) * QUARTER_MS;
}

interface ResolvedGap {
  from: number;
  to: number;
  regions: Set<string> | null;
}

function resolveGaps(dataset: DatasetId, gaps: readonly GapSpec[] | undefined): ResolvedGap[] {
  if (!gaps) return [];
  return gaps
    .filter((g) => g.dataset === undefined || g.dataset === dataset)
    .map((g) => {
      const from = toMs(g.from);
      return {
        from,
        to: g.to === undefined ? from + QUARTER_MS : toMs(g.to),
        regions: g.regions && dataset === 'eco2mix-regional-tr' ? new Set(g.regions) : null,
      };
    });
}

/**
 * Row positions in [from, to) intersected with what exists, ascending or descending by time
 * (regions in code order within a quarter either way, as the portal sorts only on date_heure).
 */
export function* slots(
  dataset: DatasetId,
  from: number,
  to: number,
  opts: DataOptions,
  order: 'asc' | 'desc' = 'asc',
): Generator<Slot> {
  const range = availableRange(dataset, opts);
  const lo = alignUp(Math.max(from, range.start));
  const hi = Math.min(to, range.end);
  if (lo >= hi) return;
  const gaps = resolveGaps(dataset, opts.gaps);
  const regionCount = dataset === 'eco2mix-regional-tr' ? REGIONS.length : 1;
  const lastQuarter = Math.ceil(hi / QUARTER_MS) * QUARTER_MS - QUARTER_MS;
  const step = order === 'asc' ? QUARTER_MS : -QUARTER_MS;
  for (let t = order === 'asc' ? lo : lastQuarter; order === 'asc' ? t < hi : t >= lo; t += step) {
    const active = gaps.filter((g) => t >= g.from && t < g.to);
    for (let r = 0; r < regionCount; r++) {
      if (active.length > 0) {
        const code = dataset === 'eco2mix-regional-tr' ? REGIONS[r]?.code : undefined;
        if (active.some((g) => g.regions === null || (code !== undefined && g.regions.has(code)))) continue;
      }
      yield { t, region: dataset === 'eco2mix-regional-tr' ? r : -1 };
    }
  }
}

// ---------------------------------------------------------------- values

/** A 32-bit integer hash of small integers, mapped to [0, 1). */
function rnd(a: number, b: number, c = 0): number {
  let h = 0x811c9dc5 ^ a;
  h = Math.imul(h ^ (b | 0), 0x01000193);
  h = Math.imul(h ^ Math.floor(b / 4294967296), 0x01000193);
  h = Math.imul(h ^ c, 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 4294967296;
}

/** Smooth noise in [0, 1): cosine interpolation between hashed knots `period` hours apart. */
function smooth(seed: number, hours: number, period: number): number {
  const x = hours / period;
  const i = Math.floor(x);
  const f = (1 - Math.cos((x - i) * Math.PI)) / 2;
  return rnd(seed, i) * (1 - f) + rnd(seed, i + 1) * f;
}

function bump(h: number, centre: number, width: number): number {
  const z = (h - centre) / width;
  return Math.exp(-z * z);
}

interface QuarterContext {
  t: number;
  hours: number;
  day: number;
  wall: WallClock;
  localHour: number;
  /** 1 in mid-January, -1 in mid-July. */
  winter: number;
  published: boolean;
}

function quarterContext(t: number, opts: DataOptions): QuarterContext {
  const wall = wallClock(t);
  const [hh, mm] = wall.heure.split(':').map(Number) as [number, number];
  const start = Date.UTC(new Date(t).getUTCFullYear(), 0, 1);
  const doy = (t - start) / 86_400_000;
  return {
    t,
    hours: t / 3_600_000,
    day: Math.floor(t / 86_400_000),
    wall,
    localHour: hh + mm / 60,
    winter: Math.cos((2 * Math.PI * (doy - 15)) / 365),
    published: t + QUARTER_MS <= opts.now - (opts.publishDelayMs ?? DEFAULT_PUBLISH_DELAY_MS),
  };
}

interface RegionalValues {
  consommation: number;
  thermique: number;
  nucleaire: number;
  eolien: number;
  solaire: number;
  hydraulique: number;
  pompage: number;
  bioenergies: number;
  stockage: number;
  destockage: number;
  ech_physiques: number;
}

function regionalValues(r: number, p: RegionProfile, q: QuarterContext): RegionalValues {
  const seed = (r + 1) * 16;
  const h = q.localHour;
  const weekend = q.wall.weekday === 0 || q.wall.weekday === 6 ? 0.9 : 1;
  const shape = 0.78 + 0.12 * bump(h, 8.5, 2.5) + 0.08 * bump(h, 13, 3) + 0.2 * bump(h, 19.5, 2.2);
  const consommation = Math.round(
    p.load * (1 + 0.22 * q.winter) * shape * weekend * (0.97 + 0.06 * smooth(seed + 1, q.hours, 3)),
  );

  const halfDay = 6 - 2.2 * q.winter;
  const noon = q.wall.offset === 120 ? 14 : 13;
  const sun = Math.abs(h - noon) < halfDay ? Math.cos(((h - noon) / halfDay) * (Math.PI / 2)) : 0;
  const solaire = Math.round(
    p.solar * Math.pow(sun, 1.3) * (0.55 - 0.25 * q.winter) * (0.35 + 0.65 * smooth(seed + 2, q.hours, 4)),
  );

  const eolien = Math.round(
    p.wind *
      Math.min(0.95, (0.04 + 0.7 * Math.pow(smooth(seed + 3, q.hours, 7), 1.6)) * (1 + 0.25 * q.winter)),
  );
  const nucleaire = Math.round(p.nuclear * (0.55 + 0.3 * rnd(seed + 4, q.day) + 0.08 * q.winter));
  const peak = bump(h, 8.5, 2) + bump(h, 19.5, 2);
  const hydraulique = Math.round(
    p.hydro * (0.12 + 0.22 * peak + 0.15 * smooth(seed + 5, q.hours, 12) + 0.05 * q.winter),
  );
  const thermique = Math.round(
    p.thermal *
      (0.08 + 0.35 * Math.max(0, q.winter) + 0.12 * peak) *
      (0.8 + 0.4 * smooth(seed + 6, q.hours, 5)),
  );
  const bioenergies = Math.round(p.bio * (0.68 + 0.12 * smooth(seed + 7, q.hours, 24)));
  const night = h < 6 || h >= 23 ? 1 : 0;
  const pompage = -Math.round(p.pumping * night * (0.3 + 0.5 * smooth(seed + 8, q.hours, 2)));
  const battery = rnd(seed + 9, q.t / QUARTER_MS);
  const stockage = night ? -Math.round(2 + 10 * battery) : battery < 0.5 ? 0 : -Math.round(8 * battery);
  const destockage = h >= 18 && h < 22 ? Math.round(3 + 12 * battery) : 0;
  const production = thermique + nucleaire + eolien + solaire + hydraulique + bioenergies;
  return {
    consommation,
    thermique,
    nucleaire,
    eolien,
    solaire,
    hydraulique,
    pompage,
    bioenergies,
    stockage,
    destockage,
    ech_physiques: consommation - (production + pompage + stockage + destockage),
  };
}

function pct(part: number, whole: number): number | null {
  if (whole <= 0) return null;
  return Math.round((part / whole) * 10000) / 100;
}

function regionalRow(slot: Slot, q: QuarterContext, timeZone: string): Row {
  const p = REGIONS[slot.region];
  if (!p) throw new RangeError(`No region at index ${slot.region}`);
  const row: Row = {
    code_insee_region: p.code,
    libelle_region: p.name,
    nature: NATURE,
    date: q.wall.date,
    heure: q.wall.heure,
    date_heure: formatDateHeure(q.t, timeZone),
  };
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
  row.column_68 = null;
  return row;
}

function nationalRow(q: QuarterContext, timeZone: string, todayEnd: number): Row {
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
  const row: Row = {
    perimetre: 'France',
    nature: NATURE,
    date: q.wall.date,
    heure: q.wall.heure,
    date_heure: formatDateHeure(q.t, timeZone),
  };
  const measured = q.published;
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
    q.t < todayEnd ? round100(sum.consommation * (0.993 + 0.014 * rnd(seed, quarterIndex, 2))) : null;
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
  return row;
}

/**
 * Builds rows for a sequence of slots, sharing the per-quarter work (wall clock, season) across
 * the regions of one quarter.
 */
export class RowFactory {
  private ctx: QuarterContext | null = null;
  private readonly todayEnd: number;

  constructor(
    readonly dataset: DatasetId,
    private readonly opts: DataOptions,
    private readonly timeZone = 'UTC',
  ) {
    this.todayEnd = parisMidnightAfter(opts.now, 1);
  }

  private quarter(t: number): QuarterContext {
    if (this.ctx?.t !== t) this.ctx = quarterContext(t, this.opts);
    return this.ctx;
  }

  /** The identity fields only: cheap, for filtering. */
  identity(slot: Slot): Row {
    const q = this.quarter(slot.t);
    const head: Row = {};
    if (this.dataset === 'eco2mix-regional-tr') {
      const p = REGIONS[slot.region];
      head.code_insee_region = p?.code ?? null;
      head.libelle_region = p?.name ?? null;
    } else head.perimetre = 'France';
    head.nature = NATURE;
    head.date = q.wall.date;
    head.heure = q.wall.heure;
    head.date_heure = formatDateHeure(q.t, this.timeZone);
    return head;
  }

  row(slot: Slot): Row {
    const q = this.quarter(slot.t);
    return this.dataset === 'eco2mix-regional-tr'
      ? regionalRow(slot, q, this.timeZone)
      : nationalRow(q, this.timeZone, this.todayEnd);
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
