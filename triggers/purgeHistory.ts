import { app, type InvocationContext, type Timer } from '@azure/functions';
import * as df from 'durable-functions';
import { getConfig } from '../shared/config';
import { FN } from '../shared/constants';
import { purgeFinishedInstances } from '../shared/purge';

export async function purgeHistory(_timer: Timer, context: InvocationContext): Promise<void> {
  await purgeFinishedInstances(df.getClient(context), getConfig(), Date.now(), (line) => context.log(line));
}

/** Daily at 03:40 UTC, away from the quarter-hour runs. */
app.timer(FN.purgeHistory, {
  schedule: '0 40 3 * * *',
  extraInputs: [df.input.durableClient()],
  handler: purgeHistory,
});
