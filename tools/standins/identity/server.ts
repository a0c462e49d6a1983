/**
 * A local stand-in for the managed identity endpoint that App Service and Azure Functions give an
 * app (`IDENTITY_ENDPOINT` + `IDENTITY_HEADER`), as `@azure/identity`'s ManagedIdentityCredential
 * (through MSAL's App Service source) calls it:
 *
 *   GET {IDENTITY_ENDPOINT}?api-version=2019-08-01&resource=<resource>[&client_id=...]
 *   X-IDENTITY-HEADER: <IDENTITY_HEADER>
 *
 * and answers `{access_token, expires_on (epoch seconds, as a string), resource, token_type,
 * client_id}`. The endpoint is plain http on the loopback interface, as on the platform. Tokens are
 * opaque random strings; nothing checks them, the stand-ins that receive them only see that a
 * bearer token came. The request log keeps the resource and whether the header matched, never the
 * header value.
 */
import { randomBytes } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { constantTimeEqual } from '../../net/constantTime';
import { closeServer } from '../../net/server';

export const APP_SERVICE_API_VERSION = '2019-08-01';
export const STORAGE_RESOURCE = 'https://storage.azure.com';
export const VAULT_RESOURCE = 'https://vault.azure.net';

export interface FakeIdentityOptions {
  /** The `X-IDENTITY-HEADER` secret; random when omitted. */
  header?: string;
  /** Resources it issues tokens for; default storage and Key Vault. Others get 400. */
  resources?: string[];
  /** Token lifetime; default 3600 s. */
  expiresInSeconds?: number;
  /** Reported as `client_id` (the identity's application id). */
  clientId?: string;
}

export interface FakeIdentityRequest {
  method: string;
  path: string;
  apiVersion: string | null;
  /** The requested resource, normalised without a trailing slash. */
  resource: string | null;
  /** `client_id` / `object_id` / `mi_res_id` when a user-assigned identity was asked for. */
  userAssignedId: string | null;
  /** Whether `X-IDENTITY-HEADER` matched; its value is never recorded. */
  headerOk: boolean;
  status: number;
  /** `Date.now()` when the request arrived. */
  at: number;
}

export interface IssuedToken {
  resource: string;
  token: string;
  expiresOn: number;
}

export interface FakeIdentity {
  /** `http://127.0.0.1:PORT/msi/token`: the value for `IDENTITY_ENDPOINT`. */
  readonly endpoint: string;
  /** The value for `IDENTITY_HEADER`. */
  readonly header: string;
  /** `{ IDENTITY_ENDPOINT, IDENTITY_HEADER }` for a child process. */
  env(): Record<'IDENTITY_ENDPOINT' | 'IDENTITY_HEADER', string>;
  requests(): FakeIdentityRequest[];
  /** Tokens handed out, in order (for tests that check no token leaked anywhere). */
  issued(): IssuedToken[];
  /** The next `n` token requests with a valid header fail with `status`. */
  failNext(n: number, status: number): void;
  close(): Promise<void>;
}

const TOKEN_PATH = '/msi/token';

export async function startFakeIdentity(options: FakeIdentityOptions = {}): Promise<FakeIdentity> {
  const header = options.header ?? randomBytes(16).toString('hex');
  const resources = new Set(
    (options.resources ?? [STORAGE_RESOURCE, VAULT_RESOURCE]).map((r) => r.replace(/\/+$/, '')),
  );
  const lifetime = options.expiresInSeconds ?? 3600;
  const clientId = options.clientId ?? '00000000-0000-0000-0000-00000000a11e';
  const log: FakeIdentityRequest[] = [];
  const issued: IssuedToken[] = [];
  let fault = { n: 0, status: 500 };

  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://fake');
      const q = url.searchParams;
      const given = req.headers['x-identity-header'];
      const entry: FakeIdentityRequest = {
        method: req.method ?? 'GET',
        path: url.pathname,
        apiVersion: q.get('api-version'),
        resource: q.get('resource')?.replace(/\/+$/, '') ?? null,
        userAssignedId: q.get('client_id') ?? q.get('object_id') ?? q.get('mi_res_id'),
        headerOk: typeof given === 'string' && constantTimeEqual(given, header),
        status: 0,
        at: Date.now(),
      };
      log.push(entry);
      const reply = (status: number, body: unknown): void => {
        entry.status = status;
        const text = JSON.stringify(body);
        res.writeHead(status, {
          'content-type': 'application/json; charset=utf-8',
          'content-length': String(Buffer.byteLength(text)),
        });
        res.end(text);
      };
      const error = (status: number, code: string, message: string): void =>
        reply(status, { statusCode: status, error: code, message });

      if (entry.method !== 'GET' || entry.path !== TOKEN_PATH) {
        return error(404, 'not_found', 'Unknown managed identity route.');
      }
      if (!entry.headerOk) {
        return error(401, 'unauthorized', 'The X-IDENTITY-HEADER header is missing or wrong.');
      }
      if (entry.apiVersion !== APP_SERVICE_API_VERSION) {
        return error(400, 'invalid_request', `Unsupported api-version "${entry.apiVersion ?? ''}".`);
      }
      if (!entry.resource) return error(400, 'invalid_request', 'The resource parameter is required.');
      if (!resources.has(entry.resource)) {
        return error(400, 'invalid_resource', `No token can be issued for resource ${entry.resource}.`);
      }
      if (fault.n > 0) {
        fault.n -= 1;
        return error(fault.status, 'injected_fault', 'Injected fault.');
      }
      const token = `fake-mi.${randomBytes(24).toString('base64url')}`;
      const expiresOn = Math.floor(Date.now() / 1000) + lifetime;
      issued.push({ resource: entry.resource, token, expiresOn });
      reply(200, {
        access_token: token,
        expires_on: String(expiresOn),
        resource: entry.resource,
        token_type: 'Bearer',
        client_id: clientId,
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}${TOKEN_PATH}`;

  return {
    endpoint,
    header,
    env: () => ({ IDENTITY_ENDPOINT: endpoint, IDENTITY_HEADER: header }),
    requests: () => log.map((r) => ({ ...r })),
    issued: () => issued.map((t) => ({ ...t })),
    failNext: (n, status) => {
      fault = { n, status };
    },
    close: () => closeServer(server),
  };
}
