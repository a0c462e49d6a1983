/**
 * The Bronze lake seen by the activities. Paths are relative to the filesystem (`bronze`), use
 * forward slashes, and never start with `/` or contain `..` (see `assertLakePath`).
 */
export interface FileProperties {
  size: number;
  contentType: string | null;
  metadata: Record<string, string>;
}

export interface WriteOptions {
  contentType: string;
  /** Keys are lowercase ASCII identifiers; values ASCII (ADLS metadata travels in HTTP headers). */
  metadata: Record<string, string>;
  /**
   * False for transient files (staging, counters): the local lake then skips fsync, and rename
   * makes the data durable before it takes a final name. ADLS flushes are always durable.
   */
  durable?: boolean;
}

export interface Lake {
  /** Where the lake is, for banners and logs: `abfss://bronze@acct.dfs.core.windows.net` or a folder. */
  readonly location: string;
  /** Writes the whole file so that it appears at once or not at all. */
  write(path: string, body: Buffer, options: WriteOptions): Promise<void>;
  read(path: string): Promise<Buffer | undefined>;
  stat(path: string): Promise<FileProperties | undefined>;
  /** Atomic rename; fails if the source is missing. Replaces the destination if it exists. */
  rename(from: string, to: string): Promise<void>;
  /** Removes a file; missing is fine. */
  delete(path: string): Promise<void>;
  /** Removes a directory and everything under it; missing is fine. */
  deleteDirectory(path: string): Promise<void>;
  /** Files (not directories) under a directory, recursively, as lake paths; empty if missing. */
  list(directory: string): Promise<string[]>;
}

export class LakePathError extends Error {
  constructor(path: string, why: string) {
    super(`Refusing lake path "${path}": ${why}`);
    this.name = 'LakePathError';
  }
}

/** Guards every lake operation: nothing is ever written outside the lake. */
export function assertLakePath(path: string): string {
  if (path.length === 0 || path.length > 1024) throw new LakePathError(path, 'empty or too long');
  if (path.startsWith('/') || path.includes('\\'))
    throw new LakePathError(path, 'must be relative with / separators');
  if (!/^[A-Za-z0-9._\-/=]+$/.test(path))
    throw new LakePathError(path, 'has characters outside [A-Za-z0-9._-/=]');
  for (const part of path.split('/')) {
    if (part === '' || part === '.' || part === '..')
      throw new LakePathError(path, 'has an empty, . or .. segment');
  }
  return path;
}
