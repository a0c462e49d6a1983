import {
  OdsqlError,
  parseDateLiteral,
  parseOrderBy,
  parseSelect,
  parseWhere,
} from '../../../../tools/standins/odre/odsql';

const R = 'eco2mix-regional-tr' as const;
const ms = (iso: string): number => Date.parse(iso);

describe('ODSQL subset', () => {
  it('turns a date_heure window into bounds', () => {
    expect(
      parseWhere("date_heure >= date'2026-11-28T04:00:00Z' and date_heure < date'2026-11-28T06:00:00Z'", R),
    ).toEqual({ from: ms('2026-11-28T04:00:00Z'), to: ms('2026-11-28T06:00:00Z'), equals: [] });
  });

  it('handles every comparison operator, offsets, upper-case AND and backquoted names', () => {
    expect(
      parseWhere("`date_heure` > date'2026-01-01T01:00:00+01:00' AND date_heure <= date'2026-01-02'", R),
    ).toEqual({
      from: ms('2026-01-01T00:00:00Z') + 1,
      to: ms('2026-01-02T00:00:00Z') + 1,
      equals: [],
    });
    expect(parseWhere("date_heure = date'2026-01-01T00:15:00Z'", R)).toEqual({
      from: ms('2026-01-01T00:15:00Z'),
      to: ms('2026-01-01T00:15:00Z') + 1,
      equals: [],
    });
  });

  it('accepts equality on text fields', () => {
    expect(parseWhere('code_insee_region = \'32\' and date = "2026-03-25"', R).equals).toEqual([
      { field: 'code_insee_region', value: '32' },
      { field: 'date', value: '2026-03-25' },
    ]);
    expect(parseWhere("libelle_region = 'Provence-Alpes-Côte d''Azur'", R).equals[0]?.value).toBe(
      "Provence-Alpes-Côte d'Azur",
    );
    expect(parseWhere(undefined, R)).toEqual({ from: -Infinity, to: Infinity, equals: [] });
  });

  it.each([
    ["date > '2026-03-25'", /ordered comparison .* text field "date"/],
    ["date_heure >= '2026-03-25'", /date'...' literal/],
    ["date_heure >= date'yesterday'", /invalid date literal/],
    ["code_insee_region = '32' or code_insee_region = '11'", /expected 'and'/],
    ['consommation > 100', /numeric field/],
    ["nope = '1'", /unknown field "nope"/],
    ["(code_insee_region = '32')", /expected a field name/],
    ["code_insee_region <> '32'", /unsupported operator/],
    ["code_insee_region = '32", /unterminated string/],
    ['code_insee_region = 32', /expected a string literal/],
    ["code_insee_region = '32' and", /expected a field name, found end of query/],
    ['date_heure', /expected a comparison operator/],
  ])('rejects %s', (where, message) => {
    expect(() => parseWhere(where, R)).toThrow(OdsqlError);
    expect(() => parseWhere(where, R)).toThrow(message);
  });

  it('prefixes errors like the portal', () => {
    expect(() => parseWhere('x', R)).toThrow(/^ODSQL query is malformed: /);
  });

  it('parses date literals with and without zones', () => {
    expect(parseDateLiteral('2026-03-25T02:30:00.500Z')).toBe(ms('2026-03-25T02:30:00.500Z'));
    expect(parseDateLiteral('2026-03-25T04:30+0200')).toBe(ms('2026-03-25T02:30:00Z'));
    expect(parseDateLiteral('2026-03-25 02:30:00')).toBe(ms('2026-03-25T02:30:00Z'));
    expect(() => parseDateLiteral('2026-13-45')).toThrow(OdsqlError);
  });

  it('parses order_by and select', () => {
    expect(parseOrderBy(undefined)).toBe('asc');
    expect(parseOrderBy('date_heure')).toBe('asc');
    expect(parseOrderBy('date_heure DESC')).toBe('desc');
    expect(() => parseOrderBy('consommation')).toThrow(OdsqlError);
    expect(parseSelect('date_heure, `consommation`,date_heure', R)).toEqual(['date_heure', 'consommation']);
    expect(parseSelect('*', R)).toBeNull();
    expect(() => parseSelect('sum(consommation)', R)).toThrow(/unsupported select/);
    expect(() => parseSelect('perimetre', R)).toThrow(/unknown field "perimetre"/);
  });
});
