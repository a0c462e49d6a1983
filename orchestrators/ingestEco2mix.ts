import * as df from 'durable-functions';
import { FN } from '../shared/constants';
import { ingestionOrchestration } from '../shared/orchestration';

export const ingestEco2mix = ingestionOrchestration;

df.app.orchestration(FN.orchestrator, ingestEco2mix);
