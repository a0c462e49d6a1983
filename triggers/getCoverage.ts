import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { getLake } from '../shared/clients';
import { FN } from '../shared/constants';
import { coverageResponse } from '../shared/coverage/http';
import { configOrResponse } from '../shared/starters';

export async function getCoverage(
  request: HttpRequest,
  context: InvocationContext,
): Promise<HttpResponseInit> {
  const settings = configOrResponse((line) => context.error(line));
  if ('response' in settings) return settings.response;
  const { config } = settings;
  return coverageResponse(df.getClient(context), getLake(config), config, request.query, Date.now());
}

app.http(FN.getCoverage, {
  route: 'ingestion/coverage',
  methods: ['GET'],
  authLevel: 'function',
  extraInputs: [df.input.durableClient()],
  handler: getCoverage,
});
