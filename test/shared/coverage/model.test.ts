import type { DatasetState } from '../../../shared/types';
import { computeCoverage, QUARTERS_PER_DAY, type SliceObservation } from '../../../shared/coverage/model';
import { gapsOf, observationsOf } from '../../../shared/coverage/sources';
import { initialState } from '../../../shared/state';

const Q = 15 * 60_000;
const DAY = 86_400_000;
const D0 = Date.parse('2026-11-01T00:00:00Z');
const obs = (from: number, to: number, extra: Partial<SliceObservation> = {}): SliceObservation => ({
  from,
  to,
  stored: true,
  missing: new Set(),
  unpublished: new Set(),
  unknownAfter: null,
  ...extra,
});

describe('computeCoverage', () => {
  const base = {
    dataset: 'eco2mix-regional-tr' as const,
    fromDay: D0,
    toDay: D0 + 2 * DAY,
    nowMs: D0 + DAY + 10 * 3_600_000 + 7 * 60_000,
    watermark: null,
    chainStart: null,
    gaps: [],
    observations: [],
  };

  it('marks each quarter landed, unpublished, missing, gap or not due', () => {
    const c = computeCoverage({
      ...base,
      watermark: new Date(D0 + 6 * 3_600_000).toISOString(),
      chainStart: D0 + 3_600_000,
      gaps: [
        { from: new Date(D0 + 20 * 3_600_000).toISOString(), to: new Date(D0 + 20 * 3_600_000 + 2 * Q).toISOString(), reason: 'missing', status: 'permanent' },
        { from: new Date(D0 + 21 * 3_600_000).toISOString(), to: new Date(D0 + 22 * 3_600_000).toISOString(), reason: 'missing', status: 'closed' },
      ],
      observations: [
        // a later run landed what an earlier one missed
        obs(D0 + 6 * 3_600_000, D0 + 9 * 3_600_000, { missing: new Set([D0 + 8 * 3_600_000]) }),
        obs(D0 + 8 * 3_600_000, D0 + 9 * 3_600_000),
        obs(D0 + 12 * 3_600_000, D0 + 13 * 3_600_000, { unpublished: new Set([D0 + 12 * 3_600_000 + Q]) }),
        obs(D0 + 13 * 3_600_000, D0 + 14 * 3_600_000, { stored: false }),
        obs(D0 + 14 * 3_600_000, D0 + 15 * 3_600_000, { missing: new Set([D0 + 14 * 3_600_000]), unknownAfter: D0 + 14 * 3_600_000 + 2 * Q }),
        obs(D0 + 20 * 3_600_000, D0 + 23 * 3_600_000),
      ],
    });
    const [d1, d2] = c.days;
    const hour = (h: number): string => d1!.quarters.slice(h * 4, h * 4 + 4);
    expect(d1!.date).toBe('2026-11-01');
    expect(d1!.quarters).toHaveLength(QUARTERS_PER_DAY);
    expect(hour(0)).toBe('MMMM'); // before the chain started: never fetched
    expect([1, 2, 3, 4, 5].map(hour)).toEqual(['LLLL', 'LLLL', 'LLLL', 'LLLL', 'LLLL']);
    expect(hour(8)).toBe('LLLL');
    expect(hour(12)).toBe('LULL');
    expect(hour(13)).toBe('MMMM');
    expect(hour(14)).toBe('MLMM');
    expect(hour(20)).toBe('GGLL');
    expect(hour(21)).toBe('LLLL');
    expect(d2!.quarters.slice(0, 40)).toBe('M'.repeat(40));
    expect(d2!.quarters.slice(40)).toBe('N'.repeat(56));
    expect(d2!.counts).toEqual({ landed: 0, unpublished: 0, missing: 40, gap: 0, 'not due': 56 });
    expect(c.totals.gap).toBe(2);
    expect([c.openGaps, c.permanentGaps]).toEqual([0, 1]);
  });
});

describe('reading state and heartbeats', () => {
  it('takes well-formed gaps from the state and skips the rest', () => {
    const state = {
      ...initialState('eco2mix-regional-tr'),
      gaps: [
        { from: '2026-11-01T00:00:00Z', to: '2026-11-01T00:15:00Z', reason: 'missing', status: 'open' },
        { from: 'soon', to: '2026-11-01T00:15:00Z', reason: 'missing', status: 'open' },
        { from: '2026-11-01T00:00:00Z', to: '2026-11-01T00:15:00Z', status: 'forgotten' },
        null,
      ],
    };
    expect(gapsOf(state as unknown as DatasetState).map((g) => g.status)).toEqual(['open']);
    expect(gapsOf(initialState('eco2mix-national-tr'))).toEqual([]);
  });

  it('reads slices of the wanted datasets and knows when the missing list was capped', () => {
    const hb = {
      slices: [
        {
          dataset: 'eco2mix-regional-tr',
          window: { from: '2026-11-01T00:00:00Z', to: '2026-11-02T00:00:00Z' },
          file: 'rte/production/x.json',
          completeness: { missingQuarterCount: 30, missingQuarters: ['2026-11-01T01:00:00Z', '2026-11-01T02:00:00Z'] },
        },
        { dataset: 'eco2mix-national-tr', window: { from: '2026-11-01T00:00:00Z', to: '2026-11-02T00:00:00Z' }, file: null, completeness: null },
        { dataset: 'eco2mix-regional-tr', window: { from: 'bad' } },
        { dataset: 'other', window: { from: '2026-11-01T00:00:00Z', to: '2026-11-02T00:00:00Z' } },
      ],
    };
    const got = observationsOf(hb, new Set(['eco2mix-regional-tr', 'eco2mix-national-tr']));
    expect(got.map((g) => [g.dataset, g.observation.stored, g.observation.missing.size])).toEqual([
      ['eco2mix-regional-tr', true, 2],
      ['eco2mix-national-tr', false, 0],
    ]);
    expect(got[0]!.observation.unknownAfter).toBe(Date.parse('2026-11-01T02:15:00Z'));
    expect(observationsOf({ nope: 1 }, new Set())).toEqual([]);
  });
});
