export { chunkOrchestration, type LaneInput } from './chunk';
export { CHUNK_SLICES, isChunkId, laneInstanceId, planLanes } from './chunks';
export type { LaneOutput } from './fold';
export type { AuditOutput } from './helpers';
export { ingestionOrchestration } from './run';
