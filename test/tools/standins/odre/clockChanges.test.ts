import { controlPost, rowsOf, start, stopAll, type Row } from './helpers';

afterAll(stopAll);

const NOW = '2026-11-02T12:00:00Z';

describe('ODRE stand-in on the clock-change days (facts.md section 6)', () => {
  it('serves spring ghost rows: the Paris hour 02:00 at 01:00-01:45Z, repeating the measures', async () => {
    const fake = await start({ now: NOW });
    const rows = await rowsOf(fake, 'eco2mix-regional-tr', '2026-03-29T00:45:00Z', '2026-03-29T02:00:00Z');
    expect(rows).toHaveLength(12 + 12 * 4 * 2);
    const brittany = rows.filter((r: Row) => r.code_insee_region === '53');
    expect(brittany.map((r: Row) => [r.date_heure, r.heure])).toEqual([
      ['2026-03-29T00:45:00+00:00', '01:45'],
      ['2026-03-29T01:00:00+00:00', '02:00'],
      ['2026-03-29T01:00:00+00:00', '03:00'],
      ['2026-03-29T01:15:00+00:00', '02:15'],
      ['2026-03-29T01:15:00+00:00', '03:15'],
      ['2026-03-29T01:30:00+00:00', '02:30'],
      ['2026-03-29T01:30:00+00:00', '03:30'],
      ['2026-03-29T01:45:00+00:00', '02:45'],
      ['2026-03-29T01:45:00+00:00', '03:45'],
    ]);
    const [ghost, real] = brittany.slice(1, 3) as [Row, Row];
    expect({ ...ghost, heure: real.heure }).toEqual(real);
  });

  it('repeats the last forecast on a national ghost row', async () => {
    const fake = await start({ now: NOW });
    const rows = await rowsOf(fake, 'eco2mix-national-tr', '2026-03-29T00:45:00Z', '2026-03-29T01:15:00Z');
    expect(rows.map((r: Row) => r.heure)).toEqual(['01:45', '02:00', '03:00']);
    const [last, ghost, real] = rows as [Row, Row, Row];
    expect(ghost.prevision_j1).toBe(last.prevision_j1);
    expect(ghost.consommation).toBe(real.consommation);
  });

  it('turns ghost rows off by option and over the control plane', async () => {
    const off = await start({ now: NOW, quirks: { springGhostRows: false } });
    const day = ['2026-03-29T00:00:00Z', '2026-03-30T00:00:00Z'] as const;
    expect(await rowsOf(off, 'eco2mix-regional-tr', ...day)).toHaveLength(1152);
    const on = await start({ now: NOW });
    expect(await rowsOf(on, 'eco2mix-regional-tr', ...day)).toHaveLength(1152 + 48);
    expect(await controlPost(on, 'quirks', { springGhostRows: false })).toMatchObject({
      springGhostRows: false,
    });
    expect(await rowsOf(on, 'eco2mix-regional-tr', ...day)).toHaveLength(1152);
  });

  it('leaves out the first pass of the Paris 02:00 hour in autumn, national and regional', async () => {
    const fake = await start({ now: NOW });
    const day = ['2026-10-25T00:00:00Z', '2026-10-26T00:00:00Z'] as const;
    const national = await rowsOf(fake, 'eco2mix-national-tr', ...day);
    expect(national).toHaveLength(92);
    expect(national.slice(0, 2).map((r: Row) => [r.date_heure, r.heure])).toEqual([
      ['2026-10-25T01:00:00+00:00', '02:00'],
      ['2026-10-25T01:15:00+00:00', '02:15'],
    ]);
    expect(await rowsOf(fake, 'eco2mix-regional-tr', ...day)).toHaveLength(92 * 12);
    fake.setQuirks({ autumnHole: false });
    expect(await rowsOf(fake, 'eco2mix-national-tr', ...day)).toHaveLength(96);
  });

  it('changes nothing on the days around the changes', async () => {
    const fake = await start({ now: NOW });
    for (const day of ['2026-03-28', '2026-03-30', '2026-10-24', '2026-10-26']) {
      const next = new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString();
      expect(await rowsOf(fake, 'eco2mix-national-tr', `${day}T00:00:00Z`, next)).toHaveLength(96);
    }
  });
});
