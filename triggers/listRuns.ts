import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { FN } from '../shared/constants';
import { listRuns as list } from '../shared/queries';

export async function listRuns(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return list(df.getClient(context), request.query, Date.now());
}

app.http(FN.listRuns, {
  route: 'ingestion/runs',
  methods: ['GET'],
  authLevel: 'function',
  extraInputs: [df.input.durableClient()],
  handler: listRuns,
});
