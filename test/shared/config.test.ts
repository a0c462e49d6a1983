import * as path from 'node:path';
import { loadConfig } from '../../shared/config';
import { ConfigError } from '../../shared/errors';

const problemsOf = (env: Record<string, string>): string[] => {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
};

describe('loadConfig', () => {
  it('needs no settings: public API, local lake, no credentials', () => {
    const c = loadConfig({});
    expect(c.apiBaseUrl).toBe('https://odre.opendatasoft.com');
    expect(c.lake).toEqual({ kind: 'local', dir: path.resolve('./data'), filesystem: 'bronze' });
    expect([c.auth.mode, c.schedule, c.requestTimeoutMs, c.parallelism, c.monthlyCallBudget]).toEqual([
      'none',
      '0 */15 * * * *',
      30000,
      4,
      50000,
    ]);
    expect(c.datasets).toEqual(['eco2mix-regional-tr', 'eco2mix-national-tr']);
    expect([c.lookbackMs, c.maxRunSpanMs]).toEqual([3 * 3600_000, 7 * 86_400_000]);
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('selects ADLS when a storage account is named', () => {
    expect(loadConfig({ STORAGE_ACCOUNT_NAME: 'wattlake01' }).lake).toEqual({
      kind: 'adls',
      accountName: 'wattlake01',
      filesystem: 'bronze',
      endpoint: 'https://wattlake01.dfs.core.windows.net',
    });
  });

  it('reports every bad setting at once', () => {
    expect(
      problemsOf({
        RTE_REQUEST_TIMEOUT_MS: 'soon',
        RTE_AUTH_MODE: 'basic',
        RTE_DATASETS: 'eco2mix-regional-tr,x',
        INGESTION_SCHEDULE: '*/15 * * * *',
        RTE_API_BASE_URL: 'ftp://x',
        STORAGE_ACCOUNT_NAME: 'Bad_Name',
      }),
    ).toEqual([
      'INGESTION_SCHEDULE must be an NCRONTAB expression with six fields (seconds first), got "*/15 * * * *"',
      'RTE_DATASETS: unknown dataset "x" (known: eco2mix-regional-tr, eco2mix-national-tr)',
      'RTE_AUTH_MODE must be none, apikey or oauth2, got "basic"',
      'STORAGE_ACCOUNT_NAME must be 3-24 lowercase letters or digits, got "Bad_Name"',
      'RTE_API_BASE_URL must be an absolute http(s) URL, got "ftp://x"',
      'RTE_REQUEST_TIMEOUT_MS must be a whole number from 100 to 300000, got "soon"',
    ]);
  });

  it('refuses secrets in app settings in Azure, and a URL carrying credentials', () => {
    expect(
      problemsOf({
        WEBSITE_INSTANCE_ID: 'abc',
        RTE_API_KEY: 'k',
        RTE_API_BASE_URL: 'https://u:p@odre.example',
      }),
    ).toEqual([
      'RTE_API_KEY is set in the app settings: secrets belong in Key Vault only; remove the setting',
      'RTE_API_BASE_URL must not carry credentials or a query string',
    ]);
  });

  it('needs Key Vault for credentials in Azure', () => {
    expect(problemsOf({ WEBSITE_SITE_NAME: 'app', RTE_AUTH_MODE: 'apikey' })).toEqual([
      'RTE_AUTH_MODE=apikey in Azure needs KEY_VAULT_URL: secrets come only from Key Vault',
    ]);
  });

  it('ignores secret variables on a laptop', () => {
    expect(loadConfig({ RTE_API_KEY: 'k' }).auth.mode).toBe('none');
  });

  it('reads the gap settings with their defaults and names a bad one', () => {
    const c = loadConfig({});
    expect([c.gapHorizonMs, c.gapGiveUpMs, c.gapSweepHour, c.gapSweepMaxCalls]).toEqual([
      24 * 3600_000,
      14 * 86_400_000,
      4,
      20,
    ]);
    expect(c.datasets).toEqual(['eco2mix-regional-tr', 'eco2mix-national-tr']);
    expect(
      problemsOf({
        INGESTION_GAP_HORIZON_HOURS: '0',
        INGESTION_GAP_SWEEP_HOUR_UTC: '24',
        INGESTION_GAP_SWEEP_MAX_CALLS: 'x',
        RTE_DATASETS: 'eco2mix-regional-cons-def',
      }),
    ).toEqual([
      'RTE_DATASETS: "eco2mix-regional-cons-def" is backfill-only (POST /api/ingestion/runs with from/to)',
      'INGESTION_GAP_HORIZON_HOURS must be a whole number from 1 to 720, got "0"',
      'INGESTION_GAP_SWEEP_HOUR_UTC must be a whole number from 0 to 23, got "24"',
      'INGESTION_GAP_SWEEP_MAX_CALLS must be a whole number from 0 to 1000, got "x"',
    ]);
    expect(problemsOf({ INGESTION_GAP_HORIZON_HOURS: '48', INGESTION_GAP_GIVE_UP_DAYS: '2' })).toEqual([
      'INGESTION_GAP_GIVE_UP_DAYS (2) must be longer than INGESTION_GAP_HORIZON_HOURS (48 h)',
    ]);
  });
});
