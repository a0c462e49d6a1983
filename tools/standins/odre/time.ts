/** Paris wall clock, offsets and the two clock changes, for the stand-in's data. */

export interface WallClock {
  date: string;
  heure: string;
  /** Offset from UTC in minutes (Paris: 60 or 120). */
  offset: number;
  weekday: number;
}

export function toMs(v: string | number | Date): number {
  const ms = typeof v === 'number' ? v : typeof v === 'string' ? Date.parse(v) : v.getTime();
  if (!Number.isFinite(ms)) throw new RangeError(`Not a valid instant: ${String(v)}`);
  return ms;
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

const HOUR_MS = 3_600_000;

function lastSundayAt0100Z(year: number, monthIndex: number): number {
  const last = new Date(Date.UTC(year, monthIndex + 1, 0));
  return Date.UTC(year, monthIndex, last.getUTCDate() - last.getUTCDay(), 1);
}

/** Paris (EU rule) moves to summer time on the last Sunday of March and back on the last Sunday of October, at 01:00Z. */
export function clockChanges(year: number): { spring: number; autumn: number } {
  return { spring: lastSundayAt0100Z(year, 2), autumn: lastSundayAt0100Z(year, 9) };
}

let year: { from: number; to: number; spring: number; autumn: number } | null = null;

/** The clock changes of the UTC year containing `t` (cached: asked for every instant served). */
function changesAround(t: number): { spring: number; autumn: number } {
  if (year === null || t < year.from || t >= year.to) {
    const y = new Date(t).getUTCFullYear();
    year = { from: Date.UTC(y, 0, 1), to: Date.UTC(y + 1, 0, 1), ...clockChanges(y) };
  }
  return year;
}

/** In the spring hour after the change (01:00-01:59Z), when the portal also serves the Paris hour 02:00 that never was. */
export function inSpringGhostHour(t: number): boolean {
  const { spring } = changesAround(t);
  return t >= spring && t < spring + HOUR_MS;
}

/** The first pass of the Paris hour 02:00 in autumn (00:00-00:59Z), which the portal does not serve. */
export function inAutumnFirstPass(t: number): boolean {
  const { autumn } = changesAround(t);
  return t >= autumn - HOUR_MS && t < autumn;
}

/** The Paris midnight that starts the 1st of the month containing `ms`. */
export function parisMonthStart(ms: number): number {
  const [y, m] = wallClock(ms).date.split('-').map(Number) as [number, number];
  const naive = Date.UTC(y, m - 1, 1);
  return parisMidnightAfter(naive - 12 * HOUR_MS, 1);
}
