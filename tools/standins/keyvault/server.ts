/**
 * A minimal Azure Key Vault stand-in for the real `SecretClient`: HTTPS with a self-signed
 * certificate, `GET /secrets/{name}[/{version}]?api-version=...`, and the 401 challenge that the
 * SDK's challenge-based authentication policy expects on its first, token-less request.
 *
 * The SDK sends no token until it has seen the challenge; it then asks its `TokenCredential` for a
 * token for the challenge's resource (`https://vault.azure.net/.default`) and tenant, and retries.
 * Its resource check wants the vault host to end in `.vault.azure.net`, so tests against
 * 127.0.0.1 pass `disableChallengeResourceVerification: true` (tests only).
 */
import { randomUUID } from 'node:crypto';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import { selfSignedCertificate } from '../../net/certificate';
import { closeServer } from '../../net/server';

export interface FakeKeyVaultOptions {
  secrets?: Record<string, string>;
  tenantId?: string;
}

export interface FakeKeyVaultRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  /** Whether a bearer token came with the request (the token itself is not recorded). */
  bearer: boolean;
  status: number;
}

export interface FakeKeyVault {
  /** `https://127.0.0.1:PORT`: the vault URL for `SecretClient`. */
  readonly url: string;
  /** PEM certificate to trust (`tlsOptions: { ca }`). */
  readonly ca: string;
  readonly tenantId: string;
  requests(): FakeKeyVaultRequest[];
  /** Requests that reached a secret (the challenge round-trips excluded). */
  secretReads(): FakeKeyVaultRequest[];
  setSecret(name: string, value: string): void;
  removeSecret(name: string): void;
  /** The next `n` secret reads fail with `status` (500, 503, ...). */
  failNext(n: number, status: number): void;
  /** Stops listening and drops connections: clients then get ECONNREFUSED on the same port. */
  goUnreachable(): Promise<void>;
  close(): Promise<void>;
}

export async function startFakeKeyVault(options: FakeKeyVaultOptions = {}): Promise<FakeKeyVault> {
  const tenantId = options.tenantId ?? '72f988bf-0000-0000-0000-000000000001';
  const secrets = new Map<string, { value: string; version: string; created: number }>();
  const log: FakeKeyVaultRequest[] = [];
  let fault = { n: 0, status: 500 };
  let base = '';

  const setSecret = (name: string, value: string): void => {
    secrets.set(name, {
      value,
      version: randomUUID().replace(/-/g, ''),
      created: Math.floor(Date.now() / 1000),
    });
  };
  for (const [name, value] of Object.entries(options.secrets ?? {})) setSecret(name, value);

  const send = (
    res: import('node:http').ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ): void => {
    const text = JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': String(Buffer.byteLength(text)),
      'x-ms-request-id': randomUUID(),
      'x-ms-keyvault-service-version': '1.9.0.0',
      ...headers,
    });
    res.end(text);
  };

  const tls = selfSignedCertificate();
  const server = https.createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
    req.resume();
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'https://fake');
      const auth = req.headers.authorization ?? '';
      const entry: FakeKeyVaultRequest = {
        method: req.method ?? 'GET',
        path: decodeURIComponent(url.pathname),
        query: Object.fromEntries(url.searchParams.entries()),
        bearer: /^Bearer \S+/.test(auth),
        status: 0,
      };
      log.push(entry);
      const reply = (status: number, body: unknown, headers?: Record<string, string>): void => {
        entry.status = status;
        send(res, status, body, headers);
      };

      if (!entry.bearer) {
        reply(
          401,
          { error: { code: 'Unauthorized', message: 'AKV10000: Request is missing a Bearer or PoP token.' } },
          {
            'www-authenticate': `Bearer authorization="https://login.microsoftonline.com/${tenantId}", resource="https://vault.azure.net"`,
          },
        );
        return;
      }
      if (!url.searchParams.get('api-version')) {
        reply(400, {
          error: { code: 'BadParameter', message: 'The api-version query parameter is missing.' },
        });
        return;
      }
      const m = /^\/secrets\/([0-9A-Za-z-]{1,127})(?:\/([0-9a-f]{32})?)?\/?$/.exec(url.pathname);
      if (req.method !== 'GET' || !m) {
        reply(400, { error: { code: 'BadParameter', message: 'Unsupported request in the stand-in.' } });
        return;
      }
      if (fault.n > 0) {
        fault.n -= 1;
        reply(fault.status, {
          error: {
            code: fault.status === 503 ? 'ServiceUnavailable' : 'InternalServerError',
            message: 'Injected fault.',
          },
        });
        return;
      }
      const name = m[1] ?? '';
      const secret = secrets.get(name);
      if (!secret || (m[2] !== undefined && m[2] !== secret.version)) {
        reply(404, {
          error: {
            code: 'SecretNotFound',
            message: `A secret with (name/id) ${name} was not found in this key vault. If you recently deleted this secret you may be able to recover it using the correct recovery command. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182`,
          },
        });
        return;
      }
      reply(200, {
        value: secret.value,
        id: `${base}/secrets/${name}/${secret.version}`,
        attributes: {
          enabled: true,
          created: secret.created,
          updated: secret.created,
          recoveryLevel: 'Recoverable+Purgeable',
          recoverableDays: 90,
        },
        tags: {},
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const stop = (): Promise<void> => closeServer(server);

  return {
    url: base,
    ca: tls.cert,
    tenantId,
    requests: () => log.map((r) => ({ ...r, query: { ...r.query } })),
    secretReads: () => log.filter((r) => r.bearer).map((r) => ({ ...r, query: { ...r.query } })),
    setSecret,
    removeSecret: (name) => {
      secrets.delete(name);
    },
    failNext: (n, status) => {
      fault = { n, status };
    },
    goUnreachable: stop,
    close: stop,
  };
}
