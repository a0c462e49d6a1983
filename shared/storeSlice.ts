import { createHash } from 'node:crypto';
import { errorMessage, PermanentError, RetryableError } from './errors';
import type { Lake } from './lake/lake';
import type { StoreInput, StoredFile } from './types';

function lakeFailure(op: string, path: string, err: unknown): RetryableError {
  return new RetryableError({
    code: 'LAKE_WRITE_FAILED',
    httpStatus: null,
    message: `${op} ${path}: ${errorMessage(err)}`.slice(0, 300),
  });
}

/**
 * Moves a staged slice to its final Bronze path with one rename, so a final name never holds a
 * partial file. Idempotent: a file already in place with the expected sha256 is left as is.
 */
export async function storeStagedSlice(lake: Lake, input: StoreInput): Promise<StoredFile> {
  const { fetched, instanceId } = input;
  const result = (written: boolean): StoredFile => ({
    path: fetched.finalPath,
    bytes: fetched.bytes,
    sha256: fetched.sha256,
    records: fetched.records,
    written,
  });
  try {
    const existing = await lake.stat(fetched.finalPath);
    if (existing?.metadata.sha256 === fetched.sha256) {
      await lake.delete(fetched.stagingPath);
      return result(false);
    }
    if (existing && existing.metadata.instance_id !== instanceId) {
      throw new PermanentError({
        code: 'LAKE_CONFLICT',
        httpStatus: null,
        message: `${fetched.finalPath} already exists with other content from run ${existing.metadata.instance_id ?? 'unknown'}`,
      });
    }
    const staged = await lake.read(fetched.stagingPath);
    if (!staged) {
      throw new PermanentError({
        code: 'STAGING_MISSING',
        httpStatus: null,
        message: `staged file ${fetched.stagingPath} is gone; the slice must be fetched again`,
      });
    }
    const sha = createHash('sha256').update(staged).digest('hex');
    if (sha !== fetched.sha256 || staged.length !== fetched.bytes) {
      throw new PermanentError({
        code: 'STAGING_CORRUPT',
        httpStatus: null,
        message: `staged file ${fetched.stagingPath} has sha256 ${sha} (${staged.length} bytes), expected ${fetched.sha256} (${fetched.bytes} bytes)`,
      });
    }
    await lake.rename(fetched.stagingPath, fetched.finalPath);
    return result(true);
  } catch (err) {
    if (err instanceof PermanentError) throw err;
    throw lakeFailure('store', fetched.finalPath, err);
  }
}
