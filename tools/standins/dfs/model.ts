/** The stand-in's namespace: filesystems of files and directories keyed by path, and their helpers. */
import { randomUUID } from 'node:crypto';
import { fail } from './errors';
import type { FaultOp } from './types';

export interface Entry {
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

export interface Filesystem {
  entries: Map<string, Entry>;
}

export function parentOf(p: string): string {
  const i = p.lastIndexOf('/');
  return i < 0 ? '' : p.slice(0, i);
}

export function rfc1123(d: Date): string {
  return d.toUTCString();
}

export function newEtag(): string {
  return `"0x8DC${randomUUID().replace(/-/g, '').slice(0, 12).toUpperCase()}"`;
}

export function parseProperties(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!header) return out;
  for (const pair of header.split(',')) {
    const eq = pair.indexOf('=');
    if (eq <= 0) fail(400, 'InvalidHeaderValue');
    out[pair.slice(0, eq).trim()] = Buffer.from(pair.slice(eq + 1).trim(), 'base64').toString('utf8');
  }
  return out;
}

export function encodeProperties(metadata: Record<string, string>): string {
  return Object.entries(metadata)
    .map(([k, v]) => `${k}=${Buffer.from(v, 'utf8').toString('base64')}`)
    .join(',');
}

export interface DfsReply {
  status: number;
  headers: Record<string, string>;
  body?: Buffer;
}

export function newEntry(kind: Entry['kind'], now: Date): Entry {
  return {
    kind,
    body: Buffer.alloc(0),
    pending: new Map(),
    contentType: null,
    metadata: kind === 'directory' ? { hdi_isfolder: 'true' } : {},
    etag: newEtag(),
    lastModified: now,
    created: now,
  };
}

/** Every path below a directory (`''`: the whole filesystem). */
export function childrenOf(f: Filesystem, dir: string): string[] {
  return [...f.entries.keys()].filter((k) => dir === '' || k.startsWith(`${dir}/`));
}

/** Creates the missing parent directories of a path, as the service does on create. */
export function ensureParents(f: Filesystem, p: string): void {
  const now = new Date();
  for (let dir = parentOf(p); dir !== ''; dir = parentOf(dir)) {
    const existing = f.entries.get(dir);
    if (existing?.kind === 'file') fail(409, 'PathConflict');
    if (existing) return;
    f.entries.set(dir, newEntry('directory', now));
  }
}

/** One request, as the operations read it. */
export interface DfsCall {
  method: string;
  query: Record<string, string>;
  header: (name: string) => string | undefined;
  /** The filesystem and the path inside it (`''` for a filesystem-level call). */
  fsName: string;
  p: string;
  body: Buffer;
  now: Date;
}

/** The stand-in's state, as the operations use it. */
export interface DfsState {
  account: string;
  pageSize: number;
  filesystems: Map<string, Filesystem>;
  /** Throws the injected fault of `op`, if one is pending. */
  takeFault: (op: FaultOp) => void;
  getFs: (name: string, blob: boolean) => Filesystem;
}
