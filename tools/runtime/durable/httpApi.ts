/**
 * The subset of the Durable Functions HTTP API that `DurableClient` (durable-functions 3.x) and
 * the check-status URLs use, served two ways:
 * - the internal RPC endpoint (`rpcBaseUrl`, loopback only): `/durabletask/...`;
 * - the public webhook form on the app's HTTP port: `/runtime/webhooks/durabletask/...`,
 *   which requires `code=` (the durable extension's system key or the master key).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { errorMessage } from '../../../shared/errors';
import { closeServer } from '../../net/server';
import { keyAllowed } from '../httpKeys';
import { DurableEngine, InstanceExistsError, UnknownFunctionError, type InstanceQuery } from './engine';
import { EventType, RUNTIME_STATUSES, schedulerId, type HistoryEvent, type InstanceRecord } from './types';

export const RPC_PREFIX = '/durabletask/';
export const WEBHOOK_PREFIX = '/runtime/webhooks/durabletask/';
export const INSTANCE_PLACEHOLDER = 'INSTANCEID';

export interface ClientDataOptions {
  hubName: string;
  /** Origin of the app's HTTP host, e.g. `http://localhost:7071`. */
  publicOrigin: string;
  rpcBaseUrl: string;
  systemKey: string;
}

/** The `durableClient` input binding data, shaped like the extension's. */
export function buildClientData(o: ClientDataOptions): Record<string, unknown> {
  const base = `${o.publicOrigin.replace(/\/+$/, '')}/runtime/webhooks/durabletask`;
  const code = encodeURIComponent(o.systemKey);
  const q = `taskHub=${encodeURIComponent(o.hubName)}&connection=Storage&code=${code}`;
  const inst = `${base}/instances/${INSTANCE_PLACEHOLDER}`;
  return {
    taskHubName: o.hubName,
    creationUrls: {
      createNewInstancePostUri: `${base}/orchestrators/{functionName}[/{instanceId}]?code=${code}`,
      waitOnNewInstancePostUri: `${base}/orchestrators/{functionName}[/{instanceId}]?timeout={timeoutInSeconds}&pollingInterval={intervalInSeconds}&code=${code}`,
    },
    managementUrls: managementUrls(inst, q, INSTANCE_PLACEHOLDER),
    baseUrl: base,
    requiredQueryStringParameters: `code=${code}`,
    rpcBaseUrl: o.rpcBaseUrl,
  };
}

function managementUrls(inst: string, q: string, id: string): Record<string, string> {
  return {
    id,
    purgeHistoryDeleteUri: `${inst}?${q}`,
    restartPostUri: `${inst}/restart?${q}`,
    resumePostUri: `${inst}/resume?reason={text}&${q}`,
    rewindPostUri: `${inst}/rewind?reason={text}&${q}`,
    sendEventPostUri: `${inst}/raiseEvent/{eventName}?${q}`,
    statusQueryGetUri: `${inst}?${q}`,
    suspendPostUri: `${inst}/suspend?reason={text}&${q}`,
    terminatePostUri: `${inst}/terminate?reason={text}&${q}`,
  };
}

function secondsIso(iso: string): string {
  return iso.replace(/\.\d{3}Z$/, 'Z');
}

function parseJson(text: string | null | undefined): unknown {
  if (text === null || text === undefined || text === '') return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** Status payload as the extension's HTTP API returns it. */
export function statusPayload(
  rec: InstanceRecord,
  opts: { showInput?: boolean; showHistory?: boolean; showHistoryOutput?: boolean } = {},
): Record<string, unknown> {
  const out: Record<string, unknown> = {
    name: rec.name,
    instanceId: rec.instanceId,
    runtimeStatus: rec.status,
    input: opts.showInput === false ? null : parseJson(rec.input),
    customStatus: parseJson(rec.customStatus),
    output: parseJson(rec.output),
    createdTime: secondsIso(rec.createdTime),
    lastUpdatedTime: secondsIso(rec.lastUpdatedTime),
  };
  if (opts.showHistory) {
    // The extension names the field `historyEvents`; the JS SDK's DurableOrchestrationStatus reads `history`.
    const events = friendlyHistory(rec.history, opts.showHistoryOutput === true, opts.showInput !== false);
    out.historyEvents = events;
    out.history = events;
  }
  return out;
}

/** The API's readable history: scheduling/episode markers folded into the completion events. */
export function friendlyHistory(
  history: HistoryEvent[],
  showOutput: boolean,
  showInput: boolean,
): Record<string, unknown>[] {
  const scheduled = new Map<number, HistoryEvent>();
  const out: Record<string, unknown>[] = [];
  for (const e of history) {
    const type = EventType[e.EventType];
    switch (e.EventType) {
      case EventType.OrchestratorStarted:
      case EventType.OrchestratorCompleted:
        break;
      case EventType.TaskScheduled:
        scheduled.set(e.EventId, e);
        break;
      case EventType.ExecutionStarted:
        out.push({
          EventType: type,
          FunctionName: e.Name,
          ...(showInput ? { Input: parseJson(e.Input) } : {}),
          Timestamp: e.Timestamp,
        });
        break;
      case EventType.TaskCompleted:
      case EventType.TaskFailed: {
        const s = scheduled.get(e.TaskScheduledId ?? -1);
        out.push({
          EventType: type,
          FunctionName: s?.Name,
          ...(e.EventType === EventType.TaskCompleted
            ? showOutput
              ? { Result: parseJson(e.Result) }
              : {}
            : { Reason: e.Reason, Details: e.Details }),
          ScheduledTime: s?.Timestamp,
          Timestamp: e.Timestamp,
        });
        break;
      }
      case EventType.TimerCreated:
      case EventType.TimerFired:
        out.push({ EventType: type, FireAt: e.FireAt, Timestamp: e.Timestamp });
        break;
      case EventType.EventRaised:
        out.push({
          EventType: type,
          Name: e.Name,
          ...(showInput ? { Input: parseJson(e.Input) } : {}),
          Timestamp: e.Timestamp,
        });
        break;
      case EventType.EventSent:
        out.push({ EventType: type, Name: e.Name, InstanceId: e.InstanceId, Timestamp: e.Timestamp });
        break;
      case EventType.ExecutionCompleted:
        out.push({
          EventType: type,
          OrchestrationStatus: e.OrchestrationStatus,
          ...(showOutput || e.OrchestrationStatus !== 'Completed' ? { Result: parseJson(e.Result) } : {}),
          Timestamp: e.Timestamp,
        });
        break;
      default:
        out.push({ EventType: type, Timestamp: e.Timestamp });
    }
  }
  return out;
}

export interface DurableHttpApiOptions {
  engine: DurableEngine;
  clientData: () => Record<string, unknown>;
  /** Keys accepted on the public webhook form. */
  webhookKeys: () => string[];
}

interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > 16 * 1024 * 1024) throw new Error('body too large');
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, reply: Reply): void {
  const headers: Record<string, string> = { ...(reply.headers ?? {}) };
  let payload = '';
  if (reply.body !== undefined) {
    payload =
      typeof reply.body === 'string' && headers['Content-Type'] === 'text/plain'
        ? reply.body
        : JSON.stringify(reply.body);
    headers['Content-Type'] ??= 'application/json; charset=utf-8';
  }
  headers['Content-Length'] = String(Buffer.byteLength(payload));
  res.writeHead(reply.status, headers);
  res.end(payload);
}

/** Handles one API request whose path is relative to the prefix (e.g. `instances/abc`). */
export class DurableHttpApi {
  constructor(private readonly o: DurableHttpApiOptions) {}

  /** For httpHost `extraRoutes`: serves `/runtime/webhooks/durabletask/...` on the public port. */
  webhookRoutes = async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (!url.pathname.toLowerCase().startsWith(WEBHOOK_PREFIX)) return false;
    if (!keyAllowed(req, url, this.o.webhookKeys())) {
      req.resume();
      send(res, { status: 401 });
      return true;
    }
    await this.serve(req, res, url, url.pathname.slice(WEBHOOK_PREFIX.length), this.publicOrigin(req));
    return true;
  };

  private publicOrigin(req: IncomingMessage): string | undefined {
    const host = req.headers.host;
    return host && /^[A-Za-z0-9.\-[\]:]+$/.test(host) ? `http://${host}` : undefined;
  }

  async serve(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    relPath: string,
    origin?: string,
  ): Promise<void> {
    try {
      const body = req.method === 'GET' || req.method === 'HEAD' ? '' : await readBody(req);
      const reply = await this.route(
        (req.method ?? 'GET').toUpperCase(),
        relPath,
        url.searchParams,
        body,
        req,
        origin,
      );
      send(res, reply);
    } catch (err) {
      if (!res.headersSent) send(res, { status: 500, body: { message: errorMessage(err) } });
    }
  }

  private links(instanceId: string, origin?: string): Record<string, string> {
    const data = this.o.clientData() as { managementUrls: Record<string, string> };
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(data.managementUrls)) {
      let value = v;
      if (origin && /^https?:\/\//.test(value)) value = value.replace(new URL(value).origin, origin);
      out[k] = value.split(INSTANCE_PLACEHOLDER).join(encodeURIComponent(instanceId));
    }
    out.id = instanceId;
    return out;
  }

  private async route(
    method: string,
    relPath: string,
    q: URLSearchParams,
    body: string,
    req: IncomingMessage,
    origin?: string,
  ): Promise<Reply> {
    const engine = this.o.engine;
    const parts = relPath.split('/').map((p) => decodeURIComponent(p));
    if (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
    const [head, a, b, c] = parts;
    const bool = (name: string): boolean | undefined => {
      const v = q.get(name);
      return v === null ? undefined : v.toLowerCase() === 'true';
    };

    // POST orchestrators/{name}[/{instanceId}]
    if (head === 'orchestrators' && a && method === 'POST' && parts.length <= 3) {
      let input: unknown;
      if (body.trim() !== '') {
        try {
          input = JSON.parse(body) as unknown;
        } catch {
          return { status: 400, body: { message: 'The request body is not valid JSON.' } };
        }
      }
      try {
        const rec = await engine.startNew(a, { instanceId: b, input });
        const links = this.links(rec.instanceId, origin);
        return {
          status: 202,
          body: links,
          headers: { Location: links.statusQueryGetUri ?? '', 'Retry-After': '10' },
        };
      } catch (err) {
        // The extension refuses a Pending/Running/Suspended id with an OrchestrationAlreadyExistsException: 500.
        if (err instanceof InstanceExistsError) return { status: 500, body: { message: err.message } };
        if (err instanceof UnknownFunctionError) return { status: 400, body: { message: err.message } };
        throw err;
      }
    }

    if (head === 'instances') {
      // list / purge by filter
      if (!a) {
        const query: InstanceQuery = { includeEntities: method === 'GET' };
        const rs = q.get('runtimeStatus');
        if (rs) {
          const wanted = rs.split(',').map((s) => s.trim());
          query.runtimeStatus = RUNTIME_STATUSES.filter((s) =>
            wanted.some((w) => w.toLowerCase() === s.toLowerCase()),
          );
        }
        for (const [field, raw] of [
          ['createdTimeFrom', q.get('createdTimeFrom')],
          ['createdTimeTo', q.get('createdTimeTo')],
        ] as const) {
          if (!raw) continue;
          const at = new Date(raw);
          if (Number.isNaN(at.getTime()))
            return { status: 400, body: { message: `${field} is not a date: ${raw}` } };
          query[field] = at;
        }
        const prefix = q.get('instanceIdPrefix');
        if (prefix) query.instanceIdPrefix = prefix;
        if (method === 'DELETE') {
          // Azure refuses a purge by filter without a lower bound (it would scan the whole hub).
          if (!query.createdTimeFrom)
            return { status: 400, body: { message: 'A purge by filter needs createdTimeFrom.' } };
          const deleted = await engine.purgeBy(query);
          return deleted > 0 ? { status: 200, body: { instancesDeleted: deleted } } : { status: 404 };
        }
        if (method !== 'GET') return { status: 405 };
        const top = q.get('top');
        if (top) query.top = Number(top);
        const token = req.headers['x-ms-continuation-token'];
        if (typeof token === 'string' && token !== '') query.continuationToken = token;
        const page = engine.listInstances(query);
        const opts = { showInput: bool('showInput'), showHistory: false };
        return {
          status: 200,
          body: page.instances.map((r) => statusPayload(r, opts)),
          headers: page.continuationToken ? { 'x-ms-continuation-token': page.continuationToken } : {},
        };
      }
      const instanceId = a;
      if (!b) {
        if (method === 'GET') {
          const rec = engine.getInstance(instanceId);
          if (!rec) return { status: 404 };
          const payload = statusPayload(rec, {
            showInput: bool('showInput'),
            showHistory: bool('showHistory'),
            showHistoryOutput: bool('showHistoryOutput'),
          });
          if (rec.status === 'Running' || rec.status === 'Pending' || rec.status === 'ContinuedAsNew') {
            const links = this.links(instanceId, origin);
            return {
              status: 202,
              body: payload,
              headers: { Location: links.statusQueryGetUri ?? '', 'Retry-After': '10' },
            };
          }
          if (rec.status === 'Failed' && bool('returnInternalServerErrorOnFailure'))
            return { status: 500, body: payload };
          return { status: 200, body: payload };
        }
        if (method === 'DELETE') {
          if (!engine.getInstance(instanceId)) return { status: 404 };
          const deleted = await engine.purge(instanceId);
          return deleted > 0 ? { status: 200, body: { instancesDeleted: deleted } } : { status: 404 };
        }
        return { status: 405 };
      }
      if (b === 'terminate' && method === 'POST') {
        const r = await engine.terminate(instanceId, q.get('reason') ?? '');
        return { status: r === 'ok' ? 202 : r === 'gone' ? 410 : 404 };
      }
      if (b === 'raiseEvent' && c && method === 'POST') {
        let data: unknown;
        if (body.trim() !== '') {
          try {
            data = JSON.parse(body) as unknown;
          } catch {
            return { status: 400, body: { message: 'The request body is not valid JSON.' } };
          }
        }
        const r = await engine.raiseEvent(instanceId, c, data);
        return { status: r === 'ok' ? 202 : r === 'gone' ? 410 : 404 };
      }
      if (['rewind', 'suspend', 'resume', 'restart'].includes(b ?? '')) {
        return { status: 501, body: { message: `${b ?? ''} is not supported by the embedded runtime.` } };
      }
      return { status: 404 };
    }

    if (head === 'entities' && a) {
      if (!b) {
        if (method !== 'GET') return { status: 405 };
        const fetchState = bool('fetchState') === true;
        return {
          status: 200,
          body: engine.listEntities(a).map((e) => ({
            entityId: { name: e.name, key: e.key },
            lastOperationTime: secondsIso(e.lastModifiedTime),
            ...(fetchState ? { state: parseJson(e.state) } : {}),
          })),
        };
      }
      if (method === 'GET') {
        const { exists, state } = engine.readEntity(a, b);
        return exists ? { status: 200, body: state } : { status: 404 };
      }
      if (method === 'POST') {
        const op = q.get('op') ?? '';
        let input: unknown;
        if (body.trim() !== '') {
          try {
            input = JSON.parse(body) as unknown;
          } catch {
            input = body;
          }
        }
        await engine.signalEntity(a, b, op, input);
        return { status: 202 };
      }
      return { status: 405 };
    }
    return { status: 404 };
  }
}

/** Serves the RPC form on a loopback port; resolves with its base URL (ends with `/durabletask/`). */
export async function startRpcServer(
  api: DurableHttpApi,
  port = 0,
): Promise<{ server: Server; rpcBaseUrl: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (!url.pathname.startsWith(RPC_PREFIX)) {
      req.resume();
      send(res, { status: 404 });
      return;
    }
    void api.serve(req, res, url, url.pathname.slice(RPC_PREFIX.length));
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const addr = server.address() as AddressInfo;
  return {
    server,
    rpcBaseUrl: `http://127.0.0.1:${addr.port}${RPC_PREFIX}`,
    close: () => closeServer(server),
  };
}

export { schedulerId };
