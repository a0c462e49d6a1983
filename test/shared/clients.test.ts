import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { getLake, getSecrets, getWindowFetcher } from '../../shared/clients';
import { loadConfig } from '../../shared/config';
import { startFakeOdre, type FakeOdre } from '../../tools/standins/odre/server';

const window = {
  dataset: 'eco2mix-national-tr' as const,
  from: '2026-11-20T00:00:00Z',
  to: '2026-11-20T01:00:00Z',
};

describe('composition root', () => {
  let odre: FakeOdre;
  let dir: string;
  beforeAll(async () => {
    odre = await startFakeOdre({ requireAuth: { apiKey: 'k-local-123' } });
  });
  afterAll(() => odre.close());
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clients-'));
    odre.resetLog();
  });

  it('builds the local lake once per config and reuses it', () => {
    const config = loadConfig({ LOCAL_LAKE_DIR: dir });
    const lake = getLake(config);
    expect(lake.location).toBe(path.join(dir, 'bronze'));
    expect(getLake(config)).toBe(lake);
    expect(getLake(loadConfig({ LOCAL_LAKE_DIR: dir }))).not.toBe(lake);
  });

  it('sends the API key from the local secrets file as an Apikey header', async () => {
    const secrets = path.join(dir, 'local.secrets.json');
    fs.writeFileSync(secrets, JSON.stringify({ 'rte-api-key': 'k-local-123' }));
    const config = loadConfig({
      RTE_API_BASE_URL: odre.url,
      RTE_AUTH_MODE: 'apikey',
      LOCAL_SECRETS_FILE: secrets,
    });
    const fetcher = getWindowFetcher(config);
    expect(getWindowFetcher(config)).toBe(fetcher);
    expect(getSecrets(config)).toBe(getSecrets(config));
    const answer = await fetcher(window);
    expect(answer.ok && [answer.status, answer.rows.length, answer.requests]).toEqual([200, 4, 1]);
    expect(odre.requests().map((r) => [r.hasAuthorization, r.status])).toEqual([[true, 200]]);
  });

  it('sends no credentials in the default mode (and the stand-in refuses them)', async () => {
    const answer = await getWindowFetcher(loadConfig({ RTE_API_BASE_URL: odre.url }))(window);
    expect(answer.ok ? 'ok' : answer.failure.code).toBe('RTE_HTTP_401');
    expect(odre.requests().map((r) => r.hasAuthorization)).toEqual([false]);
  });
});
