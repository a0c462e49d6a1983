import { app, type InvocationContext, type Timer } from '@azure/functions';
import * as df from 'durable-functions';
import { getConfig } from '../shared/config';
import { FN } from '../shared/constants';
import { startScheduledRun } from '../shared/starters';

export async function timerStarter(timer: Timer, context: InvocationContext): Promise<void> {
  await startScheduledRun(df.getClient(context), getConfig(), timer, Date.now(), (line) => context.log(line));
}

app.timer(FN.timerStarter, {
  schedule: '%INGESTION_SCHEDULE%',
  extraInputs: [df.input.durableClient()],
  handler: timerStarter,
});
