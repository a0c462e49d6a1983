import { promises as fsp } from 'node:fs';
import type { SecretClient } from '@azure/keyvault-secrets';
import { azureErrorFacts, PermanentError, RetryableError, type ErrorCode } from './errors';

/**
 * Where secrets come from: Key Vault in Azure, a git-ignored JSON file on a laptop. Never from app
 * settings or environment variables. Errors name the secret and where it was looked up, never a value.
 */
export interface SecretSource {
  getSecret(name: string): Promise<string>;
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '<unparseable vault url>';
  }
}

/**
 * Secrets from Key Vault through a `SecretClient` built by the composition root. Values are cached
 * in memory for `ttlMs` (0 disables the cache); concurrent requests for one name share one fetch;
 * failures are not cached.
 */
export function createKeyVaultSecretSource(
  client: SecretClient,
  ttlMs: number,
  now: () => number = () => Date.now(),
): SecretSource {
  const host = hostOf(client.vaultUrl);
  const cache = new Map<string, { value: string; expiresAt: number }>();
  const inflight = new Map<string, Promise<string>>();

  async function fetchSecret(name: string): Promise<string> {
    let value: string | undefined;
    try {
      value = (await client.getSecret(name)).value;
    } catch (err) {
      const { status, code } = azureErrorFacts(err);
      const why =
        status === null
          ? `no response${code ? ` (${code})` : ''}`
          : `HTTP ${status}${code ? ` (${code})` : ''}`;
      if (status === 404) {
        throw new PermanentError({
          code: 'SECRET_NOT_FOUND',
          httpStatus: 404,
          message: `Key Vault secret "${name}" was not found in ${host}`,
        });
      }
      throw new RetryableError({
        code: 'SECRET_UNAVAILABLE',
        httpStatus: status,
        message: `Key Vault secret "${name}" could not be read from ${host}: ${why}`,
      });
    }
    if (value === undefined || value === '') {
      throw new PermanentError({
        code: 'SECRET_NOT_FOUND',
        httpStatus: null,
        message: `Key Vault secret "${name}" in ${host} has no value`,
      });
    }
    if (ttlMs > 0) cache.set(name, { value, expiresAt: now() + ttlMs });
    return value;
  }

  return {
    getSecret(name: string): Promise<string> {
      const hit = cache.get(name);
      if (hit && now() < hit.expiresAt) return Promise.resolve(hit.value);
      const pending = inflight.get(name);
      if (pending) return pending;
      const p = fetchSecret(name).finally(() => inflight.delete(name));
      inflight.set(name, p);
      return p;
    },
  };
}

/**
 * Secrets from a local JSON file such as `{ "rte-api-key": "..." }` (git-ignored; laptops only).
 * The file is read on every call, so edits apply without a restart.
 */
export function createLocalFileSecretSource(file: string): SecretSource {
  const fail = (code: ErrorCode, message: string): never => {
    throw new PermanentError({ code, httpStatus: null, message });
  };
  return {
    async getSecret(name: string): Promise<string> {
      let text: string;
      try {
        text = await fsp.readFile(file, 'utf8');
      } catch (err) {
        const errno = (err as NodeJS.ErrnoException).code ?? 'error';
        return fail(
          'SECRET_FILE_UNREADABLE',
          errno === 'ENOENT'
            ? `Local secrets file ${file} does not exist: create it with {"${name}": "..."} (it is git-ignored)`
            : `Local secrets file ${file} could not be read (${errno})`,
        );
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        // The parser's message quotes the file's text, which holds secrets: never pass it on.
        return fail('SECRET_FILE_INVALID', `Local secrets file ${file} is not valid JSON`);
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        return fail(
          'SECRET_FILE_INVALID',
          `Local secrets file ${file} must hold a JSON object of name: value`,
        );
      }
      const value = (parsed as Record<string, unknown>)[name];
      if (value === undefined)
        return fail('SECRET_NOT_FOUND', `Local secrets file ${file} has no secret "${name}"`);
      if (typeof value !== 'string' || value === '') {
        return fail(
          'SECRET_NOT_FOUND',
          `Local secrets file ${file}: secret "${name}" must be a non-empty string`,
        );
      }
      return value;
    },
  };
}
