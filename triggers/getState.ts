import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { getConfig } from '../shared/config';
import { FN } from '../shared/constants';
import { getState as readState } from '../shared/starters';

export async function getState(_request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return readState(df.getClient(context), getConfig(), Date.now());
}

app.http(FN.getState, {
  route: 'ingestion/state',
  methods: ['GET'],
  authLevel: 'function',
  extraInputs: [df.input.durableClient()],
  handler: getState,
});
