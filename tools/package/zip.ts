import { ZipFile } from 'yazl';

export interface ZipEntry {
  readonly name: string;
  readonly data: Buffer;
}

/**
 * One fixed timestamp for every entry makes the zip byte-for-byte reproducible for the same
 * inputs. DOS times are local wall-clock fields, so the date is built in local time (the same
 * fields in every time zone) and the UTC extended-timestamp field is left out.
 */
const FIXED_MTIME = new Date(2020, 0, 1, 0, 0, 0);
const FILE_MODE = 0o100644;

/** A deflated zip of the entries, in the order given (yazl writes it; names are checked here first). */
export async function createZip(entries: readonly ZipEntry[]): Promise<Buffer> {
  const names = new Set<string>();
  for (const { name } of entries) {
    if (!name || name.startsWith('/') || name.includes('\\') || name.split('/').includes('..')) {
      throw new Error(`Invalid zip entry name: ${name}`);
    }
    if (names.has(name)) throw new Error(`Duplicate zip entry: ${name}`);
    names.add(name);
  }
  const zip = new ZipFile();
  for (const entry of entries) {
    zip.addBuffer(entry.data, entry.name, {
      mtime: FIXED_MTIME,
      mode: FILE_MODE,
      forceDosTimestamp: true,
      compressionLevel: 9,
    });
  }
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
