import { randomBytes } from 'node:crypto';
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { getCoverageFetcher } from '../shared/clients';
import { FN } from '../shared/constants';
import { configOrResponse, startManualRun } from '../shared/starters';

export async function httpStarter(
  request: HttpRequest,
  context: InvocationContext,
): Promise<HttpResponseInit> {
  const settings = configOrResponse((line) => context.error(line));
  if ('response' in settings) return settings.response;
  return startManualRun(
    df.getClient(context),
    settings.config,
    request,
    Date.now(),
    randomBytes(3).toString('hex'),
    (line) => context.log(line),
    getCoverageFetcher(settings.config),
  );
}

app.http(FN.httpStarter, {
  route: 'ingestion/runs',
  methods: ['POST'],
  authLevel: 'function',
  extraInputs: [df.input.durableClient()],
  handler: httpStarter,
});
