/** Filesystem-level calls: create a filesystem (container), list its paths with continuation. */
import { fail } from './errors';
import {
  childrenOf,
  parentOf,
  rfc1123,
  newEtag,
  type DfsCall,
  type DfsReply,
  type DfsState,
  type Entry,
} from './model';

/** Filesystem-level calls: create (blob or DFS form) and list paths. */
export function filesystemCall(st: DfsState, c: DfsCall): DfsReply {
  const { method, query, fsName, now } = c;
  const { pageSize, filesystems, takeFault, getFs } = st;
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
    const start = query.continuation ? Number(Buffer.from(query.continuation, 'base64').toString('utf8')) : 0;
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
