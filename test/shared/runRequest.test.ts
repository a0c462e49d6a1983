import { estimateCalls, parseRunRequest } from '../../shared/runRequest';

const config = {
  datasets: ['eco2mix-regional-tr', 'eco2mix-national-tr'] as (
    'eco2mix-regional-tr' | 'eco2mix-national-tr'
  )[],
  lookbackMs: 3 * 3600_000,
  maxBackfillMs: 31 * 86_400_000,
};
const now = Date.parse('2026-11-28T06:22:41Z');
const parse = (body: string) => parseRunRequest(body, config, now);

describe('parseRunRequest', () => {
  it('re-runs the latest window without a body', () => {
    expect(parse('')).toEqual({
      ok: true,
      value: {
        kind: 'manual',
        from: '2026-11-28T03:15:00Z',
        to: '2026-11-28T06:15:00Z',
        datasets: config.datasets,
      },
    });
  });
  it('accepts a backfill', () => {
    expect(
      parse(
        '{"from":"2026-11-01T00:00:00Z","to":"2026-11-03T00:00:00+00:00","datasets":["eco2mix-national-tr"]}',
      ),
    ).toEqual({
      ok: true,
      value: {
        kind: 'backfill',
        from: '2026-11-01T00:00:00Z',
        to: '2026-11-03T00:00:00Z',
        datasets: ['eco2mix-national-tr'],
      },
    });
  });
  it.each([
    ['{"from":', 400, 'invalid JSON', 'body'],
    ['[1]', 400, 'invalid body', 'body'],
    ['{"from":"2026-11-01T00:00:00Z","until":"x"}', 400, 'unknown field', 'until'],
    ['{"from":"2026-11-01"}', 400, 'invalid field', 'from'],
    ['{"from":1234}', 400, 'invalid field', 'from'],
    ['{"from":"2026-11-01T00:07:00Z"}', 400, 'invalid field', 'from'],
    ['{"to":"2026-11-01T00:00:00Z"}', 400, 'missing field', 'from'],
    ['{"from":"2026-11-02T00:00:00Z","to":"2026-11-01T00:00:00Z"}', 400, 'invalid range', 'to'],
    ['{"from":"2026-11-28T06:00:00Z","to":"2026-11-28T06:30:00Z"}', 400, 'invalid field', 'to'],
    ['{"from":"2026-09-01T00:00:00Z","to":"2026-11-01T00:00:00Z"}', 400, 'range too large', 'to'],
    ['{"from":"1999-01-01T00:00:00Z"}', 400, 'invalid field', 'from'],
    ['{"datasets":["eco2mix-regional-tr\' or 1=1"]}', 400, 'unknown dataset', 'datasets'],
    ['{"datasets":[]}', 400, 'invalid field', 'datasets'],
    ['{"datasets":["eco2mix-regional-tr","eco2mix-regional-tr"]}', 400, 'duplicate dataset', 'datasets'],
  ])('refuses %s', (body, status, error, field) => {
    const r = parse(body);
    expect(r.ok).toBe(false);
    if (!r.ok) expect([r.status, r.error, r.details.field]).toEqual([status, error, field]);
  });
  it('refuses bodies over 1 MB with 413', () => {
    const r = parse(`{"from":"${'x'.repeat(1024 * 1024)}"}`);
    expect(r.ok ? 0 : r.status).toBe(413);
  });
  it('estimates one call per slice', () => {
    expect(
      estimateCalls({ from: '2026-10-01T00:00:00Z', to: '2026-10-31T00:00:00Z', datasets: config.datasets }),
    ).toBe(60);
  });

  it('takes the consolidated datasets in a backfill only', () => {
    expect(parse('{"datasets":["eco2mix-national-cons-def"]}')).toEqual({
      ok: false,
      status: 400,
      error: 'backfill-only dataset',
      details: {
        field: 'datasets',
        value: 'eco2mix-national-cons-def',
        reason: 'a consolidated dataset is read only by a backfill: give from (and to)',
      },
    });
    expect(
      parse(
        '{"from":"2025-01-01T00:00:00Z","to":"2025-01-03T00:00:00Z","datasets":["eco2mix-regional-cons-def"]}',
      ),
    ).toEqual({
      ok: true,
      value: {
        kind: 'backfill',
        from: '2025-01-01T00:00:00Z',
        to: '2025-01-03T00:00:00Z',
        datasets: ['eco2mix-regional-cons-def'],
      },
    });
  });
});
