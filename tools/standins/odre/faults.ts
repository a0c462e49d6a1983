/** Fault rules: validation of rules from JSON, and the book of active rules that requests consume. */
import type { Endpoint, FaultKind, FaultRule } from './types';

export const FAULT_NAMES = ['timeout', 'drop', 'truncate', 'malformed', 'html', 'empty'] as const;

function isFaultKind(k: unknown): k is FaultKind {
  return (
    (typeof k === 'number' && Number.isInteger(k) && k >= 100 && k <= 599) ||
    (typeof k === 'string' && (FAULT_NAMES as readonly string[]).includes(k))
  );
}

function instant(name: string, v: unknown): string {
  if (typeof v !== 'string' || !Number.isFinite(Date.parse(v)))
    throw new Error(`${name} must be an ISO-8601 instant`);
  return v;
}

/** Validates a rule from JSON; throws with a readable message. */
export function parseFaultRule(raw: unknown): FaultRule {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new Error('a fault rule must be an object');
  const r = raw as Record<string, unknown>;
  const kind = typeof r.kind === 'string' && /^\d{3}$/.test(r.kind) ? Number(r.kind) : r.kind;
  if (!isFaultKind(kind)) {
    throw new Error(
      `kind must be an HTTP status or one of ${FAULT_NAMES.join(', ')}, got ${JSON.stringify(r.kind)}`,
    );
  }
  const rule: FaultRule = { kind };
  if (r.dataset !== undefined) {
    if (typeof r.dataset !== 'string') throw new Error('dataset must be a string');
    rule.dataset = r.dataset;
  }
  if (r.endpoint !== undefined) {
    if (r.endpoint !== 'records' && r.endpoint !== 'exports' && r.endpoint !== 'token') {
      throw new Error('endpoint must be records, exports or token');
    }
    rule.endpoint = r.endpoint;
  }
  if (r.times !== undefined) {
    if (r.times !== 'forever' && !(typeof r.times === 'number' && Number.isInteger(r.times) && r.times > 0)) {
      throw new Error('times must be a positive whole number or "forever"');
    }
    rule.times = r.times;
  }
  if (r.from !== undefined) rule.from = instant('from', r.from);
  if (r.until !== undefined) rule.until = instant('until', r.until);
  if (r.retryAfter !== undefined) {
    if (typeof r.retryAfter !== 'number' && typeof r.retryAfter !== 'string') {
      throw new Error('retryAfter must be seconds or an HTTP-date');
    }
    rule.retryAfter = r.retryAfter;
  }
  return rule;
}

interface ActiveRule {
  rule: FaultRule;
  remaining: number;
  from: number | null;
  until: number | null;
}

/** The active rules, consumed by matching requests in order, on the server's clock. */
export class FaultBook {
  private rules: ActiveRule[] = [];

  constructor(private readonly clock: () => number) {}

  add(list: FaultRule[]): void {
    for (const rule of list) {
      const from = rule.from === undefined ? null : Date.parse(rule.from);
      const until = rule.until === undefined ? null : Date.parse(rule.until);
      const windowed = from !== null || until !== null;
      const remaining = rule.times === 'forever' ? Infinity : (rule.times ?? (windowed ? Infinity : 1));
      this.rules.push({ rule: { ...rule }, remaining, from, until });
    }
  }

  clear(): void {
    this.rules = [];
  }

  /** The rule that fails this request, if any (counted as spent). */
  take(endpoint: Endpoint, dataset: string | null): FaultRule | null {
    const now = this.clock();
    this.rules = this.rules.filter((a) => a.remaining > 0 && (a.until === null || now < a.until));
    const hit = this.rules.find(
      (a) =>
        (a.from === null || now >= a.from) &&
        (a.rule.endpoint === undefined
          ? endpoint === 'records' || endpoint === 'exports'
          : a.rule.endpoint === endpoint) &&
        (a.rule.dataset === undefined || a.rule.dataset === dataset),
    );
    if (!hit) return null;
    hit.remaining--;
    return hit.rule;
  }

  list(): FaultRule[] {
    return this.rules
      .filter((a) => a.remaining > 0)
      .map((a) => ({ ...a.rule, ...(a.remaining === Infinity ? {} : { times: a.remaining }) }));
  }
}
