import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { assertLakePath, type FileProperties, type Lake, type WriteOptions } from './lake';

interface Sidecar {
  contentType: string;
  metadata: Record<string, string>;
}

/**
 * The lake as a local folder (`<dir>/<filesystem>/...`). Content type and metadata live in a
 * dot-file beside each file (`.name.meta.json`), which Spark and most lake readers skip.
 */
export function createLocalLake(dir: string, filesystem: string): Lake {
  const root = path.resolve(dir, filesystem);
  const abs = (p: string): string => {
    const full = path.resolve(root, assertLakePath(p));
    if (!full.startsWith(root + path.sep)) throw new Error(`lake path escapes the lake: ${p}`);
    return full;
  };
  const sidecarOf = (full: string): string =>
    path.join(path.dirname(full), `.${path.basename(full)}.meta.json`);

  const atomicWrite = async (full: string, body: Buffer | string, durable = true): Promise<void> => {
    // The folder is made only when it is missing: most writes go to one that exists.
    const names = await fs.readdir(path.dirname(full)).catch(async (err: unknown) => {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      await fs.mkdir(path.dirname(full), { recursive: true });
      return [];
    });
    // A process killed mid-write leaves its temp file behind; the write that replaces it (an
    // activity runs again after a crash) clears the leftovers of the same target.
    const stale = `.tmp-${path.basename(full)}-`;
    for (const name of names) {
      if (name.startsWith(stale)) await fs.rm(path.join(path.dirname(full), name), { force: true });
    }
    const tmp = path.join(
      path.dirname(full),
      `.tmp-${path.basename(full)}-${randomBytes(6).toString('hex')}`,
    );
    const handle = await fs.open(tmp, 'w');
    try {
      await handle.writeFile(body);
      if (durable) await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await fs.rename(tmp, full);
    } catch (err) {
      await fs.rm(tmp, { force: true });
      throw err;
    }
  };

  const readSidecar = async (full: string): Promise<Sidecar | undefined> => {
    try {
      return JSON.parse(await fs.readFile(sidecarOf(full), 'utf8')) as Sidecar;
    } catch {
      return undefined;
    }
  };

  return {
    location: root,
    async write(p: string, body: Buffer, options: WriteOptions): Promise<void> {
      const full = abs(p);
      // The sidecar goes first: a file is never visible without its metadata. Bookkeeping files
      // without metadata (attempt counters) get none.
      if (Object.keys(options.metadata).length > 0) {
        await atomicWrite(
          sidecarOf(full),
          JSON.stringify({ contentType: options.contentType, metadata: options.metadata }),
          options.durable,
        );
      } else {
        await fs.rm(sidecarOf(full), { force: true });
      }
      await atomicWrite(full, body, options.durable);
    },
    async read(p: string): Promise<Buffer | undefined> {
      try {
        return await fs.readFile(abs(p));
      } catch (err) {
        // a directory is not a file, as on ADLS
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' || code === 'EISDIR') return undefined;
        throw err;
      }
    },
    async stat(p: string): Promise<FileProperties | undefined> {
      const full = abs(p);
      try {
        const st = await fs.stat(full);
        if (!st.isFile()) return undefined;
        const side = await readSidecar(full);
        return { size: st.size, contentType: side?.contentType ?? null, metadata: side?.metadata ?? {} };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw err;
      }
    },
    async rename(from: string, to: string): Promise<void> {
      const src = abs(from);
      const dst = abs(to);
      await fs.mkdir(path.dirname(dst), { recursive: true });
      const side = await readSidecar(src);
      if (side) await atomicWrite(sidecarOf(dst), JSON.stringify(side));
      // the source may have been written without fsync (staging): make it durable before it
      // takes a final name
      const handle = await fs.open(src, 'r+');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
      await fs.rename(src, dst);
      await fs.rm(sidecarOf(src), { force: true });
    },
    async delete(p: string): Promise<void> {
      const full = abs(p);
      await fs.rm(full, { force: true });
      await fs.rm(sidecarOf(full), { force: true });
    },
    async deleteDirectory(p: string): Promise<void> {
      await fs.rm(abs(p), { recursive: true, force: true });
    },
    async list(directory: string): Promise<string[]> {
      const out: string[] = [];
      const walk = async (full: string, rel: string): Promise<void> => {
        let entries;
        try {
          entries = await fs.readdir(full, { withFileTypes: true });
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
          throw err;
        }
        for (const e of entries) {
          if (e.name.startsWith('.')) continue;
          if (e.isDirectory()) await walk(path.join(full, e.name), `${rel}/${e.name}`);
          else if (e.isFile()) out.push(`${rel}/${e.name}`);
        }
      };
      await walk(abs(directory), directory);
      return out.sort();
    },
  };
}
