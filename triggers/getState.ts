import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { FN } from '../shared/constants';
import { getState as readState } from '../shared/queries';
import { configOrResponse } from '../shared/starters';

export async function getState(_request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const settings = configOrResponse((line) => context.error(line));
  if ('response' in settings) return settings.response;
  return readState(df.getClient(context), settings.config, Date.now());
}

app.http(FN.getState, {
  route: 'ingestion/state',
  methods: ['GET'],
  authLevel: 'function',
  extraInputs: [df.input.durableClient()],
  handler: getState,
});
