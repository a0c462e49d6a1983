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

export type FaultOp =
  'createFilesystem' | 'create' | 'append' | 'flush' | 'rename' | 'delete' | 'read' | 'stat' | 'list';

export interface FakeDfsOptions {
  /** Default `devstoreaccount1`. */
  accountName?: string;
  /** Default true: HTTPS with a fresh self-signed certificate for 127.0.0.1. */
  https?: boolean;
  /** Default 5000, like the service; smaller values exercise `x-ms-continuation`. */
  listPageSize?: number;
  /** Filesystems that exist from the start. */
  filesystems?: string[];
}

export interface FakeDfsFile {
  body: Buffer;
  contentType: string | null;
  metadata: Record<string, string>;
}

export interface FakeDfsRequest {
  method: string;
  /** Decoded URL path, account segment included: `/devstoreaccount1/bronze/a/b.json`. */
  path: string;
  query: Record<string, string>;
  /** Lowercase names; `authorization` is never recorded. */
  headers: Record<string, string>;
  auth: 'bearer' | 'sharedkey' | 'none';
  status: number;
}

export interface FakeDfs {
  /** `https://127.0.0.1:PORT` */
  readonly url: string;
  /** `https://127.0.0.1:PORT/devstoreaccount1`: what `DataLakeServiceClient` takes. */
  readonly accountUrl: string;
  /** PEM certificate of the server (HTTPS only; empty over http). */
  readonly ca: string;
  requests(): FakeDfsRequest[];
  /** Every file, keyed `<filesystem>/<path>`, with its flushed bytes. */
  files(): Map<string, FakeDfsFile>;
  /** Every directory, as `<filesystem>/<path>`. */
  directories(): string[];
  /** The next `n` calls of `op` fail with `status` (the real service's error shape and code). */
  failNext(op: FaultOp, n: number, status: number): void;
  close(): Promise<void>;
}

interface Entry {
  kind: 'file' | 'directory';
  body: Buffer;
  /** Appended but not yet flushed, by position. */
  pending: Map<number, Buffer>;
  contentType: string | null;
  metadata: Record<string, string>;
  etag: string;
  lastModified: Date;
  created: Date;
}

interface Filesystem {
  entries: Map<string, Entry>;
}

class ServiceError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const SERVICE_MESSAGES: Record<string, string> = {
  PathNotFound: 'The specified path does not exist.',
  BlobNotFound: 'The specified blob does not exist.',
  FilesystemNotFound: 'The specified filesystem does not exist.',
  ContainerNotFound: 'The specified container does not exist.',
  ContainerAlreadyExists: 'The specified container already exists.',
  FilesystemAlreadyExists: 'The specified filesystem already exists.',
  PathAlreadyExists: 'The specified path already exists.',
  SourcePathNotFound: 'The source path for a rename operation does not exist.',
  RenameDestinationParentPathNotFound: 'The parent directory of the destination path does not exist.',
  DirectoryNotEmpty: 'The recursive query parameter value must be true to delete a non-empty directory.',
  InvalidFlushPosition:
    'The uploaded data is not contiguous or the position query parameter value is not equal to the length of the file after appending the uploaded data.',
  ServerBusy: 'The server is busy.',
  InternalError: 'The server encountered an internal error. Please retry the request.',
  NoAuthenticationInformation:
    'Server failed to authenticate the request. Please refer to the information in the www-authenticate header.',
  UnsupportedHttpVerb: 'The resource doesn\u2019t support the specified HTTP verb.',
  InvalidUri: 'The requested URI does not represent any resource on the server.',
  InvalidQueryParameterValue:
    'Value for one of the query parameters specified in the request URI is invalid.',
  PathConflict:
    'The specified path, or an element of the path, exists and its resource type is invalid for this operation.',
};

function fail(status: number, code: string): never {
  throw new ServiceError(status, code, SERVICE_MESSAGES[code] ?? code);
}

function faultCode(status: number): string {
  if (status === 503) return 'ServerBusy';
  if (status === 500) return 'InternalError';
  return 'InjectedFault';
}

function parentOf(p: string): string {
  const i = p.lastIndexOf('/');
  return i < 0 ? '' : p.slice(0, i);
}

function rfc1123(d: Date): string {
  return d.toUTCString();
}

function newEtag(): string {
  return `"0x8DC${randomUUID().replace(/-/g, '').slice(0, 12).toUpperCase()}"`;
}

function parseProperties(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!header) return out;
  for (const pair of header.split(',')) {
    const eq = pair.indexOf('=');
    if (eq <= 0) fail(400, 'InvalidHeaderValue');
    out[pair.slice(0, eq).trim()] = Buffer.from(pair.slice(eq + 1).trim(), 'base64').toString('utf8');
  }
  return out;
}

function encodeProperties(metadata: Record<string, string>): string {
  return Object.entries(metadata)
    .map(([k, v]) => `${k}=${Buffer.from(v, 'utf8').toString('base64')}`)
    .join(',');
}

export async function startFakeDfs(options: FakeDfsOptions = {}): Promise<FakeDfs> {
  const account = options.accountName ?? 'devstoreaccount1';
  const useHttps = options.https ?? true;
  const pageSize = options.listPageSize ?? 5000;
  const filesystems = new Map<string, Filesystem>();
  for (const name of options.filesystems ?? []) filesystems.set(name, { entries: new Map() });
  const log: FakeDfsRequest[] = [];
  const faults = new Map<FaultOp, { n: number; status: number }>();

  const takeFault = (op: FaultOp): void => {
    const f = faults.get(op);
    if (!f || f.n <= 0) return;
    f.n -= 1;
    fail(f.status, faultCode(f.status));
  };

  const getFs = (name: string, blob: boolean): Filesystem => {
    const f = filesystems.get(name);
    if (!f) fail(404, blob ? 'ContainerNotFound' : 'FilesystemNotFound');
    return f;
  };

  const ensureParents = (f: Filesystem, p: string): void => {
    const now = new Date();
    for (let dir = parentOf(p); dir !== ''; dir = parentOf(dir)) {
      const existing = f.entries.get(dir);
      if (existing?.kind === 'file') fail(409, 'PathConflict');
      if (existing) return;
      f.entries.set(dir, newEntry('directory', now));
    }
  };

  const newEntry = (kind: Entry['kind'], now: Date): Entry => ({
    kind,
    body: Buffer.alloc(0),
    pending: new Map(),
    contentType: null,
    metadata: kind === 'directory' ? { hdi_isfolder: 'true' } : {},
    etag: newEtag(),
    lastModified: now,
    created: now,
  });

  const childrenOf = (f: Filesystem, dir: string): string[] =>
    [...f.entries.keys()].filter((k) => dir === '' || k.startsWith(`${dir}/`));

  const handle = (
    req: http.IncomingMessage,
    body: Buffer,
    res: http.ServerResponse,
  ): { status: number; headers: Record<string, string>; body?: Buffer } => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const query = Object.fromEntries(url.searchParams.entries());
    const segments = url.pathname.split('/').slice(1).map(decodeURIComponent);
    const method = req.method ?? 'GET';
    const header = (name: string): string | undefined => {
      const v = req.headers[name];
      return Array.isArray(v) ? v.join(',') : v;
    };
    const auth = header('authorization');
    if (!auth) {
      res.setHeader(
        'WWW-Authenticate',
        'Bearer authorization_uri=https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000/oauth2/authorize resource_id=https://storage.azure.com',
      );
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
    const now = new Date();

    // Filesystem-level calls.
    if (p === '') {
      if (method === 'PUT' && (query.restype === 'container' || query.resource === 'filesystem')) {
        takeFault('createFilesystem');
        if (filesystems.has(fsName)) {
          fail(409, query.restype === 'container' ? 'ContainerAlreadyExists' : 'FilesystemAlreadyExists');
        }
        filesystems.set(fsName, { entries: new Map() });
        return { status: 201, headers: { etag: newEtag(), 'last-modified': rfc1123(now) } };
      }
      if (method === 'GET' && query.resource === 'filesystem') {
        takeFault('list');
        const f = getFs(fsName, false);
        const directory = query.directory ?? '';
        if (directory !== '' && f.entries.get(directory)?.kind !== 'directory') fail(404, 'PathNotFound');
        const recursive = query.recursive === 'true';
        const names = childrenOf(f, directory)
          .filter((k) => recursive || parentOf(k) === directory)
          .sort();
        const max = Math.min(pageSize, query.maxResults ? Number(query.maxResults) : pageSize);
        const start = query.continuation
          ? Number(Buffer.from(query.continuation, 'base64').toString('utf8'))
          : 0;
        const page = names.slice(start, start + max);
        const headers: Record<string, string> = { 'content-type': 'application/json;charset=utf-8' };
        if (start + max < names.length)
          headers['x-ms-continuation'] = Buffer.from(String(start + max)).toString('base64');
        const paths = page.map((name) => {
          const e = f.entries.get(name) as Entry;
          return {
            name,
            ...(e.kind === 'directory' ? { isDirectory: 'true' } : {}),
            contentLength: String(e.body.length),
            lastModified: rfc1123(e.lastModified),
            etag: e.etag,
            owner: '$superuser',
            group: '$superuser',
            permissions: e.kind === 'directory' ? 'rwxr-x---' : 'rw-r-----',
            creationTime: String(e.created.getTime() * 10_000 + 116_444_736_000_000_000),
          };
        });
        return { status: 200, headers, body: Buffer.from(JSON.stringify({ paths })) };
      }
      fail(400, 'UnsupportedHttpVerb');
    }

    const blobStyle = method === 'HEAD' || method === 'GET';

    if (isRename) {
      takeFault('rename');
      const f = getFs(fsName, false);
      const rawSource = (header('x-ms-rename-source') ?? '').split('?')[0] ?? '';
      let src = rawSource.split('/').filter(Boolean).map(decodeURIComponent);
      if (src[0] === account) src = src.slice(1);
      const srcFsName = src[0] ?? '';
      const srcPath = src.slice(1).join('/');
      const srcFs = filesystems.get(srcFsName);
      const srcEntry = srcFs?.entries.get(srcPath);
      if (!srcFs || !srcEntry || srcPath === '') fail(404, 'SourcePathNotFound');
      const destParent = parentOf(p);
      if (destParent !== '' && f.entries.get(destParent)?.kind !== 'directory') {
        fail(404, 'RenameDestinationParentPathNotFound');
      }
      const dest = f.entries.get(p);
      if (dest && header('if-none-match') === '*') fail(409, 'PathAlreadyExists');
      if (dest?.kind === 'directory' && childrenOf(f, p).length > 0) fail(409, 'PathConflict');
      const moved = [srcPath, ...(srcEntry.kind === 'directory' ? childrenOf(srcFs, srcPath) : [])];
      for (const from of moved) {
        const e = srcFs.entries.get(from) as Entry;
        srcFs.entries.delete(from);
        f.entries.set(p + from.slice(srcPath.length), e);
      }
      return {
        status: 201,
        headers: { etag: srcEntry.etag, 'last-modified': rfc1123(srcEntry.lastModified) },
      };
    }

    if (method === 'PUT' && (query.resource === 'file' || query.resource === 'directory')) {
      takeFault('create');
      const f = getFs(fsName, false);
      const existing = f.entries.get(p);
      if (existing && header('if-none-match') === '*') fail(409, 'PathAlreadyExists');
      if (existing && existing.kind !== query.resource) fail(409, 'PathConflict');
      ensureParents(f, p);
      const entry = newEntry(query.resource, now);
      entry.contentType = query.resource === 'file' ? (header('x-ms-content-type') ?? null) : null;
      entry.metadata = { ...entry.metadata, ...parseProperties(header('x-ms-properties')) };
      f.entries.set(p, entry);
      return {
        status: 201,
        headers: { etag: entry.etag, 'last-modified': rfc1123(now), 'content-length': '0' },
      };
    }

    if (method === 'PATCH' && (query.action === 'append' || query.action === 'flush')) {
      const op = query.action;
      takeFault(op);
      const f = getFs(fsName, false);
      const entry = f.entries.get(p);
      if (!entry || entry.kind !== 'file') fail(404, 'PathNotFound');
      const position = Number(query.position);
      if (!Number.isInteger(position) || position < 0) fail(400, 'InvalidQueryParameterValue');
      if (op === 'append') {
        if (position < entry.body.length) fail(400, 'InvalidFlushPosition');
        entry.pending.set(position, body);
        return { status: 202, headers: { 'x-ms-request-server-encrypted': 'true' } };
      }
      let data = entry.body;
      for (;;) {
        const chunk = entry.pending.get(data.length);
        if (!chunk || chunk.length === 0) break;
        data = Buffer.concat([data, chunk]);
      }
      if (data.length !== position) fail(400, 'InvalidFlushPosition');
      entry.body = data;
      entry.pending.clear();
      const contentType = header('x-ms-content-type');
      if (contentType !== undefined) entry.contentType = contentType;
      if (header('x-ms-properties') !== undefined) {
        entry.metadata = parseProperties(header('x-ms-properties'));
      }
      entry.etag = newEtag();
      entry.lastModified = now;
      return {
        status: 200,
        headers: { etag: entry.etag, 'last-modified': rfc1123(now), 'content-length': '0' },
      };
    }

    if (method === 'DELETE') {
      takeFault('delete');
      const f = getFs(fsName, false);
      const entry = f.entries.get(p);
      if (!entry) fail(404, 'PathNotFound');
      const children = entry.kind === 'directory' ? childrenOf(f, p) : [];
      if (children.length > 0 && query.recursive !== 'true') fail(409, 'DirectoryNotEmpty');
      for (const c of children) f.entries.delete(c);
      f.entries.delete(p);
      return { status: 200, headers: {} };
    }

    if (blobStyle) {
      takeFault(method === 'HEAD' ? 'stat' : 'read');
      const f = getFs(fsName, true);
      const entry = f.entries.get(p);
      if (!entry) fail(404, 'BlobNotFound');
      const headers: Record<string, string> = {
        etag: entry.etag,
        'last-modified': rfc1123(entry.lastModified),
        'x-ms-creation-time': rfc1123(entry.created),
        'x-ms-blob-type': 'BlockBlob',
        'x-ms-server-encrypted': 'true',
        'x-ms-resource-type': entry.kind,
        'x-ms-properties': encodeProperties(entry.metadata),
        'accept-ranges': 'bytes',
      };
      if (entry.contentType !== null) headers['content-type'] = entry.contentType;
      for (const [k, v] of Object.entries(entry.metadata)) headers[`x-ms-meta-${k}`] = v;
      let data = entry.body;
      let status = 200;
      const range = /^bytes=(\d+)-(\d*)$/.exec(header('x-ms-range') ?? header('range') ?? '');
      if (range && method === 'GET') {
        const from = Number(range[1]);
        const to = range[2] ? Math.min(Number(range[2]), data.length - 1) : data.length - 1;
        headers['content-range'] = `bytes ${from}-${to}/${data.length}`;
        data = data.subarray(from, to + 1);
        status = 206;
      }
      headers['content-length'] = String(data.length);
      return { status, headers, body: method === 'GET' ? data : undefined };
    }

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
      let out: { status: number; headers: Record<string, string>; body?: Buffer };
      try {
        out = handle(req, body, res);
      } catch (err) {
        if (!(err instanceof ServiceError)) throw err;
        const isBlob =
          ((req.method === 'GET' || req.method === 'HEAD') && !url.searchParams.has('resource')) ||
          url.searchParams.get('restype') === 'container';
        const requestId = common['x-ms-request-id'] ?? '';
        const message = `${err.message}\nRequestId:${requestId}\nTime:${new Date().toISOString()}`;
        const errBody =
          req.method === 'HEAD'
            ? undefined
            : isBlob
              ? Buffer.from(
                  `\uFEFF<?xml version="1.0" encoding="utf-8"?><Error><Code>${err.code}</Code><Message>${message}</Message></Error>`,
                )
              : Buffer.from(JSON.stringify({ error: { code: err.code, message } }));
        out = {
          status: err.status,
          headers: {
            'x-ms-error-code': err.code,
            'content-type': isBlob ? 'application/xml' : 'application/json;charset=utf-8',
            ...(errBody ? { 'content-length': String(errBody.length) } : {}),
          },
          body: errBody,
        };
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
