import { randomBytes } from 'node:crypto';
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { getConfig } from '../shared/config';
import { FN } from '../shared/constants';
import { startManualRun } from '../shared/starters';

export async function httpStarter(
  request: HttpRequest,
  context: InvocationContext,
): Promise<HttpResponseInit> {
  return startManualRun(
    df.getClient(context),
    getConfig(),
    request,
    Date.now(),
    randomBytes(3).toString('hex'),
    (line) => context.log(line),
  );
}

app.http(FN.httpStarter, {
  route: 'ingestion/runs',
  methods: ['POST'],
  authLevel: 'function',
  extraInputs: [df.input.durableClient()],
  handler: httpStarter,
});
