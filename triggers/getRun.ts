import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { FN } from '../shared/constants';
import { getRun as readRun } from '../shared/queries';

export async function getRun(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return readRun(df.getClient(context), request.params.instanceId);
}

app.http(FN.getRun, {
  route: 'ingestion/runs/{instanceId}',
  methods: ['GET'],
  authLevel: 'function',
  extraInputs: [df.input.durableClient()],
  handler: getRun,
});
