import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SecretClient } from '@azure/keyvault-secrets';
import { decodeFailure, PermanentError, RetryableError } from '../../shared/errors';
import { createKeyVaultSecretSource, createLocalFileSecretSource } from '../../shared/secrets';
import { startFakeKeyVault, type FakeKeyVault } from '../../tools/standins/keyvault/server';

const API_KEY = 'api-key-VALUE-7f3a9c';
const VAULT_TOKEN = 'vault-token-5be1';

/** Stands in for Entra ID (not a mock of the client): records the scopes and tenant asked for. */
function fakeCredential() {
  const asked: { scopes: string[]; tenantId: string | undefined }[] = [];
  return {
    asked,
    getToken: async (scopes: string | string[], options?: { tenantId?: string }) => {
      asked.push({ scopes: ([] as string[]).concat(scopes), tenantId: options?.tenantId });
      return { token: VAULT_TOKEN, expiresOnTimestamp: Date.now() + 3_600_000 };
    },
  };
}

let vault: FakeKeyVault;

function secretClient(credential = fakeCredential()): SecretClient {
  return new SecretClient(vault.url, credential, {
    // 127.0.0.1 is not under vault.azure.net: the SDK's challenge resource check is off in tests only.
    disableChallengeResourceVerification: true,
    tlsOptions: { ca: vault.ca },
    retryOptions: { maxRetries: 0 },
  });
}

function thrown(p: Promise<unknown>): Promise<Error> {
  return p.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e as Error,
  );
}

function textOf(err: Error): string {
  return `${err.message}\n${err.stack ?? ''}\n${JSON.stringify(err)}`;
}

beforeEach(async () => {
  vault = await startFakeKeyVault({ secrets: { 'rte-api-key': API_KEY, 'rte-client-id': 'id-1' } });
});

afterEach(async () => {
  await vault.close();
});

describe('createKeyVaultSecretSource with the real SecretClient', () => {
  it('answers the challenge, then reads the secret with a bearer token', async () => {
    const credential = fakeCredential();
    const source = createKeyVaultSecretSource(secretClient(credential), 60_000);

    expect(await source.getSecret('rte-api-key')).toBe(API_KEY);

    expect(vault.requests().map((r) => [r.method, r.path, r.bearer, r.status])).toEqual([
      ['GET', '/secrets/rte-api-key/', false, 401],
      ['GET', '/secrets/rte-api-key/', true, 200],
    ]);
    expect(vault.requests()[1]!.query['api-version']).toMatch(/^\d{4}-\d{2}-\d{2}/);
    expect(credential.asked).toEqual([
      { scopes: ['https://vault.azure.net/.default'], tenantId: vault.tenantId },
    ]);
  });

  it('caches values for the TTL with the injected clock, then fetches again', async () => {
    let t = 1_000_000;
    const source = createKeyVaultSecretSource(secretClient(), 60_000, () => t);

    expect(await source.getSecret('rte-api-key')).toBe(API_KEY);
    t += 59_999;
    expect(await source.getSecret('rte-api-key')).toBe(API_KEY);
    expect(vault.secretReads()).toHaveLength(1);

    vault.setSecret('rte-api-key', 'rotated-value');
    t += 1;
    expect(await source.getSecret('rte-api-key')).toBe('rotated-value');
    expect(await source.getSecret('rte-client-id')).toBe('id-1');
    expect(vault.secretReads().map((r) => r.path)).toEqual([
      '/secrets/rte-api-key/',
      '/secrets/rte-api-key/',
      '/secrets/rte-client-id/',
    ]);
  });

  it('shares one fetch between concurrent requests for the same name', async () => {
    const source = createKeyVaultSecretSource(secretClient(), 60_000);
    const values = await Promise.all([
      source.getSecret('rte-api-key'),
      source.getSecret('rte-api-key'),
      source.getSecret('rte-api-key'),
    ]);
    expect(values).toEqual([API_KEY, API_KEY, API_KEY]);
    expect(vault.secretReads()).toHaveLength(1);
  });

  it('does not cache with a TTL of 0', async () => {
    const source = createKeyVaultSecretSource(secretClient(), 0, () => 5);
    await source.getSecret('rte-api-key');
    await source.getSecret('rte-api-key');
    expect(vault.secretReads()).toHaveLength(2);
  });

  it('maps a missing secret to a PermanentError SECRET_NOT_FOUND naming the secret and vault host', async () => {
    const source = createKeyVaultSecretSource(secretClient(), 60_000);
    const err = await thrown(source.getSecret('rte-client-secret'));
    expect(err).toBeInstanceOf(PermanentError);
    const host = new URL(vault.url).host;
    expect(decodeFailure(err.message)).toEqual({
      code: 'SECRET_NOT_FOUND',
      httpStatus: 404,
      message: `Key Vault secret "rte-client-secret" was not found in ${host}`,
      retryable: false,
    });
  });

  it('maps a 5xx to a RetryableError SECRET_UNAVAILABLE and does not cache the failure', async () => {
    const source = createKeyVaultSecretSource(secretClient(), 60_000);
    vault.failNext(1, 503);
    const err = await thrown(source.getSecret('rte-api-key'));
    expect(err).toBeInstanceOf(RetryableError);
    expect(decodeFailure(err.message)).toEqual({
      code: 'SECRET_UNAVAILABLE',
      httpStatus: 503,
      message: `Key Vault secret "rte-api-key" could not be read from ${new URL(vault.url).host}: HTTP 503 (ServiceUnavailable)`,
      retryable: true,
    });
    expect(await source.getSecret('rte-api-key')).toBe(API_KEY);
  });

  it('maps an unreachable vault to SECRET_UNAVAILABLE without leaking the token or any value', async () => {
    const source = createKeyVaultSecretSource(secretClient(), 60_000);
    expect(await source.getSecret('rte-client-id')).toBe('id-1');
    await vault.goUnreachable();

    const err = await thrown(source.getSecret('rte-api-key'));
    expect(err).toBeInstanceOf(RetryableError);
    const failure = decodeFailure(err.message);
    expect(failure.code).toBe('SECRET_UNAVAILABLE');
    expect(failure.httpStatus).toBeNull();
    expect(failure.message).toMatch(
      /^Key Vault secret "rte-api-key" could not be read from 127\.0\.0\.1:\d+: no response/,
    );
    expect((err as Error & { cause?: unknown }).cause).toBeUndefined();
    for (const secret of [API_KEY, 'id-1', VAULT_TOKEN]) expect(textOf(err)).not.toContain(secret);
    // The cached value still serves while the vault is away.
    expect(await source.getSecret('rte-client-id')).toBe('id-1');
  });

  it('treats a secret with an empty value as not found', async () => {
    vault.setSecret('empty', '');
    const err = await thrown(createKeyVaultSecretSource(secretClient(), 60_000).getSecret('empty'));
    expect(err).toBeInstanceOf(PermanentError);
    expect(decodeFailure(err.message).message).toBe(
      `Key Vault secret "empty" in ${new URL(vault.url).host} has no value`,
    );
  });
});

describe('createLocalFileSecretSource', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ww-secrets-'));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('reads a secret from the JSON file, picking up edits', async () => {
    const file = path.join(dir, 'local.secrets.json');
    fs.writeFileSync(file, JSON.stringify({ 'rte-api-key': API_KEY }));
    const source = createLocalFileSecretSource(file);
    expect(await source.getSecret('rte-api-key')).toBe(API_KEY);
    fs.writeFileSync(file, JSON.stringify({ 'rte-api-key': 'edited' }));
    expect(await source.getSecret('rte-api-key')).toBe('edited');
  });

  it('explains a missing file, bad JSON, a missing name and a bad value without echoing values', async () => {
    const file = path.join(dir, 'local.secrets.json');
    const source = createLocalFileSecretSource(file);
    const failureOf = async (): Promise<{ err: Error; code: string; message: string }> => {
      const err = await thrown(source.getSecret('rte-api-key'));
      expect(err).toBeInstanceOf(PermanentError);
      const f = decodeFailure(err.message);
      return { err, code: f.code, message: f.message };
    };

    expect(await failureOf()).toMatchObject({
      code: 'SECRET_FILE_UNREADABLE',
      message: `Local secrets file ${file} does not exist: create it with {"rte-api-key": "..."} (it is git-ignored)`,
    });

    fs.writeFileSync(file, `{"rte-api-key": "${API_KEY}",}`);
    const bad = await failureOf();
    expect(bad).toMatchObject({
      code: 'SECRET_FILE_INVALID',
      message: `Local secrets file ${file} is not valid JSON`,
    });
    expect(textOf(bad.err)).not.toContain(API_KEY);

    fs.writeFileSync(file, JSON.stringify([API_KEY]));
    expect(await failureOf()).toMatchObject({
      code: 'SECRET_FILE_INVALID',
      message: `Local secrets file ${file} must hold a JSON object of name: value`,
    });

    fs.writeFileSync(file, JSON.stringify({ other: API_KEY }));
    const missing = await failureOf();
    expect(missing).toMatchObject({
      code: 'SECRET_NOT_FOUND',
      message: `Local secrets file ${file} has no secret "rte-api-key"`,
    });
    expect(textOf(missing.err)).not.toContain(API_KEY);

    fs.writeFileSync(file, JSON.stringify({ 'rte-api-key': 42 }));
    expect(await failureOf()).toMatchObject({
      code: 'SECRET_NOT_FOUND',
      message: `Local secrets file ${file}: secret "rte-api-key" must be a non-empty string`,
    });
  });

  it('reports an unreadable path (a directory) by its error code', async () => {
    const err = await thrown(createLocalFileSecretSource(dir).getSecret('x'));
    expect(decodeFailure(err.message)).toMatchObject({
      code: 'SECRET_FILE_UNREADABLE',
      message: `Local secrets file ${dir} could not be read (EISDIR)`,
    });
  });
});
