/**
 * The HTTP front end of the embedded runtime: routes requests to the app's `httpTrigger`
 * functions the way the Functions host does (route prefix, route templates, methods, auth
 * levels and keys), builds a real `HttpRequest` from `@azure/functions` and writes back the
 * handler's `HttpResponse` / `HttpResponseInit`.
 *
 * Invocation itself is delegated to `opts.invoke` (the host builds the InvocationContext).
 */
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpRequest, HttpResponse, type Cookie, type HttpResponseInit } from '@azure/functions';
import type { BindingMetadata, RegisteredFunction } from './registry';

export type AuthLevel = 'anonymous' | 'function' | 'admin';

export interface RouteInfo {
  /** Function name. */
  name: string;
  /** Upper-case methods, or undefined when the function accepts every method. */
  methods: string[] | undefined;
  authLevel: AuthLevel;
  /** The route template as declared (the function name when the binding has no `route`). */
  route: string;
  /** The path template including the prefix, e.g. `/api/orchestrators/{name}`. */
  path: string;
}

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

export class HttpHostError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HttpHostError';
  }
}

const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

// ---------------------------------------------------------------------------------------------
// Secrets in logs

const SECRET_PARAM =
  /\b(code|sig|key|token|access_token|password|pwd|secret|client_secret|accountkey|sharedaccesskey|apikey|api_key)=([^&\s;"'#]*)/gi;

/** Masks secret-looking `name=value` pairs, bearer tokens and the given literal keys. */
export function redactSecrets(text: string, keys: readonly string[] = []): string {
  let out = text;
  for (const key of keys) {
    if (key.length >= 4) out = out.split(key).join('[redacted]');
  }
  return out
    .replace(SECRET_PARAM, (_m, name: string) => `${name}=[redacted]`)
    .replace(/\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]+/gi, (_m, scheme: string) => `${scheme} [redacted]`);
}

// ---------------------------------------------------------------------------------------------
// Route templates (the subset of ASP.NET Core route templates Functions apps use)

type Constraint = (value: string) => boolean;

interface ParamSpec {
  name: string;
  optional: boolean;
  defaultValue: string | undefined;
  catchAll: boolean;
  constraints: Constraint[];
}

type Segment =
  | { kind: 'literal'; text: string }
  | { kind: 'param'; param: ParamSpec }
  | { kind: 'complex'; regex: RegExp; params: ParamSpec[] };

export interface CompiledRoute {
  template: string;
  segments: Segment[];
  /** Lower sorts first: per segment 1 literal, 2 complex, 3 constrained param, 4 param, 5 catch-all. */
  precedence: number[];
  match(pathSegments: readonly string[]): Record<string, string> | undefined;
}

const INT32 = { min: -2147483648, max: 2147483647 };

function numberArgs(name: string, args: string, count: number[]): number[] {
  const values = args.split(',').map((s) => s.trim());
  if (!count.includes(values.length) || values.some((v) => !/^-?\d+(\.\d+)?$/.test(v))) {
    throw new HttpHostError(
      `route constraint "${name}(${args})" needs ${count.join(' or ')} numeric argument(s)`,
    );
  }
  return values.map(Number);
}

function buildConstraint(text: string): Constraint {
  const m = /^([A-Za-z]+)(?:\((.*)\))?$/s.exec(text);
  if (!m) throw new HttpHostError(`route constraint "${text}" is not valid`);
  const name = (m[1] ?? '').toLowerCase();
  const args = m[2];
  const isNum = (v: string): boolean => /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(v);
  const isInt = (v: string): boolean => /^-?\d+$/.test(v);
  switch (name) {
    case 'int':
      return (v) => isInt(v) && Number(v) >= INT32.min && Number(v) <= INT32.max;
    case 'long':
      return (v) => isInt(v) && BigInt(v) >= -(2n ** 63n) && BigInt(v) < 2n ** 63n;
    case 'alpha':
      return (v) => /^[A-Za-z]+$/.test(v);
    case 'bool':
      return (v) => /^(true|false)$/i.test(v);
    case 'guid':
      return (v) => /^\{?[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}\}?$/i.test(v);
    case 'decimal':
    case 'double':
    case 'float':
      return isNum;
    case 'datetime':
      return (v) => !Number.isNaN(Date.parse(v));
    case 'minlength': {
      const [n = 0] = numberArgs(name, args ?? '', [1]);
      return (v) => v.length >= n;
    }
    case 'maxlength': {
      const [n = 0] = numberArgs(name, args ?? '', [1]);
      return (v) => v.length <= n;
    }
    case 'length': {
      const [a = 0, b] = numberArgs(name, args ?? '', [1, 2]);
      return b === undefined ? (v) => v.length === a : (v) => v.length >= a && v.length <= b;
    }
    case 'min': {
      const [n = 0] = numberArgs(name, args ?? '', [1]);
      return (v) => isInt(v) && Number(v) >= n;
    }
    case 'max': {
      const [n = 0] = numberArgs(name, args ?? '', [1]);
      return (v) => isInt(v) && Number(v) <= n;
    }
    case 'range': {
      const [a = 0, b = 0] = numberArgs(name, args ?? '', [2]);
      return (v) => isInt(v) && Number(v) >= a && Number(v) <= b;
    }
    case 'regex': {
      if (args === undefined) throw new HttpHostError('route constraint "regex" needs a pattern');
      const re = new RegExp(args, 'i');
      return (v) => re.test(v);
    }
    default:
      throw new HttpHostError(`route constraint "${text}" is not supported`);
  }
}

function parseParam(body: string, template: string): ParamSpec {
  // {name}, {name?}, {name=default}, {name:int}, {name:int?}, {*rest}, {**rest}, {name:regex(^a:b$)}
  let text = body;
  let catchAll = false;
  if (text.startsWith('**')) {
    catchAll = true;
    text = text.slice(2);
  } else if (text.startsWith('*')) {
    catchAll = true;
    text = text.slice(1);
  }
  let optional = false;
  if (text.endsWith('?')) {
    optional = true;
    text = text.slice(0, -1);
  }
  let defaultValue: string | undefined;
  const colon = text.indexOf(':');
  const nameEnd = colon >= 0 ? colon : text.length;
  let name = text.slice(0, nameEnd);
  const eq = name.indexOf('=');
  if (eq >= 0) {
    defaultValue = name.slice(eq + 1);
    name = name.slice(0, eq);
  }
  const constraints: Constraint[] = [];
  let rest = text.slice(nameEnd);
  while (rest.startsWith(':')) {
    rest = rest.slice(1);
    // A constraint runs to the next ':' outside parentheses.
    let depth = 0;
    let end = 0;
    for (; end < rest.length; end++) {
      const ch = rest[end];
      if (ch === '(') depth++;
      else if (ch === ')') depth--;
      else if (ch === ':' && depth === 0) break;
    }
    let constraintText = rest.slice(0, end);
    rest = rest.slice(end);
    const dEq = constraintText.lastIndexOf('=');
    if (dEq >= 0 && !constraintText.includes('(')) {
      defaultValue = constraintText.slice(dEq + 1);
      constraintText = constraintText.slice(0, dEq);
    }
    constraints.push(buildConstraint(constraintText));
  }
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    throw new HttpHostError(`route "${template}": parameter name "${name}" is not valid`);
  }
  if (catchAll) optional = true;
  return { name, optional: optional || defaultValue !== undefined, defaultValue, catchAll, constraints };
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Splits one template segment into literal text and `{...}` parameters (braces may nest in regex constraints). */
function splitSegment(segment: string, template: string): Array<string | ParamSpec> {
  const parts: Array<string | ParamSpec> = [];
  let i = 0;
  let literal = '';
  while (i < segment.length) {
    const ch = segment[i];
    if (ch === '{' && segment[i + 1] === '{') {
      literal += '{';
      i += 2;
    } else if (ch === '}' && segment[i + 1] === '}') {
      literal += '}';
      i += 2;
    } else if (ch === '{') {
      let depth = 1;
      let j = i + 1;
      for (; j < segment.length && depth > 0; j++) {
        if (segment[j] === '{') depth++;
        else if (segment[j] === '}') depth--;
      }
      if (depth !== 0) throw new HttpHostError(`route "${template}": unbalanced "{"`);
      if (literal) parts.push(literal);
      literal = '';
      parts.push(parseParam(segment.slice(i + 1, j - 1), template));
      i = j;
    } else if (ch === '}') {
      throw new HttpHostError(`route "${template}": unbalanced "}"`);
    } else {
      literal += ch;
      i++;
    }
  }
  if (literal) parts.push(literal);
  return parts;
}

function safeDecode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

export function compileRoute(template: string): CompiledRoute {
  const trimmed = template.replace(/^~?\/+/, '').replace(/\/+$/, '');
  const rawSegments = trimmed === '' ? [] : trimmed.split('/');
  const segments: Segment[] = [];
  const precedence: number[] = [];
  const names = new Set<string>();
  rawSegments.forEach((raw, index) => {
    if (raw === '') throw new HttpHostError(`route "${template}": empty segment`);
    const parts = splitSegment(raw, template);
    const params = parts.filter((p): p is ParamSpec => typeof p !== 'string');
    for (const p of params) {
      if (names.has(p.name.toLowerCase())) {
        throw new HttpHostError(`route "${template}": parameter "${p.name}" appears twice`);
      }
      names.add(p.name.toLowerCase());
      if (p.catchAll && index !== rawSegments.length - 1) {
        throw new HttpHostError(`route "${template}": catch-all parameter "${p.name}" must be last`);
      }
    }
    const [only] = parts;
    if (parts.length === 1 && typeof only === 'string') {
      segments.push({ kind: 'literal', text: only });
      precedence.push(1);
    } else if (parts.length === 1 && only !== undefined && typeof only !== 'string') {
      segments.push({ kind: 'param', param: only });
      precedence.push(only.catchAll ? 5 : only.constraints.length > 0 ? 3 : 4);
    } else {
      if (params.some((p) => p.catchAll || p.optional)) {
        throw new HttpHostError(
          `route "${template}": optional and catch-all parameters must fill a whole segment`,
        );
      }
      const source = parts.map((p) => (typeof p === 'string' ? escapeRegex(p) : '(.+?)')).join('');
      segments.push({ kind: 'complex', regex: new RegExp(`^${source}$`, 'i'), params });
      precedence.push(2);
    }
  });
  // Optional parameters may only be followed by optional parameters.
  let seenOptional = false;
  for (const seg of segments) {
    const optional = seg.kind === 'param' && seg.param.optional;
    if (seenOptional && !optional) {
      throw new HttpHostError(
        `route "${template}": an optional parameter must not be followed by required segments`,
      );
    }
    seenOptional ||= optional;
  }

  const match = (pathSegments: readonly string[]): Record<string, string> | undefined => {
    const params: Record<string, string> = {};
    for (let i = 0; i < segments.length; i++) {
      const seg = segments[i];
      if (seg === undefined) return undefined;
      const raw = pathSegments[i];
      if (seg.kind === 'param' && seg.param.catchAll) {
        const rest = pathSegments.slice(i).map(safeDecode);
        if (rest.some((s) => s === undefined)) return undefined;
        const value = rest.join('/');
        if (value === '') {
          if (seg.param.defaultValue !== undefined) params[seg.param.name] = seg.param.defaultValue;
        } else {
          if (!seg.param.constraints.every((c) => c(value))) return undefined;
          params[seg.param.name] = value;
        }
        return params;
      }
      if (raw === undefined || raw === '') {
        if (seg.kind === 'param' && seg.param.optional && raw === undefined) {
          if (seg.param.defaultValue !== undefined) params[seg.param.name] = seg.param.defaultValue;
          continue;
        }
        return undefined;
      }
      const value = safeDecode(raw);
      if (value === undefined) return undefined;
      if (seg.kind === 'literal') {
        if (value.toLowerCase() !== seg.text.toLowerCase()) return undefined;
      } else if (seg.kind === 'param') {
        if (!seg.param.constraints.every((c) => c(value))) return undefined;
        params[seg.param.name] = value;
      } else {
        const m = seg.regex.exec(value);
        if (!m) return undefined;
        for (let k = 0; k < seg.params.length; k++) {
          const p = seg.params[k];
          const v = m[k + 1];
          if (p === undefined || v === undefined || !p.constraints.every((c) => c(v))) return undefined;
          params[p.name] = v;
        }
      }
    }
    return pathSegments.length > segments.length ? undefined : params;
  };

  return { template, segments, precedence, match };
}

function comparePrecedence(a: CompiledRoute, b: CompiledRoute): number {
  const n = Math.min(a.precedence.length, b.precedence.length);
  for (let i = 0; i < n; i++) {
    const d = (a.precedence[i] ?? 0) - (b.precedence[i] ?? 0);
    if (d !== 0) return d;
  }
  // Same prefix: the longer (more specific) template first.
  return b.precedence.length - a.precedence.length;
}

// ---------------------------------------------------------------------------------------------
// Keys

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** Constant-time check against every candidate (no early exit, no length leak). */
function keyMatches(given: string | undefined, candidates: readonly string[]): boolean {
  if (given === undefined || given === '') return false;
  const g = digest(given);
  let ok = false;
  for (const candidate of candidates) {
    if (candidate === '') continue;
    ok = timingSafeEqual(g, digest(candidate)) || ok;
  }
  return ok;
}

// ---------------------------------------------------------------------------------------------
// Server

interface Route {
  fn: RegisteredFunction;
  compiled: CompiledRoute;
  methods: Set<string> | undefined;
  authLevel: AuthLevel;
  info: RouteInfo;
}

function normalizeAuthLevel(value: unknown, name: string): AuthLevel {
  const level = typeof value === 'string' ? value.toLowerCase() : 'anonymous';
  if (level === 'anonymous' || level === 'function' || level === 'admin') return level;
  if (level === 'system') return 'admin';
  throw new HttpHostError(`function "${name}": unknown authLevel "${String(value)}"`);
}

function buildRoutes(functions: RegisteredFunction[], prefix: string): Route[] {
  const routes: Route[] = [];
  for (const fn of functions) {
    if (fn.triggerType.toLowerCase() !== 'httptrigger') continue;
    const trigger: BindingMetadata = fn.trigger;
    const template =
      typeof trigger.route === 'string' && trigger.route.trim() !== '' ? trigger.route : fn.name;
    let compiled: CompiledRoute;
    try {
      compiled = compileRoute(template);
    } catch (err) {
      throw new HttpHostError(`function "${fn.name}": ${(err as Error).message}`);
    }
    const declared = Array.isArray(trigger.methods)
      ? trigger.methods.filter((m): m is string => typeof m === 'string').map((m) => m.toUpperCase())
      : [];
    const methods = declared.length > 0 ? new Set(declared) : undefined;
    const authLevel = normalizeAuthLevel(trigger.authLevel, fn.name);
    const routeTail = compiled.template.replace(/^~?\/+/, '').replace(/\/+$/, '');
    const path = '/' + [prefix, routeTail].filter((s) => s !== '').join('/');
    routes.push({
      fn,
      compiled,
      methods,
      authLevel,
      info: { name: fn.name, methods: methods ? [...methods] : undefined, authLevel, route: template, path },
    });
  }
  routes.sort((a, b) => comparePrecedence(a.compiled, b.compiled) || a.fn.name.localeCompare(b.fn.name));
  // Identical templates with overlapping methods cannot be told apart: refuse to start, like the host.
  for (let i = 0; i < routes.length; i++) {
    for (let j = i + 1; j < routes.length; j++) {
      const a = routes[i];
      const b = routes[j];
      if (!a || !b) continue;
      if (a.info.path.toLowerCase() !== b.info.path.toLowerCase()) continue;
      const overlap = !a.methods || !b.methods || [...a.methods].some((m) => b.methods?.has(m));
      if (overlap) {
        throw new HttpHostError(
          `functions "${a.fn.name}" and "${b.fn.name}" declare the same route "${a.info.path}"`,
        );
      }
    }
  }
  return routes;
}

class BodyTooLarge extends Error {}

/** Reads at most `limit` bytes; rejects with BodyTooLarge as soon as the body exceeds it. */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      reject(new BodyTooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        chunks.length = 0;
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      cleanup();
      resolve(Buffer.concat(chunks, size));
    };
    const onError = (err: Error): void => {
      cleanup();
      reject(err);
    };
    const cleanup = (): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}

/** Throws away the rest of a request body (so the client can read our early response), up to a cap. */
function discardBody(req: IncomingMessage, capBytes: number): void {
  if (req.readableEnded) return;
  let discarded = 0;
  req.on('data', (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > capBytes) req.socket.destroy();
  });
  req.resume();
}

function serializeCookie(cookie: Cookie): string {
  let out = `${cookie.name}=${cookie.value}`;
  if (cookie.domain) out += `; Domain=${cookie.domain}`;
  if (cookie.path) out += `; Path=${cookie.path}`;
  if (cookie.expires !== undefined) {
    const expires = cookie.expires instanceof Date ? cookie.expires : new Date(cookie.expires);
    out += `; Expires=${expires.toUTCString()}`;
  }
  if (cookie.maxAge !== undefined) out += `; Max-Age=${cookie.maxAge}`;
  if (cookie.secure) out += '; Secure';
  if (cookie.httpOnly) out += '; HttpOnly';
  if (cookie.sameSite) out += `; SameSite=${cookie.sameSite}`;
  return out;
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  extraHeaders: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...extraHeaders,
  });
  res.end(text);
}

function sendEmpty(res: ServerResponse, status: number): void {
  res.writeHead(status, { 'content-length': 0 });
  res.end();
}

async function writeResponse(res: ServerResponse, method: string, response: HttpResponse): Promise<void> {
  const headers = response.headers;
  const cookies = [...headers.getSetCookie(), ...response.cookies.map(serializeCookie)];
  for (const [name, value] of headers.entries()) {
    if (name === 'set-cookie') continue;
    res.setHeader(name, value);
  }
  if (cookies.length > 0) res.setHeader('set-cookie', cookies);
  res.statusCode = response.status;
  const body = response.body;
  if (!body || method === 'HEAD') {
    if (body) await body.cancel();
    res.end();
    return;
  }
  for await (const chunk of body) {
    if (res.destroyed) break;
    if (!res.write(chunk)) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          res.off('drain', done);
          res.off('close', done);
          resolve();
        };
        res.on('drain', done);
        res.on('close', done);
      });
    }
  }
  res.end();
}

function requestHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

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

  const findRoute = (
    pathSegments: string[],
    method: string,
  ): { route: Route; params: Record<string, string> } | undefined => {
    for (const route of routes) {
      const params = route.compiled.match(pathSegments);
      if (params === undefined) continue;
      // Azure answers 404 (not 405) when only the method differs; keep looking for another function.
      if (route.methods && !route.methods.has(method)) continue;
      return { route, params };
    }
    return undefined;
  };

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
    const found = underPrefix ? findRoute(segments.slice(prefixSegments.length), method) : undefined;
    if (!found) {
      discardBody(req, maxBodyBytes * 4);
      sendEmpty(res, 404);
      return;
    }
    const { route, params } = found;

    if (route.authLevel !== 'anonymous') {
      const url = new URL(rawUrl, 'http://localhost');
      const headerKey = req.headers['x-functions-key'];
      const given =
        (Array.isArray(headerKey) ? headerKey[0] : headerKey) ?? url.searchParams.get('code') ?? undefined;
      const allowed = route.authLevel === 'admin' ? adminKeys : functionKeys;
      if (!keyMatches(given, allowed)) {
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
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
