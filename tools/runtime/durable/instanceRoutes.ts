/** `instances/...` of the durable HTTP API: the list and purge by filter, one instance's status, purge and events. */
import type { DurableEngine, InstanceQuery } from './engine';
import { flag, jsonInput, NOT_JSON, type Reply } from './apiReply';
import { statusPayload } from './statusPayload';
import { RUNTIME_STATUSES } from './types';

export interface InstanceRequest {
  engine: DurableEngine;
  method: string;
  /** Path segments after `instances`. */
  instanceId: string | undefined;
  action: string | undefined;
  eventName: string | undefined;
  q: URLSearchParams;
  body: string;
  continuationToken: string | undefined;
  /** The management links of an instance (status URL first). */
  links(instanceId: string): Record<string, string>;
}

/** The filter of a list or purge request, or the 400 reply a bad date gets. */
function queryOf(method: string, q: URLSearchParams): InstanceQuery | Reply {
  // The extension's instance query lists entities too; a purge by filter never removes them.
  const query: InstanceQuery = { includeEntities: method === 'GET' };
  const rs = q.get('runtimeStatus');
  if (rs) {
    const wanted = rs.split(',').map((s) => s.trim());
    query.runtimeStatus = RUNTIME_STATUSES.filter((s) =>
      wanted.some((w) => w.toLowerCase() === s.toLowerCase()),
    );
  }
  for (const field of ['createdTimeFrom', 'createdTimeTo'] as const) {
    const raw = q.get(field);
    if (!raw) continue;
    const at = new Date(raw);
    if (Number.isNaN(at.getTime()))
      return { status: 400, body: { message: `${field} is not a date: ${raw}` } };
    query[field] = at;
  }
  const prefix = q.get('instanceIdPrefix');
  if (prefix) query.instanceIdPrefix = prefix;
  return query;
}

async function listOrPurge(r: InstanceRequest): Promise<Reply> {
  const query = queryOf(r.method, r.q);
  if ('status' in query) return query;
  if (r.method === 'DELETE') {
    // Azure refuses a purge by filter without a lower bound (it would scan the whole hub).
    if (!query.createdTimeFrom)
      return { status: 400, body: { message: 'A purge by filter needs createdTimeFrom.' } };
    const deleted = await r.engine.purgeBy(query);
    return deleted > 0 ? { status: 200, body: { instancesDeleted: deleted } } : { status: 404 };
  }
  if (r.method !== 'GET') return { status: 405 };
  const top = r.q.get('top');
  if (top) query.top = Number(top);
  if (r.continuationToken) query.continuationToken = r.continuationToken;
  const page = r.engine.listInstances(query);
  const opts = { showInput: flag(r.q, 'showInput'), showHistory: false };
  return {
    status: 200,
    body: page.instances.map((rec) => statusPayload(rec, opts)),
    headers: page.continuationToken ? { 'x-ms-continuation-token': page.continuationToken } : {},
  };
}

async function oneInstance(r: InstanceRequest, instanceId: string): Promise<Reply> {
  const { engine, q } = r;
  if (r.method === 'GET') {
    const rec = engine.getInstance(instanceId);
    if (!rec) return { status: 404 };
    const payload = statusPayload(rec, {
      showInput: flag(q, 'showInput'),
      showHistory: flag(q, 'showHistory'),
      showHistoryOutput: flag(q, 'showHistoryOutput'),
    });
    if (rec.status === 'Running' || rec.status === 'Pending' || rec.status === 'ContinuedAsNew') {
      const links = r.links(instanceId);
      return {
        status: 202,
        body: payload,
        headers: { Location: links.statusQueryGetUri ?? '', 'Retry-After': '10' },
      };
    }
    if (rec.status === 'Failed' && flag(q, 'returnInternalServerErrorOnFailure'))
      return { status: 500, body: payload };
    return { status: 200, body: payload };
  }
  if (r.method === 'DELETE') {
    if (!engine.getInstance(instanceId)) return { status: 404 };
    const deleted = await engine.purge(instanceId);
    return deleted > 0 ? { status: 200, body: { instancesDeleted: deleted } } : { status: 404 };
  }
  return { status: 405 };
}

const answer = (r: 'ok' | 'gone' | 'notfound'): Reply => ({
  status: r === 'ok' ? 202 : r === 'gone' ? 410 : 404,
});

export async function instancesRoute(r: InstanceRequest): Promise<Reply> {
  const { instanceId, action, method } = r;
  if (!instanceId) return listOrPurge(r);
  if (!action) return oneInstance(r, instanceId);
  if (action === 'terminate' && method === 'POST')
    return answer(await r.engine.terminate(instanceId, r.q.get('reason') ?? ''));
  if (action === 'raiseEvent' && r.eventName && method === 'POST') {
    const data = jsonInput(r.body);
    if (!data) return NOT_JSON;
    return answer(await r.engine.raiseEvent(instanceId, r.eventName, data.value));
  }
  if (['rewind', 'suspend', 'resume', 'restart'].includes(action))
    return { status: 501, body: { message: `${action} is not supported by the embedded runtime.` } };
  return { status: 404 };
}
