import { PermanentError } from '../../../shared/errors';
import { LakePathError, type Lake } from '../../../shared/lake/lake';
import { storeStagedSlice } from '../../../shared/storeSlice';
import { storeInput } from '../../helpers/storeInput';

/** A back end under test: a fresh, empty lake per test, and a way to make its next write fail. */
export interface LakeBackend {
  lake: Lake;
  /** The next write fails after its bytes were sent but before they took the final name. */
  failNextWrite(): void;
  close(): Promise<void>;
}

const JSON_TYPE = 'application/json';
const META = { source: 'rte-eco2mix', records: '2', sha256: 'abc123' };
const opts = { contentType: JSON_TYPE, metadata: META };

/** One list of behaviours every Lake back end keeps; `start` gives a fresh back end per test. */
export function describeLakeContract(name: string, start: () => Promise<LakeBackend>): void {
  describe(`Lake contract: ${name}`, () => {
    let backend: LakeBackend;
    let lake: Lake;
    beforeEach(async () => {
      backend = await start();
      lake = backend.lake;
    });
    afterEach(async () => {
      await backend.close();
    });

    it('reads back exactly the bytes written, empty and non-ASCII included', async () => {
      const body = Buffer.from('[{"région":"Île-de-France","v":1.50}]\n', 'utf8');
      await lake.write('rte/production/2026/11/28/a.json', body, opts);
      await lake.write('rte/production/2026/11/28/empty.json', Buffer.alloc(0), opts);
      expect((await lake.read('rte/production/2026/11/28/a.json'))?.equals(body)).toBe(true);
      expect((await lake.read('rte/production/2026/11/28/empty.json'))?.length).toBe(0);
      expect(await lake.read('rte/production/2026/11/28/missing.json')).toBeUndefined();
    });

    it('keeps size, content type and metadata; directories and missing files have none', async () => {
      await lake.write('audit/ingestion/run-1.json', Buffer.from('{"x":1}'), opts);
      expect(await lake.stat('audit/ingestion/run-1.json')).toEqual({
        size: 7,
        contentType: JSON_TYPE,
        metadata: META,
      });
      expect(await lake.stat('audit/ingestion/missing.json')).toBeUndefined();
      expect(await lake.stat('audit/ingestion')).toBeUndefined();
      expect(await lake.read('audit/ingestion')).toBeUndefined();
    });

    it('rewrites idempotently: the same write twice leaves one file, a new version replaces it whole', async () => {
      await lake.write('a/b.json', Buffer.from('same'), opts);
      await lake.write('a/b.json', Buffer.from('same'), opts);
      expect(await lake.list('a')).toEqual(['a/b.json']);
      expect((await lake.read('a/b.json'))?.toString()).toBe('same');
      await lake.write('a/b.json', Buffer.from('v2'), { contentType: JSON_TYPE, metadata: { v: '2' } });
      expect(await lake.list('a')).toEqual(['a/b.json']);
      expect((await lake.read('a/b.json'))?.toString()).toBe('v2');
      expect((await lake.stat('a/b.json'))?.metadata).toEqual({ v: '2' });
    });

    it('leaves the previous file under the final name, and no partial file, when a write fails', async () => {
      await lake.write('a/b.json', Buffer.from('v1'), opts);
      backend.failNextWrite();
      await expect(lake.write('a/b.json', Buffer.from('v2 partial'), opts)).rejects.toThrow();
      expect((await lake.read('a/b.json'))?.toString()).toBe('v1');
      expect(await lake.list('a')).toEqual(['a/b.json']);

      backend.failNextWrite();
      await expect(lake.write('a/new.json', Buffer.from('never'), opts)).rejects.toThrow();
      expect(await lake.read('a/new.json')).toBeUndefined();
      expect(await lake.list('a')).toEqual(['a/b.json']);
    });

    it('renames with its metadata, replacing the destination and creating its parents; a missing source fails', async () => {
      await lake.write('_staging/ingestion/i1/s.json', Buffer.from('new'), {
        contentType: JSON_TYPE,
        metadata: { v: '2' },
      });
      await lake.write('rte/production/a.json', Buffer.from('old'), {
        contentType: JSON_TYPE,
        metadata: { v: '1' },
      });
      await lake.rename('_staging/ingestion/i1/s.json', 'rte/production/a.json');
      expect((await lake.read('rte/production/a.json'))?.toString()).toBe('new');
      expect((await lake.stat('rte/production/a.json'))?.metadata).toEqual({ v: '2' });
      expect(await lake.read('_staging/ingestion/i1/s.json')).toBeUndefined();
      await lake.rename('rte/production/a.json', 'rte/archive/2026/11/a.json');
      expect(await lake.list('rte')).toEqual(['rte/archive/2026/11/a.json']);
      await expect(lake.rename('rte/missing.json', 'rte/x.json')).rejects.toThrow();
      expect(await lake.read('rte/x.json')).toBeUndefined();
    });

    it('refuses to store over a file another run landed with other content, and keeps both', async () => {
      const final = 'rte/production/2026/11/28/eco2mix_regional_20261128T061500Z.json';
      const theirs = Buffer.from('[{"theirs":1}]');
      await lake.write(final, theirs, {
        contentType: JSON_TYPE,
        metadata: { sha256: 'other', instance_id: 'run-a' },
      });
      const ours = Buffer.from('[{"ours":1}]');
      const input = storeInput('run-b', ours, final);
      await lake.write(input.fetched.stagingPath, ours, opts);

      const err = await storeStagedSlice(lake, input).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PermanentError);
      expect((err as PermanentError).failure).toMatchObject({ code: 'LAKE_CONFLICT', retryable: false });
      expect((await lake.read(final))?.equals(theirs)).toBe(true);
      expect((await lake.read(input.fetched.stagingPath))?.equals(ours)).toBe(true);
    });

    it('stores a staged slice once: a second store of the same content writes nothing', async () => {
      const final = 'rte/production/2026/11/28/f.json';
      const body = Buffer.from('[{"x":1}]');
      const input = storeInput('run-c', body, final);
      const metadata = { sha256: input.fetched.sha256, instance_id: 'run-c' };
      await lake.write(input.fetched.stagingPath, body, { contentType: JSON_TYPE, metadata });
      expect((await storeStagedSlice(lake, input)).written).toBe(true);
      expect((await storeStagedSlice(lake, input)).written).toBe(false);
      expect((await lake.read(final))?.equals(body)).toBe(true);
      expect(await lake.list('_staging')).toEqual([]);
    });

    it('lists files recursively and sorted, then deletes files and staging directories; missing ones are fine', async () => {
      for (const p of [
        '_staging/ingestion/i1/b.json',
        '_staging/ingestion/i1/a.json',
        '_staging/ingestion/i1/sub/c.json',
        'keep/d.json',
      ]) {
        await lake.write(p, Buffer.from(p), opts);
      }
      expect(await lake.list('_staging/ingestion')).toEqual([
        '_staging/ingestion/i1/a.json',
        '_staging/ingestion/i1/b.json',
        '_staging/ingestion/i1/sub/c.json',
      ]);
      expect(await lake.list('nothing/here')).toEqual([]);
      await lake.delete('keep/d.json');
      await lake.delete('keep/d.json');
      expect(await lake.read('keep/d.json')).toBeUndefined();
      await lake.deleteDirectory('_staging/ingestion/i1');
      await lake.deleteDirectory('_staging/ingestion/i1');
      expect(await lake.list('_staging')).toEqual([]);
      expect(await lake.list('keep')).toEqual([]);
    });

    it('refuses every path outside the lake and creates nothing', async () => {
      const bad = ['../etc/x', '/abs', 'a//b', 'a\\b', 'a b', ''];
      for (const p of bad) {
        await expect(lake.write(p, Buffer.from('x'), opts)).rejects.toThrow(LakePathError);
        await expect(lake.read(p)).rejects.toThrow(LakePathError);
        await expect(lake.stat(p)).rejects.toThrow(LakePathError);
        await expect(lake.delete(p)).rejects.toThrow(LakePathError);
        await expect(lake.deleteDirectory(p)).rejects.toThrow(LakePathError);
        await expect(lake.list(p)).rejects.toThrow(LakePathError);
      }
      await expect(lake.rename('a', 'b/../c')).rejects.toThrow(LakePathError);
      await expect(lake.rename('/a', 'b')).rejects.toThrow(LakePathError);
      for (const top of ['a', 'etc', 'abs', 'b', 'c']) expect(await lake.list(top)).toEqual([]);
    });
  });
}
