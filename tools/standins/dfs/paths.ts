/** Path calls: create a file or directory, append and flush, rename (move), delete. */
import { fail } from './errors';
import {
  childrenOf,
  ensureParents,
  newEntry,
  newEtag,
  parentOf,
  parseProperties,
  rfc1123,
  type DfsCall,
  type DfsReply,
  type DfsState,
  type Entry,
} from './model';

/** `PUT` with `x-ms-rename-source` (legacy mode): moves a path and what is below it, replacing the destination. */
export function renamePath(st: DfsState, c: DfsCall): DfsReply {
  const { header, fsName, p } = c;
  const { account, filesystems, takeFault, getFs } = st;
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

/** `PUT ?resource=file|directory`. */
export function createPath(st: DfsState, c: DfsCall, kind: Entry['kind']): DfsReply {
  const { header, fsName, p, now } = c;
  const { takeFault, getFs } = st;
  takeFault('create');
  const f = getFs(fsName, false);
  const existing = f.entries.get(p);
  if (existing && header('if-none-match') === '*') fail(409, 'PathAlreadyExists');
  if (existing && existing.kind !== kind) fail(409, 'PathConflict');
  ensureParents(f, p);
  const entry = newEntry(kind, now);
  entry.contentType = kind === 'file' ? (header('x-ms-content-type') ?? null) : null;
  entry.metadata = { ...entry.metadata, ...parseProperties(header('x-ms-properties')) };
  f.entries.set(p, entry);
  return {
    status: 201,
    headers: { etag: entry.etag, 'last-modified': rfc1123(now), 'content-length': '0' },
  };
}

/** `PATCH ?action=append|flush&position=N`: appended data counts once flushed contiguously. */
export function appendOrFlush(st: DfsState, c: DfsCall, op: 'append' | 'flush'): DfsReply {
  const { query, header, fsName, p, now, body } = c;
  const { takeFault, getFs } = st;
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

/** `DELETE [?recursive=true]`. */
export function deletePath(st: DfsState, c: DfsCall): DfsReply {
  const { query, fsName, p } = c;
  const { takeFault, getFs } = st;
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
