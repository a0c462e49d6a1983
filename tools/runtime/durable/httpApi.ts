/**
 * The subset of the Durable Functions HTTP API that `DurableClient` (durable-functions 3.x) and
 * the check-status URLs use, served two ways:
 * - the internal RPC endpoint (`rpcBaseUrl`, loopback only): `/durabletask/...` (rpcServer.ts);
 * - the public webhook form on the app's HTTP port: `/runtime/webhooks/durabletask/...`,
 *   which requires `code=` (the durable extension's system key or the master key).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { errorMessage } from '../../../shared/errors';
import { keyAllowed } from '../httpKeys';
import { jsonInput, NOT_JSON, readBody, send, type Reply } from './apiReply';
import { INSTANCE_PLACEHOLDER, WEBHOOK_PREFIX } from './clientData';
import { DurableEngine, InstanceExistsError, UnknownFunctionError } from './engine';
import { entitiesRoute } from './entityRoutes';
import { instancesRoute } from './instanceRoutes';

export { buildClientData, INSTANCE_PLACEHOLDER, RPC_PREFIX, WEBHOOK_PREFIX } from './clientData';
export type { ClientDataOptions } from './clientData';
export { startRpcServer } from './rpcServer';
export { friendlyHistory, statusPayload } from './statusPayload';
export { schedulerId } from './types';

export interface DurableHttpApiOptions {
  engine: DurableEngine;
  clientData: () => Record<string, unknown>;
  /** Keys accepted on the public webhook form. */
  webhookKeys: () => string[];
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

  /** POST orchestrators/{name}[/{instanceId}] */
  private async startNew(
    name: string,
    instanceId: string | undefined,
    body: string,
    origin?: string,
  ): Promise<Reply> {
    const input = jsonInput(body);
    if (!input) return NOT_JSON;
    try {
      const rec = await this.o.engine.startNew(name, { instanceId, input: input.value });
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

  private async route(
    method: string,
    relPath: string,
    q: URLSearchParams,
    body: string,
    req: IncomingMessage,
    origin?: string,
  ): Promise<Reply> {
    const parts = relPath.split('/').map((p) => decodeURIComponent(p));
    if (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
    const [head, a, b, c] = parts;
    if (head === 'orchestrators' && a && method === 'POST' && parts.length <= 3)
      return this.startNew(a, b, body, origin);
    if (head === 'instances') {
      const token = req.headers['x-ms-continuation-token'];
      return instancesRoute({
        engine: this.o.engine,
        method,
        instanceId: a,
        action: b,
        eventName: c,
        q,
        body,
        continuationToken: typeof token === 'string' && token !== '' ? token : undefined,
        links: (id) => this.links(id, origin),
      });
    }
    if (head === 'entities' && a) return entitiesRoute(this.o.engine, method, a, b, q, body);
    return { status: 404 };
  }
}
