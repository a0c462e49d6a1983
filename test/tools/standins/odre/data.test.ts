import { REGION_CODES } from '../../../../shared/constants';
import {
  availableRange,
  formatDateHeure,
  generateRows,
  NATIONAL_FIELDS,
  parisMidnightAfter,
  REGIONAL_FIELDS,
  REGIONS,
  slots,
  wallClock,
  type DataOptions,
} from '../../../../tools/standins/odre/data';

const ms = (iso: string): number => Date.parse(iso);
const NOW = ms('2026-03-31T12:00:00Z');
const opts: DataOptions = { now: NOW };

describe('ODRE stand-in data', () => {
  it('lists the 12 metropolitan regions with their names', () => {
    expect(REGIONS.map((r) => r.code)).toEqual([...REGION_CODES]);
    expect(REGIONS.find((r) => r.code === '32')?.name).toBe('Hauts-de-France');
    expect(REGIONS.find((r) => r.code === '93')?.name).toBe("Provence-Alpes-Côte d'Azur");
  });

  it('yields 1152 regional rows and 96 national rows for a UTC day', () => {
    const from = ms('2026-03-20T00:00:00Z');
    const to = ms('2026-03-21T00:00:00Z');
    expect([...generateRows('eco2mix-regional-tr', from, to, opts)]).toHaveLength(1152);
    expect([...generateRows('eco2mix-national-tr', from, to, opts)]).toHaveLength(96);
  });

  it('has 96 UTC quarters per region on the spring DST day with Paris wall-clock heure, ghost rows off', () => {
    const noGhosts = { ...opts, springGhostRows: false };
    const rows = [
      ...generateRows(
        'eco2mix-regional-tr',
        ms('2026-03-29T00:00:00Z'),
        ms('2026-03-30T00:00:00Z'),
        noGhosts,
      ),
    ];
    expect(rows).toHaveLength(1152);
    const idf = rows.filter((r) => r.code_insee_region === '11');
    expect(idf).toHaveLength(96);
    expect(idf[0]).toMatchObject({
      date: '2026-03-29',
      heure: '01:00',
      date_heure: '2026-03-29T00:00:00+00:00',
    });
    expect(idf[4]).toMatchObject({ heure: '03:00', date_heure: '2026-03-29T01:00:00+00:00' });
    expect(idf.some((r) => String(r.heure).startsWith('02:'))).toBe(false);
    expect(idf[95]).toMatchObject({
      date: '2026-03-30',
      heure: '01:45',
      date_heure: '2026-03-29T23:45:00+00:00',
    });
  });

  it('repeats an hour of heure values on the autumn DST day, the hole off', () => {
    const later = { now: ms('2026-11-01T00:00:00Z'), autumnHole: false };
    const rows = [
      ...generateRows('eco2mix-national-tr', ms('2026-10-25T00:00:00Z'), ms('2026-10-26T00:00:00Z'), later),
    ];
    expect(rows).toHaveLength(96);
    expect(rows.filter((r) => r.heure === '02:00').map((r) => r.date_heure)).toEqual([
      '2026-10-25T00:00:00+00:00',
      '2026-10-25T01:00:00+00:00',
    ]);
  });

  it('produces the regional record shape with string-typed fields and column_68', () => {
    const [row] = [
      ...generateRows('eco2mix-regional-tr', ms('2026-03-25T02:30:00Z'), ms('2026-03-25T02:45:00Z'), opts),
    ];
    expect(Object.keys(row!)).toEqual([...REGIONAL_FIELDS]);
    expect(row).toMatchObject({
      code_insee_region: '11',
      libelle_region: 'Île-de-France',
      nature: 'Données temps réel',
      date: '2026-03-25',
      heure: '03:30',
      date_heure: '2026-03-25T02:30:00+00:00',
      column_68: null,
    });
    expect(typeof row!.pompage).toBe('string');
    expect(typeof row!.stockage_batterie).toBe('string');
    expect(typeof row!.destockage_batterie).toBe('string');
    expect(typeof row!.consommation).toBe('number');
    expect(row!.tco_thermique).toBe(
      Math.round(((row!.thermique as number) / (row!.consommation as number)) * 10000) / 100,
    );
  });

  it('balances production, storage and exchanges against consumption', () => {
    for (const r of generateRows(
      'eco2mix-regional-tr',
      ms('2026-03-25T18:00:00Z'),
      ms('2026-03-25T19:00:00Z'),
      opts,
    )) {
      const produced =
        (r.thermique as number) +
        (r.nucleaire as number) +
        (r.eolien as number) +
        (r.solaire as number) +
        (r.hydraulique as number) +
        (r.bioenergies as number) +
        Number(r.pompage) +
        Number(r.stockage_batterie) +
        Number(r.destockage_batterie);
      expect((r.consommation as number) - produced).toBe(r.ech_physiques);
    }
  });

  it('puts the sun up at noon and down at night', () => {
    const at = (iso: string): number =>
      [...generateRows('eco2mix-regional-tr', ms(iso), ms(iso) + 1, opts)].reduce(
        (s, r) => s + (r.solaire as number),
        0,
      );
    expect(at('2026-03-25T00:00:00Z')).toBe(0);
    expect(at('2026-03-25T12:00:00Z')).toBeGreaterThan(1000);
  });

  it('produces the national record shape with half-hourly commercial exchanges', () => {
    const rows = [
      ...generateRows('eco2mix-national-tr', ms('2026-03-25T17:00:00Z'), ms('2026-03-25T17:30:00Z'), opts),
    ];
    expect(rows.map((r) => r.heure)).toEqual(['18:00', '18:15']);
    expect(Object.keys(rows[0]!)).toEqual([...NATIONAL_FIELDS]);
    expect(rows[0]).toMatchObject({ perimetre: 'France', nature: 'Données temps réel' });
    expect(typeof rows[0]!.eolien_terrestre).toBe('string');
    expect(typeof rows[0]!.ech_comm_angleterre).toBe('string');
    expect(typeof rows[0]!.ech_comm_espagne).toBe('number');
    expect(typeof rows[0]!.pompage).toBe('number');
    expect(rows[1]!.ech_comm_angleterre).toBeNull();
    expect(rows[1]!.ech_comm_espagne).toBeNull();
    expect(Number(rows[0]!.eolien_terrestre) + Number(rows[0]!.eolien_offshore)).toBe(rows[0]!.eolien);
  });

  it('is deterministic', () => {
    const a = JSON.stringify([
      ...generateRows('eco2mix-regional-tr', ms('2026-01-01T00:00:00Z'), ms('2026-01-01T06:00:00Z'), opts),
    ]);
    const b = JSON.stringify([
      ...generateRows('eco2mix-regional-tr', ms('2026-01-01T00:00:00Z'), ms('2026-01-01T06:00:00Z'), opts),
    ]);
    expect(a).toBe(b);
  });

  it('ends regional rows at the end of the Paris day and national rows a day later', () => {
    expect(availableRange('eco2mix-regional-tr', opts).end).toBe(ms('2026-03-31T22:00:00Z'));
    expect(availableRange('eco2mix-national-tr', opts).end).toBe(ms('2026-04-01T22:00:00Z'));
    expect(availableRange('eco2mix-regional-tr', { now: ms('2026-01-10T23:30:00Z') }).end).toBe(
      ms('2026-01-11T23:00:00Z'),
    );
    expect([
      ...slots('eco2mix-regional-tr', ms('2026-03-31T21:00:00Z'), ms('2026-04-02T00:00:00Z'), opts),
    ]).toHaveLength(4 * 12);
  });

  it('nulls the measures of quarters less than an hour old, keeping the forecast', () => {
    const regional = [
      ...generateRows('eco2mix-regional-tr', ms('2026-03-31T10:45:00Z'), ms('2026-03-31T11:15:00Z'), opts),
    ];
    expect(regional.filter((r) => r.consommation === null)).toHaveLength(12);
    expect(regional.find((r) => r.consommation === null)).toMatchObject({
      date_heure: '2026-03-31T11:00:00+00:00',
    });
    const [future] = [
      ...generateRows('eco2mix-national-tr', ms('2026-04-01T08:00:00Z'), ms('2026-04-01T08:15:00Z'), opts),
    ];
    expect(future).toMatchObject({ consommation: null, prevision_j: null, eolien_terrestre: null });
    expect(typeof future!.prevision_j1).toBe('number');
  });

  it('leaves out declared gaps', () => {
    const withGaps: DataOptions = {
      now: NOW,
      gaps: [
        { from: '2026-03-20T10:00:00Z', to: '2026-03-20T11:00:00Z' },
        { dataset: 'eco2mix-regional-tr', from: '2026-03-20T12:00:00Z', regions: ['53'] },
        { dataset: 'eco2mix-national-tr', from: '2026-03-20T15:00:00Z' },
      ],
    };
    const day = [ms('2026-03-20T00:00:00Z'), ms('2026-03-21T00:00:00Z')] as const;
    expect([...slots('eco2mix-regional-tr', day[0], day[1], withGaps)]).toHaveLength(1152 - 4 * 12 - 1);
    expect([...slots('eco2mix-national-tr', day[0], day[1], withGaps)]).toHaveLength(96 - 4 - 1);
  });

  it('iterates descending on request', () => {
    const desc = [
      ...slots('eco2mix-national-tr', ms('2026-03-20T00:00:00Z'), ms('2026-03-20T01:00:00Z'), opts, 'desc'),
    ];
    expect(desc.map((s) => new Date(s.t).toISOString())).toEqual([
      '2026-03-20T00:45:00.000Z',
      '2026-03-20T00:30:00.000Z',
      '2026-03-20T00:15:00.000Z',
      '2026-03-20T00:00:00.000Z',
    ]);
  });

  it('formats instants in UTC or another zone, and finds Paris midnights', () => {
    expect(formatDateHeure(ms('2026-07-01T10:00:00Z'))).toBe('2026-07-01T10:00:00+00:00');
    expect(formatDateHeure(ms('2026-07-01T10:00:00Z'), 'Europe/Paris')).toBe('2026-07-01T12:00:00+02:00');
    expect(formatDateHeure(ms('2026-01-01T10:00:00Z'), 'America/New_York')).toBe('2026-01-01T05:00:00-05:00');
    expect(wallClock(ms('2026-01-01T10:00:00Z'))).toMatchObject({
      date: '2026-01-01',
      heure: '11:00',
      offset: 60,
    });
    expect(parisMidnightAfter(ms('2026-03-28T12:00:00Z'), 1)).toBe(ms('2026-03-28T23:00:00Z'));
    expect(parisMidnightAfter(ms('2026-03-29T12:00:00Z'), 1)).toBe(ms('2026-03-29T22:00:00Z'));
  });
});
