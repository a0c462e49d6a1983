import { AUDIT_DIR, PRODUCTION_DIR, STAGING_DIR } from './constants';
import { datasetSpec, type DatasetId } from './datasets';
import { assertLakePath } from './lake/lake';
import { basicIso, datePartition } from './time';

/** Instance ids and slice keys become path segments: only these characters are allowed. */
const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export function assertSegment(value: string, what: string): string {
  if (!SEGMENT.test(value) || value.includes('..')) {
    throw new Error(`${what} "${value.slice(0, 80)}" is not a safe path segment`);
  }
  return value;
}

export function stagingDir(instanceId: string): string {
  return assertLakePath(`${STAGING_DIR}/${assertSegment(instanceId, 'instance id')}`);
}

export function stagingPath(instanceId: string, sliceKey: string): string {
  return assertLakePath(`${stagingDir(instanceId)}/${assertSegment(sliceKey, 'slice key')}.json`);
}

export function attemptsPath(instanceId: string, sliceKey: string): string {
  return assertLakePath(`${stagingDir(instanceId)}/${assertSegment(sliceKey, 'slice key')}.attempts`);
}

export function chunkDetailDir(instanceId: string): string {
  return assertLakePath(`${stagingDir(instanceId)}/chunks`);
}

export function chunkDetailPath(instanceId: string, chunk: string): string {
  return assertLakePath(`${chunkDetailDir(instanceId)}/${assertSegment(chunk, 'chunk')}.json`);
}

/** A manual run's tag follows its timestamp: two runs requested in the same second never share a name. */
function stamp(slotMs: number, runTag: string | undefined): string {
  return runTag ? `${basicIso(slotMs)}_${assertSegment(runTag, 'run tag')}` : basicIso(slotMs);
}

/**
 * `rte/production/YYYY/MM/DD/eco2mix_regional_20261128T061500Z[_<runTag>][_20261127T000000Z].json`:
 * the partition and timestamp are the run slot's; manual runs add their tag, and runs with
 * several slices per dataset add the slice start.
 */
export function finalPath(
  slotMs: number,
  dataset: DatasetId,
  sliceFromMs: number,
  multiSlice: boolean,
  runTag?: string,
): string {
  const suffix = multiSlice ? `_${basicIso(sliceFromMs)}` : '';
  return assertLakePath(
    `${PRODUCTION_DIR}/${datePartition(slotMs)}/eco2mix_${datasetSpec(dataset).short}_${stamp(slotMs, runTag)}${suffix}.json`,
  );
}

export function heartbeatPath(slotMs: number, runTag?: string): string {
  return assertLakePath(`${AUDIT_DIR}/${datePartition(slotMs)}/heartbeat_${stamp(slotMs, runTag)}.json`);
}
