/** The normal answer of an API request: method, authentication, quota, dataset, then records or exports. */
import type * as http from 'node:http';
import { authorised } from './auth';
import { isDataset, type DataOptions } from './data';
import { exportPlan } from './exports';
import { HttpProblem, jsonPlan, type Plan } from './plan';
import type { Quota } from './quota';
import { recordsPlan } from './records';
import type { Route } from './routes';
import type { FakeOdreOptions } from './types';

export interface ApiContext {
  requireAuth: FakeOdreOptions['requireAuth'];
  tokenValid: (token: string) => boolean;
  quota: Quota;
  dataOptions: () => DataOptions;
  unorderedExports: () => boolean;
}

export function apiPlan(ctx: ApiContext, req: http.IncomingMessage, url: URL, r: Route): Plan {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    return jsonPlan(405, { message: `Method ${req.method} not allowed`, error_code: 'MethodNotAllowed' });
  }
  if (!authorised(ctx.requireAuth, req, url, ctx.tokenValid)) {
    return jsonPlan(401, {
      message: 'Authentication failed: the Authorization header is missing or its credentials are invalid.',
      error_code: 'AuthenticationError',
    });
  }
  const exhausted = ctx.quota.spend(req.headers.authorization === undefined);
  if (exhausted !== null) return jsonPlan(429, exhausted, ctx.quota.headers());
  const rate = ctx.quota.headers();
  const dataset = r.dataset ?? '';
  if (!isDataset(dataset)) {
    return jsonPlan(
      404,
      {
        message: `The dataset "${dataset}" does not exist or is not accessible.`,
        error_code: 'NotFoundError',
      },
      rate,
    );
  }
  try {
    const opts = ctx.dataOptions();
    const plan =
      r.endpoint === 'records'
        ? recordsPlan(dataset, url.searchParams, opts)
        : exportPlan(dataset, r.format ?? '', url.searchParams, opts, ctx.unorderedExports());
    plan.headers = { ...plan.headers, ...rate };
    return plan;
  } catch (e) {
    if (e instanceof HttpProblem) return jsonPlan(e.status, e.body, rate);
    throw e;
  }
}
