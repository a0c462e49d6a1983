/**
 * Deterministic eCO2mix-like values: every value is a pure function of (region, instant), so two
 * requests for the same window return the same bytes.
 */
import { QUARTER_MS } from '../../../shared/constants';
import type { RegionProfile } from './regions';
import { wallClock, type WallClock } from './time';

/** A 32-bit integer hash of small integers, mapped to [0, 1). */
export function rnd(a: number, b: number, c = 0): number {
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
export function smooth(seed: number, hours: number, period: number): number {
  const x = hours / period;
  const i = Math.floor(x);
  const f = (1 - Math.cos((x - i) * Math.PI)) / 2;
  return rnd(seed, i) * (1 - f) + rnd(seed, i + 1) * f;
}

export function bump(h: number, centre: number, width: number): number {
  const z = (h - centre) / width;
  return Math.exp(-z * z);
}

export interface QuarterContext {
  t: number;
  hours: number;
  day: number;
  wall: WallClock;
  localHour: number;
  /** 1 in mid-January, -1 in mid-July. */
  winter: number;
  published: boolean;
}

export function quarterContext(t: number, published: boolean): QuarterContext {
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
    published,
  };
}

export interface RegionalValues {
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

export function regionalValues(r: number, p: RegionProfile, q: QuarterContext): RegionalValues {
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

export function pct(part: number, whole: number): number | null {
  if (whole <= 0) return null;
  return Math.round((part / whole) * 10000) / 100;
}
