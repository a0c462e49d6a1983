/* eslint-disable @typescript-eslint/no-require-imports -- lazy requires keep the heavy SDKs out of the cold start */
import type { Config } from './config';
import type { DatasetId } from './constants';
import type { CoverageResult } from './rte/coverage';
import type { WindowFetcher } from './fetchSlice';
import type { Lake } from './lake/lake';
import type { SecretSource } from './secrets';

/**
 * The composition root: clients are built on first use and reused across invocations. The
 * heavy Azure SDKs are required here, lazily, so a cold start loads only what a function uses.
 */
let lake: { config: Config; value: Lake } | undefined;
let fetcher: { config: Config; value: WindowFetcher } | undefined;
let secrets: { config: Config; value: SecretSource } | undefined;
let coverage: { config: Config; value: CoverageFetcher } | undefined;
let gate: { config: Config; value: import('./rte/gate').RequestGate } | undefined;

/** The coverage request of one dataset (its first instant), bound to the ODRE client. */
export type CoverageFetcher = (dataset: DatasetId) => Promise<CoverageResult>;

export function getCoverageFetcher(config: Config): CoverageFetcher {
  if (coverage?.config !== config) {
    const { fetchCoverage } = require('./rte/coverage') as typeof import('./rte/coverage');
    const deps = rteDeps(config);
    coverage = { config, value: (dataset) => fetchCoverage(deps, dataset) };
  }
  return coverage.value;
}

export function getLake(config: Config): Lake {
  if (lake?.config !== config) lake = { config, value: createLake(config) };
  return lake.value;
}

function createLake(config: Config): Lake {
  if (config.lake.kind === 'local') {
    const { createLocalLake } = require('./lake/localLake') as typeof import('./lake/localLake');
    return createLocalLake(config.lake.dir, config.lake.filesystem);
  }
  const { DataLakeServiceClient } =
    require('@azure/storage-file-datalake') as typeof import('@azure/storage-file-datalake');
  const { DefaultAzureCredential } = require('@azure/identity') as typeof import('@azure/identity');
  const { createAdlsLake } = require('./lake/adlsLake') as typeof import('./lake/adlsLake');
  const service = new DataLakeServiceClient(config.lake.endpoint, new DefaultAzureCredential());
  const fs = service.getFileSystemClient(config.lake.filesystem);
  return createAdlsLake(fs, `abfss://${config.lake.filesystem}@${new URL(config.lake.endpoint).host}`);
}

export function getSecrets(config: Config): SecretSource {
  if (secrets?.config !== config) secrets = { config, value: createSecrets(config) };
  return secrets.value;
}

function createSecrets(config: Config): SecretSource {
  const mod = require('./secrets') as typeof import('./secrets');
  if (config.keyVaultUrl) {
    const { SecretClient } = require('@azure/keyvault-secrets') as typeof import('@azure/keyvault-secrets');
    const { DefaultAzureCredential } = require('@azure/identity') as typeof import('@azure/identity');
    return mod.createKeyVaultSecretSource(
      new SecretClient(config.keyVaultUrl, new DefaultAzureCredential(), {
        // the durable retry policy already retries the activity: one SDK retry inside each attempt
        retryOptions: { maxRetries: 1 },
      }),
      config.secretCacheTtlMs,
    );
  }
  return mod.createLocalFileSecretSource(config.localSecretsFile);
}

export function getWindowFetcher(config: Config): WindowFetcher {
  if (fetcher?.config !== config) fetcher = { config, value: createFetcher(config) };
  return fetcher.value;
}

function createFetcher(config: Config): WindowFetcher {
  const { fetchWindow } = require('./rte/client') as typeof import('./rte/client');
  const deps = rteDeps(config);
  return (req, options) => fetchWindow(deps, req, options);
}

function rteDeps(config: Config): import('./rte/client').FetchWindowDeps {
  const { createRteHttp } = require('./rte/http') as typeof import('./rte/http');
  const { createAuthorizationProvider } = require('./auth') as typeof import('./auth');
  const { TRANSPORT_RETRIES } = require('./constants') as typeof import('./constants');
  const http = createRteHttp({
    baseUrl: config.apiBaseUrl,
    timeoutMs: config.requestTimeoutMs,
    transportRetries: TRANSPORT_RETRIES,
  });
  const getAuthorization =
    config.auth.mode === 'none'
      ? () => Promise.resolve(null)
      : createAuthorizationProvider(config.auth, getSecrets(config), http);
  return { http, getAuthorization, gate: requestGate(config) };
}

/** One gate per process for every ODRE request (exports and coverage), INGESTION_PARALLELISM wide. */
function requestGate(config: Config): import('./rte/gate').RequestGate {
  if (gate?.config !== config) {
    const { createRequestGate } = require('./rte/gate') as typeof import('./rte/gate');
    gate = { config, value: createRequestGate(config.parallelism) };
  }
  return gate.value;
}
