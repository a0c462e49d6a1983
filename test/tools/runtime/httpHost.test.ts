import { HttpResponse, type HttpRequest, type HttpResponseInit } from '@azure/functions';
import { Readable } from 'node:stream';
import { startHttpHost, type HttpHost } from '../../../tools/runtime/httpHost';
import type { BindingMetadata, RegisteredFunction } from '../../../tools/runtime/registry';

type Handler = (req: HttpRequest) => Promise<HttpResponse | HttpResponseInit | undefined>;

function httpFn(name: string, trigger: Partial<BindingMetadata>, handler: Handler): RegisteredFunction {
  const binding: BindingMetadata = { type: 'httpTrigger', direction: 'in', name: 'httpTrigger1', ...trigger };
  return { name, bindings: { httpTrigger1: binding }, handler, triggerType: 'httpTrigger', trigger: binding };
}

const FUNCTION_KEY = 'fk-test-0123456789abcdef';
const MASTER_KEY = 'mk-test-fedcba9876543210';

describe('startHttpHost', () => {
  let host: HttpHost;
  const lines: string[] = [];
  const seen: Array<{ name: string; method: string; params: Record<string, string>; body: string }> = [];

  const echo =
    (name: string): Handler =>
    async (req) => {
      seen.push({ name, method: req.method, params: { ...req.params }, body: await req.text() });
      return { jsonBody: { name, params: req.params } };
    };

  beforeAll(async () => {
    const functions: RegisteredFunction[] = [
      httpFn('hello', { authLevel: 'anonymous', methods: ['GET', 'POST'] }, echo('hello')),
      httpFn(
        'instance',
        { authLevel: 'anonymous', methods: ['get'], route: 'instances/{instanceId}' },
        echo('instance'),
      ),
      httpFn(
        'instanceLatest',
        { authLevel: 'anonymous', methods: ['GET'], route: 'instances/latest' },
        echo('latest'),
      ),
      httpFn(
        'byNumber',
        { authLevel: 'anonymous', methods: ['GET'], route: 'items/{id:int}' },
        echo('byNumber'),
      ),
      httpFn(
        'byName',
        { authLevel: 'anonymous', methods: ['GET'], route: 'items/{name:alpha}' },
        echo('byName'),
      ),
      httpFn('optional', { authLevel: 'anonymous', route: 'runs/{day?}' }, echo('optional')),
      httpFn('secure', { authLevel: 'function', methods: ['GET', 'POST'], route: 'secure' }, echo('secure')),
      httpFn('adminOnly', { authLevel: 'admin', methods: ['GET'], route: 'admin-only' }, echo('adminOnly')),
      httpFn(
        'start',
        { authLevel: 'anonymous', methods: ['POST'], route: 'orchestrators/{name}' },
        echo('start'),
      ),
      httpFn('rich', { authLevel: 'anonymous', methods: ['GET'], route: 'rich' }, async () => {
        const res = new HttpResponse({
          status: 202,
          jsonBody: { accepted: true },
          headers: { 'x-custom': 'yes', location: '/api/instances/abc' },
          cookies: [{ name: 'session', value: 'v1', httpOnly: true, path: '/' }],
        });
        return res;
      }),
      httpFn('plain', { authLevel: 'anonymous', methods: ['GET'], route: 'plain' }, async () => ({
        status: 201,
        body: 'hello text',
        headers: { 'content-type': 'text/plain' },
      })),
      httpFn('stream', { authLevel: 'anonymous', methods: ['GET'], route: 'stream' }, async () => ({
        body: Readable.toWeb(
          Readable.from([Buffer.from('a,'), Buffer.from('b,'), Buffer.from('c')]),
        ) as never,
      })),
      httpFn(
        'nothing',
        { authLevel: 'anonymous', methods: ['GET'], route: 'nothing' },
        async () => undefined,
      ),
      httpFn('boom', { authLevel: 'anonymous', methods: ['GET'], route: 'boom' }, async () => {
        throw new Error(`db password=hunter2 failed for key ${FUNCTION_KEY}`);
      }),
    ];
    host = await startHttpHost({
      port: 0,
      functions,
      functionKeys: [FUNCTION_KEY],
      masterKey: MASTER_KEY,
      maxBodyBytes: 1024,
      log: (line) => lines.push(line),
      invoke: async (fn, request) => (fn.handler as Handler)(request),
      extraRoutes: async (req, res) => {
        if (req.url?.startsWith('/runtime/webhooks/durabletask/') || req.url === '/api/hello?extra=1') {
          res.writeHead(200, { 'content-type': 'text/plain' });
          res.end('extra');
          return true;
        }
        return false;
      },
    });
  });

  afterAll(async () => {
    await host.close();
  });

  beforeEach(() => {
    seen.length = 0;
  });

  const get = (path: string, init?: RequestInit): Promise<Response> => fetch(`${host.url}${path}`, init);

  it('lists routes with the prefix and defaults', () => {
    const hello = host.routes.find((r) => r.name === 'hello');
    expect(hello).toEqual({
      name: 'hello',
      methods: ['GET', 'POST'],
      authLevel: 'anonymous',
      route: 'hello',
      path: '/api/hello',
    });
    expect(host.routes.find((r) => r.name === 'optional')?.methods).toBeUndefined();
    expect(host.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('routes the default route (function name) and route params', async () => {
    const res = await get('/api/hello');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ name: 'hello', params: {} });

    const inst = await get('/api/instances/abc%20123');
    expect(await inst.json()).toEqual({ name: 'instance', params: { instanceId: 'abc 123' } });
  });

  it('matches literals before parameters, case-insensitively, with a trailing slash', async () => {
    expect(await (await get('/api/instances/latest')).json()).toEqual({ name: 'latest', params: {} });
    expect(await (await get('/API/Instances/LATEST/')).json()).toEqual({ name: 'latest', params: {} });
  });

  it('applies int and alpha constraints', async () => {
    expect(await (await get('/api/items/42')).json()).toEqual({ name: 'byNumber', params: { id: '42' } });
    expect(await (await get('/api/items/abc')).json()).toEqual({ name: 'byName', params: { name: 'abc' } });
    expect((await get('/api/items/a1')).status).toBe(404);
  });

  it('supports optional parameters and all methods when none are declared', async () => {
    expect(await (await get('/api/runs')).json()).toEqual({ name: 'optional', params: {} });
    const res = await get('/api/runs/2024-03-08', { method: 'DELETE' });
    expect(await res.json()).toEqual({ name: 'optional', params: { day: '2024-03-08' } });
  });

  it('answers 404 on method mismatch, unknown routes and paths outside the prefix', async () => {
    const mismatch = await get('/api/instances/abc', { method: 'POST', body: 'x' });
    expect(mismatch.status).toBe(404);
    expect(await mismatch.text()).toBe('');
    expect((await get('/api/nope')).status).toBe(404);
    expect((await get('/hello')).status).toBe(404);
    expect((await get('/api/hello/extra')).status).toBe(404);
  });

  it('passes the request body, method and params to the handler', async () => {
    const res = await get('/api/orchestrators/ingest', {
      method: 'POST',
      body: JSON.stringify({ from: '2024-03-08' }),
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(200);
    expect(seen).toEqual([
      { name: 'start', method: 'POST', params: { name: 'ingest' }, body: '{"from":"2024-03-08"}' },
    ]);
  });

  it('accepts a function key in the header or the code query parameter', async () => {
    expect((await get('/api/secure', { headers: { 'x-functions-key': FUNCTION_KEY } })).status).toBe(200);
    expect((await get(`/api/secure?code=${FUNCTION_KEY}`)).status).toBe(200);
    expect((await get(`/api/secure?code=${MASTER_KEY}`)).status).toBe(200);
  });

  it('answers 401 with an empty body for a missing or wrong key', async () => {
    const missing = await get('/api/secure');
    expect(missing.status).toBe(401);
    expect(await missing.text()).toBe('');
    expect((await get('/api/secure?code=wrong')).status).toBe(401);
    expect((await get('/api/secure', { headers: { 'x-functions-key': `${FUNCTION_KEY}x` } })).status).toBe(
      401,
    );
    expect((await get('/api/secure', { method: 'POST', body: 'payload' })).status).toBe(401);
    expect(seen).toEqual([]);
  });

  it('accepts only the master key for admin functions', async () => {
    expect((await get(`/api/admin-only?code=${FUNCTION_KEY}`)).status).toBe(401);
    expect((await get('/api/admin-only', { headers: { 'x-functions-key': MASTER_KEY } })).status).toBe(200);
  });

  it('writes status, headers, cookies and jsonBody back', async () => {
    const res = await get('/api/rich');
    expect(res.status).toBe(202);
    expect(res.headers.get('x-custom')).toBe('yes');
    expect(res.headers.get('location')).toBe('/api/instances/abc');
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(res.headers.getSetCookie()).toEqual(['session=v1; Path=/; HttpOnly']);
    expect(await res.json()).toEqual({ accepted: true });
  });

  it('writes string and stream bodies, and 200 with no body for undefined', async () => {
    const plain = await get('/api/plain');
    expect(plain.status).toBe(201);
    expect(plain.headers.get('content-type')).toBe('text/plain');
    expect(await plain.text()).toBe('hello text');
    expect(await (await get('/api/stream')).text()).toBe('a,b,c');
    const nothing = await get('/api/nothing');
    expect(nothing.status).toBe(200);
    expect(await nothing.text()).toBe('');
  });

  it('answers 500 without the error text when the handler throws', async () => {
    lines.length = 0;
    const res = await get('/api/boom');
    expect(res.status).toBe(500);
    const body = (await res.json()) as { error: string; invocationId: string };
    expect(body.error).toBe('internal error');
    expect(body.invocationId).toMatch(/^[0-9a-f-]{36}$/);
    expect(JSON.stringify(body)).not.toContain('hunter2');
    const failure = lines.find((l) => l.includes(body.invocationId));
    expect(failure).toContain('boom');
    expect(failure).not.toContain('hunter2');
    expect(failure).not.toContain(FUNCTION_KEY);
  });

  it('answers 413 for bodies over the limit, declared or chunked', async () => {
    const big = 'x'.repeat(4096);
    const res = await get('/api/hello', { method: 'POST', body: big });
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ error: 'payload too large', details: { limit: 1024 } });

    const chunked = await get('/api/hello', {
      method: 'POST',
      body: Readable.toWeb(Readable.from([Buffer.alloc(800), Buffer.alloc(800)])) as never,
      duplex: 'half',
    });
    expect(chunked.status).toBe(413);
    expect(seen).toEqual([]);

    expect((await get('/api/hello', { method: 'POST', body: 'x'.repeat(1024) })).status).toBe(200);
  });

  it('consults extraRoutes first', async () => {
    const hook = await get('/runtime/webhooks/durabletask/instances/abc');
    expect(await hook.text()).toBe('extra');
    expect(await (await get('/api/hello?extra=1')).text()).toBe('extra');
    expect(seen).toEqual([]);
  });

  it('logs one access line per request with the code redacted', async () => {
    lines.length = 0;
    await get(`/api/secure?code=${FUNCTION_KEY}&x=1`);
    await get('/api/secure?code=wrong-guess');
    await get('/api/secure', { headers: { 'x-functions-key': FUNCTION_KEY } });
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^\[http\] GET \/api\/secure\?code=\[redacted\]&x=1 200 \d+ms$/);
    expect(lines[1]).toMatch(/^\[http\] GET \/api\/secure\?code=\[redacted\] 401 \d+ms$/);
    for (const line of lines) {
      expect(line).not.toContain(FUNCTION_KEY);
      expect(line).not.toContain('wrong-guess');
    }
  });
});

describe('route templates', () => {
  it('refuses two functions on the same route and method', async () => {
    const noop: Handler = async () => undefined;
    await expect(
      startHttpHost({
        port: 0,
        functions: [
          httpFn('one', { route: 'same', methods: ['GET'] }, noop),
          httpFn('two', { route: 'Same', methods: ['GET', 'POST'] }, noop),
        ],
        functionKeys: [],
        invoke: async () => undefined,
      }),
    ).rejects.toThrow('functions "one" and "two" declare the same route "/api/same"');
  });
});
