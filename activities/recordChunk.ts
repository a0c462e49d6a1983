import * as df from 'durable-functions';
import { writeChunkDetail, type ChunkDetail } from '../shared/chunkDetail';
import { getLake } from '../shared/clients';
import { getConfig } from '../shared/config';
import { FN } from '../shared/constants';

export async function recordChunk(detail: ChunkDetail): Promise<string> {
  return writeChunkDetail(getLake(getConfig()), detail);
}

df.app.activity(FN.chunkActivity, { handler: recordChunk });
