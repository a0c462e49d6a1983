import { randomBytes } from 'node:crypto';
import type { DataLakeFileSystemClient } from '@azure/storage-file-datalake';
import { azureErrorFacts } from '../errors';
import { assertLakePath, type FileProperties, type Lake, type WriteOptions } from './lake';

export type LakeOperation = 'write' | 'read' | 'stat' | 'rename' | 'delete' | 'deleteDirectory' | 'list';

/**
 * A failed lake call, stripped to what is safe to log: the SDK's error carries the request (its
 * headers hold the bearer token or a SAS), so only the operation, the lake path, the HTTP status and
 * the service's error code survive.
 */
export class LakeStorageError extends Error {
  constructor(
    readonly operation: LakeOperation,
    readonly path: string,
    readonly statusCode: number | null,
    readonly errorCode: string | null,
  ) {
    super(
      `ADLS ${operation} failed for "${path}": ` +
        (statusCode === null ? 'no response' : `HTTP ${statusCode}`) +
        (errorCode ? ` (${errorCode})` : ''),
    );
    this.name = 'LakeStorageError';
  }
}

/** Temporary files of `write` start with this prefix; `list` skips them. */
export const TEMP_PREFIX = '.tmp-';

/** A missing filesystem is a configuration error, never "file not found". */
const MISSING_FILESYSTEM = new Set(['ContainerNotFound', 'FilesystemNotFound']);

function isNotFound(err: unknown): boolean {
  const f = azureErrorFacts(err);
  return f.status === 404 && !MISSING_FILESYSTEM.has(f.code ?? '');
}

function wrap(operation: LakeOperation, path: string, err: unknown): LakeStorageError {
  if (err instanceof LakeStorageError) return err;
  const f = azureErrorFacts(err);
  return new LakeStorageError(operation, path, f.status, f.code);
}

function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

async function drain(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks);
}

/**
 * The Bronze lake on ADLS Gen2 (hierarchical namespace). `fs` is built by the composition root
 * (credential, retry options); this adapter adds no retries of its own.
 */
export function createAdlsLake(fs: DataLakeFileSystemClient, location: string): Lake {
  async function move(from: string, to: string): Promise<void> {
    const source = fs.getFileClient(from);
    try {
      await source.move(to);
    } catch (err) {
      // Unlike path create, rename needs the destination's parent directory to exist.
      if (azureErrorFacts(err).code !== 'RenameDestinationParentPathNotFound') throw err;
      await fs.getDirectoryClient(parentOf(to)).createIfNotExists();
      await source.move(to);
    }
  }

  async function removeQuietly(path: string): Promise<void> {
    try {
      await fs.getFileClient(path).delete(false);
    } catch {
      // best effort: a leftover temporary file is skipped by list() and never read
    }
  }

  return {
    location,

    async write(path: string, body: Buffer, options: WriteOptions): Promise<void> {
      assertLakePath(path);
      const dir = parentOf(path);
      const name = dir === '' ? path : path.slice(dir.length + 1);
      const temp = assertLakePath(
        `${dir === '' ? '' : `${dir}/`}${TEMP_PREFIX}${name}-${randomBytes(6).toString('hex')}`,
      );
      try {
        await fs.getFileClient(temp).upload(body, {
          pathHttpHeaders: { contentType: options.contentType },
          metadata: { ...options.metadata },
        });
        await move(temp, path);
      } catch (err) {
        await removeQuietly(temp);
        throw wrap('write', path, err);
      }
    },

    async read(path: string): Promise<Buffer | undefined> {
      assertLakePath(path);
      try {
        const res = await fs.getFileClient(path).read();
        if (res.metadata?.hdi_isfolder === 'true') {
          res.readableStreamBody?.resume();
          return undefined;
        }
        return res.readableStreamBody ? await drain(res.readableStreamBody) : Buffer.alloc(0);
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw wrap('read', path, err);
      }
    },

    async stat(path: string): Promise<FileProperties | undefined> {
      assertLakePath(path);
      try {
        const props = await fs.getFileClient(path).getProperties();
        const metadata = { ...(props.metadata ?? {}) };
        // A directory is not a file: the blob endpoint reports it through this marker.
        if (metadata.hdi_isfolder === 'true') return undefined;
        return { size: props.contentLength ?? 0, contentType: props.contentType ?? null, metadata };
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw wrap('stat', path, err);
      }
    },

    async rename(from: string, to: string): Promise<void> {
      assertLakePath(from);
      assertLakePath(to);
      try {
        await move(from, to);
      } catch (err) {
        throw wrap('rename', `${from} -> ${to}`, err);
      }
    },

    async delete(path: string): Promise<void> {
      assertLakePath(path);
      try {
        await fs.getFileClient(path).delete(false);
      } catch (err) {
        if (!isNotFound(err)) throw wrap('delete', path, err);
      }
    },

    async deleteDirectory(path: string): Promise<void> {
      assertLakePath(path);
      try {
        await fs.getDirectoryClient(path).delete(true);
      } catch (err) {
        if (!isNotFound(err)) throw wrap('deleteDirectory', path, err);
      }
    },

    async list(directory: string): Promise<string[]> {
      assertLakePath(directory);
      const out: string[] = [];
      try {
        for await (const item of fs.listPaths({ path: directory, recursive: true })) {
          const name = item.name ?? '';
          if (item.isDirectory || name === '') continue;
          if (name.slice(name.lastIndexOf('/') + 1).startsWith(TEMP_PREFIX)) continue;
          out.push(name);
        }
      } catch (err) {
        if (isNotFound(err)) return [];
        throw wrap('list', directory, err);
      }
      return out.sort();
    },
  };
}
