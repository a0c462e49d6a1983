import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import axios from 'axios';
import { createAuthorizationProvider, type AuthOptions } from '../../shared/auth';
import { decodeFailure, PermanentError, RetryableError } from '../../shared/errors';
import type { SecretSource } from '../../shared/secrets';

const CLIENT_ID = 'client-id-4d2e';
const CLIENT_SECRET = 'client-secret-s3cr3t+/=';
const API_KEY = 'odre-api-key-9b8a';
const BASIC = Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64');

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

interface Reply {
  status: number;
  body: string;
  contentType?: string;
}

/** A real token endpoint on 127.0.0.1 that answers from a queue of replies and records requests. */
async function startTokenServer(): Promise<{
  url: string;
  seen: Seen[];
  reply: (r: Reply) => void;
  close: () => Promise<void>;
}> {
  const seen: Seen[] = [];
  const queue: Reply[] = [];
  let tokenNumber = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      });
      tokenNumber += 1;
      const r = queue.shift() ?? {
        status: 200,
        body: JSON.stringify({
          access_token: `token-${tokenNumber}`,
          token_type: 'Bearer',
          expires_in: 7200,
        }),
      };
      res.writeHead(r.status, { 'content-type': r.contentType ?? 'application/json' });
      res.end(r.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/token/oauth/`,
    seen,
    reply: (r) => queue.push(r),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** An in-memory SecretSource (our own interface) that counts lookups. */
function secrets(values: Record<string, string>): SecretSource & { lookups: string[] } {
  const lookups: string[] = [];
  return {
    lookups,
    getSecret: async (name) => {
      lookups.push(name);
      const v = values[name];
      if (v === undefined) throw new Error(`no secret ${name}`);
      return v;
    },
  };
}

const SECRETS = { 'rte-client-id': CLIENT_ID, 'rte-client-secret': CLIENT_SECRET, 'rte-api-key': API_KEY };

function options(mode: AuthOptions['mode'], oauthTokenUrl: string): AuthOptions {
  return {
    mode,
    apiKeySecretName: 'rte-api-key',
    clientIdSecretName: 'rte-client-id',
    clientSecretSecretName: 'rte-client-secret',
    oauthTokenUrl,
  };
}

function allText(err: Error): string {
  return `${err.message}\n${err.stack ?? ''}\n${JSON.stringify(err)}`;
}

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a rejection');
}

let server: Awaited<ReturnType<typeof startTokenServer>>;
beforeEach(async () => {
  server = await startTokenServer();
});
afterEach(async () => {
  await server.close();
});

describe('createAuthorizationProvider', () => {
  it('none: no header and no secret lookup', async () => {
    const s = secrets(SECRETS);
    expect(await createAuthorizationProvider(options('none', server.url), s, axios.create())()).toBeNull();
    expect(s.lookups).toEqual([]);
    expect(server.seen).toEqual([]);
  });

  it('apikey: Apikey <key> from the secret source', async () => {
    const s = secrets(SECRETS);
    const provider = createAuthorizationProvider(options('apikey', server.url), s, axios.create());
    expect(await provider()).toBe(`Apikey ${API_KEY}`);
    expect(s.lookups).toEqual(['rte-api-key']);
    expect(server.seen).toEqual([]);
  });

  it('oauth2: posts the client-credentials grant with Basic auth, exactly', async () => {
    const provider = createAuthorizationProvider(
      options('oauth2', server.url),
      secrets(SECRETS),
      axios.create(),
    );
    expect(await provider()).toBe('Bearer token-1');
    expect(server.seen).toHaveLength(1);
    const req = server.seen[0]!;
    expect(req.method).toBe('POST');
    expect(req.url).toBe('/token/oauth/');
    expect(req.headers.authorization).toBe(`Basic ${BASIC}`);
    expect(req.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(req.body).toBe('grant_type=client_credentials');
  });

  it('caches the token until 5 minutes before expiry, then refreshes (injected clock)', async () => {
    let t = 0;
    const provider = createAuthorizationProvider(
      options('oauth2', server.url),
      secrets(SECRETS),
      axios.create(),
      () => t,
    );
    expect(await provider()).toBe('Bearer token-1');
    t = (7200 - 300) * 1000 - 1;
    expect(await provider()).toBe('Bearer token-1');
    expect(server.seen).toHaveLength(1);
    t += 1;
    expect(await provider()).toBe('Bearer token-2');
    expect(await provider()).toBe('Bearer token-2');
    expect(server.seen).toHaveLength(2);
  });

  it('refreshes a short-lived token at half its life', async () => {
    let t = 0;
    server.reply({
      status: 200,
      body: JSON.stringify({ access_token: 'short', token_type: 'bearer', expires_in: '120' }),
    });
    const provider = createAuthorizationProvider(
      options('oauth2', server.url),
      secrets(SECRETS),
      axios.create(),
      () => t,
    );
    expect(await provider()).toBe('Bearer short');
    t = 59_999;
    expect(await provider()).toBe('Bearer short');
    t = 60_000;
    expect(await provider()).toBe('Bearer token-2');
    expect(server.seen).toHaveLength(2);
  });

  it('shares one token request between concurrent callers', async () => {
    const provider = createAuthorizationProvider(
      options('oauth2', server.url),
      secrets(SECRETS),
      axios.create(),
    );
    expect(await Promise.all([provider(), provider(), provider()])).toEqual([
      'Bearer token-1',
      'Bearer token-1',
      'Bearer token-1',
    ]);
    expect(server.seen).toHaveLength(1);
  });

  it.each([400, 401])('maps %i from the token endpoint to PermanentError OAUTH_REJECTED', async (status) => {
    server.reply({ status, body: JSON.stringify({ error: 'invalid_client', client_id: CLIENT_ID }) });
    const url = `${server.url}?client_secret=${encodeURIComponent(CLIENT_SECRET)}`;
    const err = await rejection(
      createAuthorizationProvider(options('oauth2', url), secrets(SECRETS), axios.create())(),
    );
    expect(err).toBeInstanceOf(PermanentError);
    expect(decodeFailure(err.message)).toEqual({
      code: 'OAUTH_REJECTED',
      httpStatus: status,
      message: `OAuth token request to ${server.url}?client_secret=REDACTED was rejected: HTTP ${status} (check the client id and secret)`,
      retryable: false,
    });
    for (const secret of [CLIENT_ID, CLIENT_SECRET, BASIC, encodeURIComponent(CLIENT_SECRET)]) {
      expect(allText(err)).not.toContain(secret);
    }
  });

  it('maps a 5xx to RetryableError OAUTH_TOKEN_FAILED, uncached, and recovers on the next call', async () => {
    server.reply({ status: 503, body: '<html>maintenance</html>', contentType: 'text/html' });
    const provider = createAuthorizationProvider(
      options('oauth2', server.url),
      secrets(SECRETS),
      axios.create(),
    );
    const err = await rejection(provider());
    expect(err).toBeInstanceOf(RetryableError);
    expect(decodeFailure(err.message)).toEqual({
      code: 'OAUTH_TOKEN_FAILED',
      httpStatus: 503,
      message: `OAuth token request to ${server.url} failed: HTTP 503`,
      retryable: true,
    });
    expect(allText(err)).not.toContain(BASIC);
    expect(await provider()).toBe('Bearer token-2');
  });

  it('rejects a 200 without a bearer token or a valid expiry (e.g. an HTML page) as retryable', async () => {
    const provider = createAuthorizationProvider(
      options('oauth2', server.url),
      secrets(SECRETS),
      axios.create(),
    );
    server.reply({ status: 200, body: '<html>maintenance</html>', contentType: 'text/html' });
    expect(decodeFailure((await rejection(provider())).message)).toMatchObject({
      code: 'OAUTH_TOKEN_FAILED',
      httpStatus: 200,
      message: `OAuth token request to ${server.url} failed: the response holds no bearer access_token`,
    });
    server.reply({
      status: 200,
      body: JSON.stringify({ access_token: 'tok-XYZ', token_type: 'mac', expires_in: 60 }),
    });
    expect(decodeFailure((await rejection(provider())).message).message).toContain('no bearer access_token');
    server.reply({
      status: 200,
      body: JSON.stringify({ access_token: 'tok-XYZ', token_type: 'Bearer', expires_in: 0 }),
    });
    const err = await rejection(provider());
    expect(decodeFailure(err.message).message).toBe(
      `OAuth token request to ${server.url} failed: the response holds no valid expires_in`,
    );
    expect(allText(err)).not.toContain('tok-XYZ');
  });

  it('honours a permissive validateStatus on the axios instance', async () => {
    const provider = createAuthorizationProvider(
      options('oauth2', server.url),
      secrets(SECRETS),
      axios.create({ validateStatus: () => true }),
    );
    server.reply({ status: 401, body: '{}' });
    expect(decodeFailure((await rejection(provider())).message).code).toBe('OAUTH_REJECTED');
    server.reply({ status: 502, body: '{}' });
    expect(decodeFailure((await rejection(provider())).message)).toMatchObject({
      code: 'OAUTH_TOKEN_FAILED',
      httpStatus: 502,
    });
  });

  it('maps an unreachable token endpoint to OAUTH_TOKEN_FAILED without a status', async () => {
    const url = server.url;
    await server.close();
    const err = await rejection(
      createAuthorizationProvider(options('oauth2', url), secrets(SECRETS), axios.create())(),
    );
    expect(err).toBeInstanceOf(RetryableError);
    expect(decodeFailure(err.message)).toMatchObject({
      code: 'OAUTH_TOKEN_FAILED',
      httpStatus: null,
      message: `OAuth token request to ${url} failed: no response (ECONNREFUSED)`,
    });
    expect(allText(err)).not.toContain(BASIC);
    server = await startTokenServer();
  });

  it('passes secret-source failures through untouched', async () => {
    const provider = createAuthorizationProvider(options('oauth2', server.url), secrets({}), axios.create());
    await expect(provider()).rejects.toThrow('no secret rte-client-id');
    expect(server.seen).toEqual([]);
  });
});
