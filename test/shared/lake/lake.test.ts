import { assertLakePath, LakePathError } from '../../../shared/lake/lake';

describe('assertLakePath', () => {
  it('accepts relative lake paths', () => {
    expect(assertLakePath('rte/production/2026/11/28/eco2mix_regional_20261128T061500Z.json')).toBe(
      'rte/production/2026/11/28/eco2mix_regional_20261128T061500Z.json',
    );
  });
  it.each([
    ['', 'empty or too long'],
    ['/etc/passwd', 'must be relative with / separators'],
    ['a\\b', 'must be relative with / separators'],
    ['a/../b', 'has an empty, . or .. segment'],
    ['a//b', 'has an empty, . or .. segment'],
    ["a/b' or 1=1", 'has characters outside [A-Za-z0-9._-/=]'],
    ['x'.repeat(1025), 'empty or too long'],
  ])('refuses %j', (p, why) => {
    expect(() => assertLakePath(p)).toThrow(new LakePathError(p, why));
  });
});
