import { parseCoverageQuery } from '../../../shared/coverage/params';

const NOW = Date.parse('2026-11-27T06:22:41Z');
const ALL = ['eco2mix-regional-tr', 'eco2mix-national-tr'] as const;
const parse = (q: string) => parseCoverageQuery(new URLSearchParams(q), ALL, NOW);

describe('coverage query', () => {
  it('defaults to the last 14 UTC days, today included, and every configured dataset', () => {
    expect(parse('')).toEqual({
      ok: true,
      value: { fromDay: Date.parse('2026-11-14T00:00:00Z'), toDay: Date.parse('2026-11-28T00:00:00Z'), datasets: [...ALL] },
    });
  });

  it('takes days or instants, and one dataset or a list', () => {
    expect(parse('from=2026-11-01&to=2026-11-02T23:59:00Z&dataset=eco2mix-national-tr')).toEqual({
      ok: true,
      value: { fromDay: Date.parse('2026-11-01T00:00:00Z'), toDay: Date.parse('2026-11-03T00:00:00Z'), datasets: ['eco2mix-national-tr'] },
    });
    expect(parse('from=2025-10-24&to=2026-11-27')).toMatchObject({ ok: true });
  });

  it.each([
    ['from=yesterday', 'from'],
    ['to=2026-02-30', 'to'],
    ['from=2026-11-05&to=2026-11-01', 'to'],
    ['from=2025-10-23&to=2026-11-27', 'from'],
    ['dataset=eco2mix-regional-cons-def', 'dataset'],
    ['dataset=<script>', 'dataset'],
  ])('%s is refused naming %s', (q, field) => {
    const r = parse(q);
    expect(r.ok).toBe(false);
    if (!r.ok) expect([r.error, r.details.field]).toEqual(['invalid query', field]);
  });
});
