/** Blob reads: `HEAD` (properties and metadata) and `GET` (whole or ranged content). */
import { fail } from './errors';
import { encodeProperties, rfc1123, type DfsCall, type DfsReply, type DfsState } from './model';

/** HEAD or GET of a path on the blob endpoint. */
export function readBlob(st: DfsState, c: DfsCall): DfsReply {
  const { method, header, fsName, p } = c;
  const { takeFault, getFs } = st;
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
