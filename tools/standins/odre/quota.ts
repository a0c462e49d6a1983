/**
 * The portal's call quotas: per UTC day (reset at midnight UTC) and optionally per UTC month, with
 * the rate headers and the documented 429 bodies (errorcode 10002 for the domain, 10005 for
 * anonymous users; `reset_time`, `limit_time_unit`, `call_limit`; no Retry-After).
 */
import type { QuotaBodyKind } from './types';

export function nextUtcMidnight(ms: number): number {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1);
}

function nextUtcMonth(ms: number): number {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
}

const MESSAGES = {
  10002: 'Too many requests on the domain. Please contact the domain administrator.',
  10005: 'You have exceeded the requests limit for anonymous users.',
} as const;

export function quotaBody(
  resetMs: number,
  limit: number,
  unit: 'day' | 'month',
  code: 10002 | 10005 = 10002,
): string {
  return JSON.stringify({
    errorcode: code,
    reset_time: new Date(resetMs).toISOString().replace('.000Z', 'Z'),
    limit_time_unit: unit,
    call_limit: limit,
    error: MESSAGES[code],
  });
}

export class Quota {
  private day = '';
  private month = '';
  private usedToday = 0;
  private usedThisMonth = 0;

  constructor(
    private readonly clock: () => number,
    public dailyLimit: number,
    public monthlyLimit: number | null,
    public bodyKind: QuotaBodyKind,
  ) {}

  private roll(): void {
    const iso = new Date(this.clock()).toISOString();
    if (iso.slice(0, 10) !== this.day) {
      this.day = iso.slice(0, 10);
      this.usedToday = 0;
    }
    if (iso.slice(0, 7) !== this.month) {
      this.month = iso.slice(0, 7);
      this.usedThisMonth = 0;
    }
  }

  /** Counts a call, or returns the 429 body when a quota is spent. */
  spend(anonymous: boolean): string | null {
    this.roll();
    const now = this.clock();
    const code = this.bodyKind === 'anonymous' || (this.bodyKind === 'auto' && anonymous) ? 10005 : 10002;
    if (this.usedToday >= this.dailyLimit)
      return quotaBody(nextUtcMidnight(now), this.dailyLimit, 'day', code);
    if (this.monthlyLimit !== null && this.usedThisMonth >= this.monthlyLimit) {
      return quotaBody(nextUtcMonth(now), this.monthlyLimit, 'month', code);
    }
    this.usedToday++;
    this.usedThisMonth++;
    return null;
  }

  /** The body an injected 429 fault answers with: the daily quota's. */
  faultBody(anonymous: boolean): string {
    const code = this.bodyKind === 'anonymous' || (this.bodyKind === 'auto' && anonymous) ? 10005 : 10002;
    return quotaBody(nextUtcMidnight(this.clock()), this.dailyLimit, 'day', code);
  }

  headers(): Record<string, string> {
    this.roll();
    return {
      'X-RateLimit-Limit': String(this.dailyLimit),
      'X-RateLimit-Remaining': String(Math.max(0, this.dailyLimit - this.usedToday)),
      'X-RateLimit-Reset': String(Math.floor(nextUtcMidnight(this.clock()) / 1000)),
    };
  }

  snapshot(): { limit: number; used: number; remaining: number; day: string } {
    this.roll();
    return {
      limit: this.dailyLimit,
      used: this.usedToday,
      remaining: Math.max(0, this.dailyLimit - this.usedToday),
      day: this.day,
    };
  }

  reset(): void {
    this.usedToday = 0;
    this.usedThisMonth = 0;
  }
}
