export { chunkOrchestration, type ChunkInput, type ChunkOutput } from './chunk';
export { CHUNK_SLICES, chunkInstanceId, isChunkId, planChunks } from './chunks';
export type { AuditOutput } from './helpers';
export { ingestionOrchestration } from './run';
