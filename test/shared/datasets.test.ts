import { DATASET_REGISTRY, SCHEDULED_DATASETS } from '../../shared/datasets';
import { formatGaps } from '../../shared/gapsReport';
import { finalPath } from '../../shared/paths';
import { planSlices } from '../../shared/slicing';
import { initialState } from '../../shared/state';

describe('the consolidated datasets', () => {
  it('are backfill-only, half-hourly where the data is, and named where older data lives', () => {
    expect(SCHEDULED_DATASETS).toEqual(['eco2mix-regional-tr', 'eco2mix-national-tr']);
    expect(DATASET_REGISTRY['eco2mix-regional-cons-def']).toMatchObject({
      kind: 'historical',
      resolutionMinutes: 30,
      rowsPerInstant: 12,
    });
    expect(DATASET_REGISTRY['eco2mix-regional-tr'].olderDataIn).toBe('eco2mix-regional-cons-def');
    expect(DATASET_REGISTRY['eco2mix-national-tr'].olderDataIn).toBe('eco2mix-national-cons-def');
  });

  it('land in the same layout with their own file prefix', () => {
    const slot = Date.UTC(2026, 10, 28, 6, 15);
    expect(finalPath(slot, 'eco2mix-regional-cons-def', Date.UTC(2025, 0, 1), true, 'ab12cd')).toBe(
      'rte/production/2026/11/28/eco2mix_regional_cons_def_20261128T061500Z_ab12cd_20250101T000000Z.json',
    );
    expect(planSlices(['eco2mix-national-cons-def'], '2025-01-01T00:00:00Z', '2025-01-02T00:00:00Z')).toEqual(
      [
        {
          key: 'national_cons_def-20250101T000000Z',
          dataset: 'eco2mix-national-cons-def',
          from: '2025-01-01T00:00:00Z',
          to: '2025-01-02T00:00:00Z',
        },
      ],
    );
  });
});

describe('watt-watcher gaps (the formatter)', () => {
  it('prints one line per dataset and per gap', () => {
    const s = {
      ...initialState('eco2mix-regional-tr'),
      watermark: '2026-11-10T07:15:00Z',
      gaps: [
        {
          from: '2026-10-25T00:00:00Z',
          to: '2026-10-25T01:00:00Z',
          expected: 48,
          received: 0,
          reason: 'missing' as const,
          firstSeen: '2026-10-25T00:15:07Z',
          lastChecked: '2026-11-08T04:00:07Z',
          status: 'permanent' as const,
        },
      ],
    };
    expect(formatGaps([s, initialState('eco2mix-national-tr')])).toBe(
      [
        'eco2mix-regional-tr: watermark 2026-11-10T07:15:00Z, 0 open, 1 permanent, 0 pending',
        '  permanent [2026-10-25T00:00:00Z, 2026-10-25T01:00:00Z) missing 0/48 rows, first seen 2026-10-25T00:15:07Z, last checked 2026-11-08T04:00:07Z',
        'eco2mix-national-tr: watermark none, 0 open, 0 permanent, 0 pending',
        '',
      ].join('\n'),
    );
  });
});
