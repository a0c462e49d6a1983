import { randomBytes } from 'node:crypto';
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { getLake } from '../shared/clients';
import { FN } from '../shared/constants';
import { dashboardResponse } from '../shared/coverage/http';
import { configOrResponse } from '../shared/starters';

export async function dashboard(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const settings = configOrResponse((line) => context.error(line));
  if ('response' in settings) return settings.response;
  const { config } = settings;
  const nonce = randomBytes(16).toString('base64');
  return dashboardResponse(df.getClient(context), getLake(config), config, request.query, Date.now(), nonce);
}

app.http(FN.dashboard, {
  route: 'ingestion/dashboard',
  methods: ['GET'],
  authLevel: 'function',
  extraInputs: [df.input.durableClient()],
  handler: dashboard,
});
