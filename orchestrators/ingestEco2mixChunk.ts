import * as df from 'durable-functions';
import { FN } from '../shared/constants';
import { chunkOrchestration } from '../shared/orchestration';

export const ingestEco2mixChunk = chunkOrchestration;

df.app.orchestration(FN.chunkOrchestrator, ingestEco2mixChunk);
