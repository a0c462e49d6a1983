import { attemptsPath, finalPath, heartbeatPath, stagingPath } from '../../shared/paths';

const slot = Date.UTC(2026, 10, 28, 6, 15);

describe('lake paths', () => {
  it('names a single-slice file after the slot', () => {
    expect(finalPath(slot, 'eco2mix-regional-tr', Date.UTC(2026, 10, 28, 3, 15), false)).toBe(
      'rte/production/2026/11/28/eco2mix_regional_20261128T061500Z.json',
    );
  });
  it('adds the slice start when the run has several slices', () => {
    expect(finalPath(slot, 'eco2mix-national-tr', Date.UTC(2026, 10, 1), true)).toBe(
      'rte/production/2026/11/28/eco2mix_national_20261128T061500Z_20261101T000000Z.json',
    );
  });
  it('adds the tag of a manual run after the timestamp', () => {
    expect(finalPath(slot, 'eco2mix-national-tr', Date.UTC(2026, 10, 1), true, 'ab12cd')).toBe(
      'rte/production/2026/11/28/eco2mix_national_20261128T061500Z_ab12cd_20261101T000000Z.json',
    );
    expect(heartbeatPath(slot, 'ab12cd')).toBe(
      'audit/ingestion/2026/11/28/heartbeat_20261128T061500Z_ab12cd.json',
    );
    expect(() => heartbeatPath(slot, '../x')).toThrow('run tag "../x" is not a safe path segment');
  });
  it('puts the heartbeat under the audit partition', () => {
    expect(heartbeatPath(slot)).toBe('audit/ingestion/2026/11/28/heartbeat_20261128T061500Z.json');
  });
  it('stages per instance and slice', () => {
    expect(stagingPath('eco2mix-20261128T0615Z', 'regional-20261128T031500Z')).toBe(
      '_staging/ingestion/eco2mix-20261128T0615Z/regional-20261128T031500Z.json',
    );
    expect(attemptsPath('eco2mix-20261128T0615Z', 'national-x')).toBe(
      '_staging/ingestion/eco2mix-20261128T0615Z/national-x.attempts',
    );
  });
  it('refuses traversal in instance ids and slice keys', () => {
    expect(() => stagingPath('../../etc', 'k')).toThrow('instance id "../../etc" is not a safe path segment');
    expect(() => stagingPath('a', 'b/../../c')).toThrow('slice key "b/../../c" is not a safe path segment');
    expect(() => stagingPath('a..b', 'k')).toThrow('is not a safe path segment');
  });
});
