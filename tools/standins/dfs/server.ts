/**
 * A local stand-in for the ADLS Gen2 DFS REST endpoint (Azurite has none), implementing exactly the
 * calls that `shared/lake/adlsLake.ts` makes through the real `@azure/storage-file-datalake` SDK,
 * plus the few Blob calls that SDK routes to the blob endpoint (on an IP host, both endpoints are the
 * same URL):
 *
 * - Blob: `PUT /{acct}/{fs}?restype=container` (filesystem create), `HEAD /{acct}/{fs}/{path}`
 *   (getProperties: content-length, content-type, x-ms-meta-*), `GET /{acct}/{fs}/{path}` (read).
 * - DFS: `PUT ?resource=filesystem`, `PUT ?resource=file|directory` (x-ms-content-type,
 *   x-ms-properties as `name=base64(value)` pairs), `PATCH ?action=append&position=N`,
 *   `PATCH ?action=flush&position=N` (x-ms-content-type), `PUT` with `x-ms-rename-source`
 *   (`mode=legacy`; replaces the destination), `DELETE ?recursive=`, and
 *   `GET /{acct}/{fs}?resource=filesystem&recursive=&directory=` (JSON `paths`, `x-ms-continuation`).
 *
 * The URL is path-style (`https://127.0.0.1:PORT/devstoreaccount1/<filesystem>/<path>`): the SDK
 * treats an IP host as path-style by itself, with no setting. It serves HTTPS with a self-signed
 * certificate made with `openssl` at start (the SDK refuses bearer tokens over plain http); tests
 * trust `ca` through the client's own options, never process-wide.
 */
import { randomUUID } from 'node:crypto';
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import { selfSignedCertificate } from '../../net/certificate';
import { closeServer } from '../../net/server';
import { errorReply, fail, faultCode, ServiceError } from './errors';
import { filesystemCall } from './filesystems';
import type { DfsReply, DfsState, Filesystem } from './model';
import { appendOrFlush, createPath, deletePath, renamePath } from './paths';
import { readBlob } from './read';
import type { FakeDfs, FakeDfsFile, FakeDfsOptions, FakeDfsRequest, FaultOp } from './types';

export type * from './types';

const WWW_AUTHENTICATE =
  'Bearer authorization_uri=https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000/oauth2/authorize resource_id=https://storage.azure.com';

export async function startFakeDfs(options: FakeDfsOptions = {}): Promise<FakeDfs> {
  const account = options.accountName ?? 'devstoreaccount1';
  const useHttps = options.https ?? true;
  const filesystems = new Map<string, Filesystem>();
  for (const name of options.filesystems ?? []) filesystems.set(name, { entries: new Map() });
  const log: FakeDfsRequest[] = [];
  const faults = new Map<FaultOp, { n: number; status: number }>();
  const st: DfsState = {
    account,
    pageSize: options.listPageSize ?? 5000,
    filesystems,
    takeFault: (op) => {
      const f = faults.get(op);
      if (!f || f.n <= 0) return;
      f.n -= 1;
      fail(f.status, faultCode(f.status));
    },
    getFs: (name, blob) => {
      const f = filesystems.get(name);
      if (!f) fail(404, blob ? 'ContainerNotFound' : 'FilesystemNotFound');
      return f;
    },
  };

  const handle = (req: http.IncomingMessage, body: Buffer, res: http.ServerResponse): DfsReply => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const query = Object.fromEntries(url.searchParams.entries());
    const segments = url.pathname.split('/').slice(1).map(decodeURIComponent);
    const method = req.method ?? 'GET';
    const header = (name: string): string | undefined => {
      const v = req.headers[name];
      return Array.isArray(v) ? v.join(',') : v;
    };
    if (!header('authorization')) {
      res.setHeader('WWW-Authenticate', WWW_AUTHENTICATE);
      fail(401, 'NoAuthenticationInformation');
    }
    // With a path-style (IP host) URL, the SDK's move() builds the destination URL by replacing the
    // whole URL path with `/<filesystem>/<path>`, dropping the account segment (the rename source
    // keeps it). The real service is host-style and never sees this; accept it for renames only.
    const isRename = method === 'PUT' && header('x-ms-rename-source') !== undefined;
    const pathStart = segments[0] === account ? 1 : isRename ? 0 : -1;
    if (pathStart < 0) fail(400, 'InvalidUri');
    const fsName = segments[pathStart] ?? '';
    const p = segments.slice(pathStart + 1).join('/');
    const c = { method, query, header, fsName, p, body, now: new Date() };
    if (p === '') return filesystemCall(st, c);
    if (isRename) return renamePath(st, c);
    if (method === 'PUT' && (query.resource === 'file' || query.resource === 'directory'))
      return createPath(st, c, query.resource);
    if (method === 'PATCH' && (query.action === 'append' || query.action === 'flush'))
      return appendOrFlush(st, c, query.action);
    if (method === 'DELETE') return deletePath(st, c);
    if (method === 'HEAD' || method === 'GET') return readBlob(st, c);
    fail(400, 'UnsupportedHttpVerb');
  };

  const onRequest = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const url = new URL(req.url ?? '/', 'http://fake');
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) {
        if (k !== 'authorization' && v !== undefined) headers[k] = Array.isArray(v) ? v.join(',') : v;
      }
      const authHeader = req.headers.authorization ?? '';
      const entry: FakeDfsRequest = {
        method: req.method ?? 'GET',
        path: decodeURIComponent(url.pathname),
        query: Object.fromEntries(url.searchParams.entries()),
        headers,
        auth: /^Bearer \S+/.test(authHeader)
          ? 'bearer'
          : /^SharedKey \S+/.test(authHeader)
            ? 'sharedkey'
            : 'none',
        status: 0,
      };
      log.push(entry);
      const common: Record<string, string> = {
        'x-ms-request-id': randomUUID(),
        'x-ms-version': headers['x-ms-version'] ?? '2025-05-05',
        date: new Date().toUTCString(),
        server: 'Windows-Azure-HDFS/1.0 Microsoft-HTTPAPI/2.0',
      };
      if (headers['x-ms-client-request-id'])
        common['x-ms-client-request-id'] = headers['x-ms-client-request-id'];
      let out: DfsReply;
      try {
        out = handle(req, body, res);
      } catch (err) {
        if (!(err instanceof ServiceError)) throw err;
        out = errorReply(err, req.method, url, common['x-ms-request-id'] ?? '');
      }
      entry.status = out.status;
      res.writeHead(out.status, { ...common, ...out.headers });
      res.end(out.body);
    });
  };

  const tls = useHttps ? selfSignedCertificate() : undefined;
  const server: http.Server = tls
    ? https.createServer({ key: tls.key, cert: tls.cert }, onRequest)
    : http.createServer(onRequest);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const base = `${useHttps ? 'https' : 'http'}://127.0.0.1:${port}`;

  return {
    url: base,
    accountUrl: `${base}/${account}`,
    ca: tls?.cert ?? '',
    requests: () => log.map((r) => ({ ...r, query: { ...r.query }, headers: { ...r.headers } })),
    files: () => {
      const out = new Map<string, FakeDfsFile>();
      for (const [fsName, f] of filesystems) {
        for (const [p, e] of f.entries) {
          if (e.kind === 'file') {
            out.set(`${fsName}/${p}`, {
              body: Buffer.from(e.body),
              contentType: e.contentType,
              metadata: { ...e.metadata },
            });
          }
        }
      }
      return out;
    },
    directories: () => {
      const out: string[] = [];
      for (const [fsName, f] of filesystems) {
        for (const [p, e] of f.entries) if (e.kind === 'directory') out.push(`${fsName}/${p}`);
      }
      return out.sort();
    },
    failNext: (op, n, status) => {
      faults.set(op, { n, status });
    },
    close: () => closeServer(server),
  };
}
