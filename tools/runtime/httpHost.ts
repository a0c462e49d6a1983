/**
 * The HTTP front end of the embedded runtime: routes requests to the app's `httpTrigger`
 * functions the way the Functions host does (route prefix, route templates, methods, auth
 * levels and keys), builds a real `HttpRequest` from `@azure/functions` and writes back the
 * handler's `HttpResponse` / `HttpResponseInit`.
 *
 * Invocation itself is delegated to `opts.invoke` (the host builds the InvocationContext).
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpRequest, HttpResponse, type HttpResponseInit } from '@azure/functions';
import type { RegisteredFunction } from './registry';
import { closeServer } from '../net/server';
import { keyAllowed } from './httpKeys';
import {
  BodyTooLarge,
  discardBody,
  readBody,
  requestHeaders,
  sendEmpty,
  sendJson,
  writeResponse,
} from './httpIo';
import { redactSecrets } from './redact';
import { safeDecode } from './routeParams';
import { buildRoutes, findRoute, type RouteInfo } from './httpRoutes';

export { HttpHostError } from './httpError';
export { redactSecrets } from './redact';
export { compileRoute, type CompiledRoute } from './routeTemplate';
export type { AuthLevel, RouteInfo } from './httpRoutes';

export interface HttpInvokeMeta {
  /** Id the host generated for this request; returned to the client in the 500 body. */
  invocationId: string;
  /** The route template that matched. */
  route: string;
}

export interface HttpHostOptions {
  port: number;
  /** Interface to listen on; default 127.0.0.1. */
  host?: string;
  /** host.json `extensions.http.routePrefix`; default `api`. `''` mounts routes at the root. */
  routePrefix?: string;
  /** All registered functions; only `httpTrigger` ones are routed. */
  functions: RegisteredFunction[];
  /** Keys accepted for `authLevel: 'function'`. */
  functionKeys: readonly string[];
  /** Accepted for every auth level; the only key accepted for `admin`. */
  masterKey?: string;
  invoke(
    fn: RegisteredFunction,
    request: HttpRequest,
    meta: HttpInvokeMeta,
  ): Promise<HttpResponse | HttpResponseInit | undefined>;
  /** Consulted before the function routes; resolve true when it handled the request. */
  extraRoutes?: (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;
  /** Largest accepted request body; default 1 MiB. Larger bodies get 413. */
  maxBodyBytes?: number;
  log?: (line: string) => void;
}

export interface HttpHost {
  url: string;
  port: number;
  routes: RouteInfo[];
  close(): Promise<void>;
}

const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

export async function startHttpHost(opts: HttpHostOptions): Promise<HttpHost> {
  const listenHost = opts.host ?? '127.0.0.1';
  const prefix = (opts.routePrefix ?? 'api').replace(/^\/+|\/+$/g, '');
  const prefixSegments = prefix === '' ? [] : prefix.split('/');
  const maxBodyBytes = opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const log = opts.log ?? ((): void => undefined);
  const routes = buildRoutes(opts.functions, prefix);
  const functionKeys = [...opts.functionKeys, ...(opts.masterKey ? [opts.masterKey] : [])];
  const adminKeys = opts.masterKey ? [opts.masterKey] : [];
  const secretsToMask = [...functionKeys];
  let port = opts.port;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (opts.extraRoutes && (await opts.extraRoutes(req, res))) return;

    const method = (req.method ?? 'GET').toUpperCase();
    const rawUrl = req.url ?? '/';
    const rawPath = rawUrl.split('?')[0] ?? '/';
    let segments = rawPath.split('/').slice(1);
    if (segments.length > 0 && segments[segments.length - 1] === '') segments = segments.slice(0, -1);
    const underPrefix =
      segments.length >= prefixSegments.length &&
      prefixSegments.every((p, i) => safeDecode(segments[i] ?? '')?.toLowerCase() === p.toLowerCase());
    const found = underPrefix ? findRoute(routes, segments.slice(prefixSegments.length), method) : undefined;
    if (!found) {
      discardBody(req, maxBodyBytes * 4);
      sendEmpty(res, 404);
      return;
    }
    const { route, params } = found;

    if (route.authLevel !== 'anonymous') {
      const allowed = route.authLevel === 'admin' ? adminKeys : functionKeys;
      if (!keyAllowed(req, new URL(rawUrl, 'http://localhost'), allowed)) {
        discardBody(req, maxBodyBytes * 4);
        sendEmpty(res, 401);
        return;
      }
    }

    let body: Buffer | undefined;
    if (method !== 'GET' && method !== 'HEAD') {
      try {
        body = await readBody(req, maxBodyBytes);
      } catch (err) {
        if (err instanceof BodyTooLarge) {
          discardBody(req, maxBodyBytes * 4);
          sendJson(
            res,
            413,
            { error: 'payload too large', details: { limit: maxBodyBytes } },
            { connection: 'close' },
          );
          return;
        }
        throw err;
      }
    } else {
      discardBody(req, maxBodyBytes * 4);
    }

    const hostHeader = req.headers.host;
    const authority =
      hostHeader && /^[A-Za-z0-9.\-[\]:]+$/.test(hostHeader) ? hostHeader : `${listenHost}:${String(port)}`;
    const request = new HttpRequest({
      method,
      url: `http://${authority}${rawUrl.startsWith('/') ? rawUrl : `/${rawUrl}`}`,
      headers: requestHeaders(req),
      params,
      body: body && body.length > 0 ? { bytes: body } : undefined,
    });

    const invocationId = randomUUID();
    let response: HttpResponse;
    try {
      const result = await opts.invoke(route.fn, request, { invocationId, route: route.info.route });
      if (result !== undefined && result !== null && typeof result !== 'object') {
        throw new TypeError('The HTTP response must be an object');
      }
      response = result instanceof HttpResponse ? result : new HttpResponse(result ?? undefined);
    } catch (err) {
      const e = err instanceof Error ? err : new Error(String(err));
      log(
        `[http] ${route.fn.name} invocation ${invocationId} failed: ${e.name}: ${redactSecrets(e.message, secretsToMask)}`,
      );
      if (!res.headersSent) sendJson(res, 500, { error: 'internal error', invocationId });
      return;
    }
    await writeResponse(res, method, response);
  };

  const server = createServer((req, res) => {
    const started = performance.now();
    res.on('finish', () => {
      const ms = Math.round(performance.now() - started);
      log(
        `[http] ${req.method ?? '?'} ${redactSecrets(req.url ?? '/', secretsToMask)} ${res.statusCode} ${String(ms)}ms`,
      );
    });
    handle(req, res).catch((err: unknown) => {
      const e = err instanceof Error ? err : new Error(String(err));
      log(`[http] request failed: ${e.name}: ${redactSecrets(e.message, secretsToMask)}`);
      if (!res.headersSent) {
        discardBody(req, maxBodyBytes * 4);
        sendJson(res, 500, { error: 'internal error' });
      } else {
        res.destroy();
      }
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, listenHost, () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  const urlHost = listenHost.includes(':') ? `[${listenHost}]` : listenHost;

  return {
    url: `http://${urlHost}:${String(port)}`,
    port,
    routes: routes.map((r) => r.info),
    close: () => closeServer(server),
  };
}
