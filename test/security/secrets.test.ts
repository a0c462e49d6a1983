/**
 * Secrets never leak: an API key and an OAuth2 client secret (from a local secrets file) are
 * configured, every error path is forced, and then no secret value, no Authorization header
 * value (Apikey, Basic, Bearer) may appear in the logs, console output, heartbeats and lake
 * files, the durable store on disk, orchestration outputs or the run status API.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { startFakeOdre, type FaultRule } from '../../tools/standins/odre/server';
import { startHarness, type Harness } from '../e2e/harness';
import { pastWindow, walkAll } from '../faults/support';

const rand = (): string => randomBytes(12).toString('hex');
const API_KEY = `sk-TEST-${rand()}`;
const WRONG_KEY = `sk-TEST-wrong-${rand()}`;
const CLIENT_ID = `cid-TEST-${rand()}`;
const CLIENT_SECRET = `cs-TEST-${rand()}`;
const WRONG_SECRET = `cs-TEST-wrong-${rand()}`;

/** Forwards token requests to the stand-in and remembers every access token it hands out. */
async function tokenSpy(target: string): Promise<{ url: string; tokens: string[]; close(): Promise<void> }> {
  const tokens: string[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers))
        if (typeof v === 'string' && k !== 'host') headers[k] = v;
      fetch(`${target}/token/oauth/`, { method: 'POST', headers, body: Buffer.concat(chunks) })
        .then(async (r) => {
          const text = await r.text();
          const m = /"access_token":"([^"]+)"/.exec(text);
          if (m?.[1]) tokens.push(m[1]);
          res.writeHead(r.status, { 'content-type': r.headers.get('content-type') ?? 'text/plain' });
          res.end(text);
        })
        .catch(() => res.destroy());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    tokens,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Captures everything written to stdout, stderr and console while the suite runs. */
function captureConsole(): { text(): string; restore(): void } {
  const out: string[] = [];
  const spies = [
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out.push(String(chunk));
      return true;
    }),
    jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out.push(String(chunk));
      return true;
    }),
    ...(['log', 'info', 'warn', 'error', 'debug'] as const).map((m) =>
      jest.spyOn(console, m).mockImplementation((...args: unknown[]) => {
        out.push(args.map(String).join(' '));
      }),
    ),
  ];
  return { text: () => out.join('\n'), restore: () => spies.forEach((s) => s.mockRestore()) };
}

interface Scenario {
  name: string;
  faults: FaultRule[];
  /** Rewrites the secrets file before the run. */
  secrets?: Record<string, string>;
  /** Or writes this text to it. */
  secretsText?: string;
  status: 'success' | 'partial' | 'failure' | 'deferred';
  code?: string;
}

/** Every text an attacker or an operator could read after the runs. */
async function artifacts(h: Harness, captured: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  out.logs = h.logs.lines.map((l) => `${l.level} ${l.category ?? ''} ${l.message}`).join('\n');
  out.console = captured;
  for (const f of walkAll(h.lakeDir)) out[`lake:${f}`] = fs.readFileSync(path.join(h.lakeDir, f), 'utf8');
  for (const f of walkAll(h.durableDir))
    out[`durable:${f}`] = fs.readFileSync(path.join(h.durableDir, f), 'utf8');
  for (const rec of h.host.engine.listInstances().instances) {
    out[`output:${rec.instanceId}`] = `${rec.output ?? ''} ${rec.customStatus ?? ''}`;
    const api = await h.get(`/api/ingestion/runs/${rec.instanceId}`);
    out[`api:${rec.instanceId}`] = JSON.stringify(api.body);
  }
  out.state = JSON.stringify((await h.get('/api/ingestion/state')).body);
  out.odreLog = JSON.stringify(h.odre.requests());
  return out;
}

function leaks(texts: Record<string, string>, secrets: readonly string[]): string[] {
  const found: string[] = [];
  for (const [where, text] of Object.entries(texts)) {
    for (const s of secrets)
      if (s.length >= 8 && text.includes(s)) found.push(`${where} holds ${s.slice(0, 12)}…`);
    if (/Authorization["']?\s*[:=]\s*["']?(Apikey|Basic|Bearer) [A-Za-z0-9]/i.test(text))
      found.push(`${where} holds an Authorization header`);
  }
  return found;
}

async function runAll(h: Harness, secretsFile: string, scenarios: Scenario[]): Promise<string[]> {
  const codes: string[] = [];
  let hour = 2;
  for (const s of scenarios) {
    if (s.secrets) fs.writeFileSync(secretsFile, JSON.stringify(s.secrets));
    if (s.secretsText !== undefined) fs.writeFileSync(secretsFile, s.secretsText);
    h.odre.clearFaults();
    h.odre.addFault(s.faults);
    const res = await h.startRun(pastWindow(1, hour++));
    expect(res.status).toBe(202);
    const rec = await h.wait(String(res.body.id));
    const hbFile = h.files('audit').find((f) => h.read(f).toString().includes(String(res.body.id)));
    const hb = JSON.parse(h.read(hbFile!).toString()) as {
      status: string;
      error_details: { code: string }[];
    };
    expect([s.name, hb.status]).toEqual([s.name, s.status]);
    if (s.code) expect([s.name, hb.error_details[0]?.code]).toEqual([s.name, s.code]);
    expect(rec.status === 'Failed').toBe(s.status === 'failure');
    codes.push(`${s.name}: ${hb.status} ${hb.error_details.map((d) => d.code).join(',') || '-'}`);
  }
  h.odre.clearFaults();
  return codes;
}

const forever = (kind: FaultRule['kind'], extra: Partial<FaultRule> = {}): FaultRule[] => [
  { kind, times: 'forever', ...extra },
];

describe('secrets never leak', () => {
  it('the leak check finds a planted secret (control)', () => {
    const basic = Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64');
    expect(leaks({ a: `x ${API_KEY} y`, b: `{"Authorization":"Basic ${basic}"}` }, [API_KEY])).toHaveLength(
      2,
    );
  });

  let dir: string;
  let captured: ReturnType<typeof captureConsole>;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ww-secrets-'));
  });
  beforeEach(() => {
    captured = captureConsole();
  });
  afterEach(() => captured.restore());

  it('API key (RTE_AUTH_MODE=apikey): every error path', async () => {
    const secretsFile = path.join(dir, 'apikey.secrets.json');
    const good = { 'rte-api-key': API_KEY };
    fs.writeFileSync(secretsFile, JSON.stringify(good));
    const h = await startHarness({
      env: { RTE_AUTH_MODE: 'apikey', LOCAL_SECRETS_FILE: secretsFile, RTE_REQUEST_TIMEOUT_MS: '300' },
      odre: { requireAuth: { apiKey: API_KEY } },
    });
    try {
      const codes = await runAll(h, secretsFile, [
        {
          name: 'wrong key (real 401)',
          faults: [],
          secrets: { 'rte-api-key': WRONG_KEY },
          status: 'failure',
          code: 'RTE_HTTP_401',
        },
        {
          name: 'injected 401',
          faults: forever(401),
          secrets: good,
          status: 'failure',
          code: 'RTE_HTTP_401',
        },
        { name: '500', faults: forever(500), status: 'failure', code: 'RTE_HTTP_500' },
        // the quota body carries reset_time: the run is deferred (no retry, no failure)
        { name: '429', faults: forever(429), status: 'deferred' },
        { name: 'timeout', faults: forever('timeout'), status: 'failure', code: 'RTE_TIMEOUT' },
        { name: 'drop', faults: forever('drop'), status: 'failure', code: 'RTE_NETWORK' },
        { name: 'malformed body', faults: forever('malformed'), status: 'failure', code: 'RTE_BAD_BODY' },
        { name: 'HTML body', faults: forever('html'), status: 'failure', code: 'RTE_BAD_BODY' },
        { name: 'truncated body', faults: forever('truncate'), status: 'failure', code: 'RTE_BAD_BODY' },
        {
          name: 'secret missing',
          faults: [],
          secrets: { other: 'x' },
          status: 'failure',
          code: 'SECRET_NOT_FOUND',
        },
        {
          name: 'secrets file not JSON (holding the key)',
          faults: [],
          secretsText: `{"rte-api-key": "${API_KEY}",`,
          status: 'failure',
          code: 'SECRET_FILE_INVALID',
        },
        { name: 'success', faults: [], secrets: good, status: 'success' },
      ]);
      expect(h.odre.requests().some((r) => r.hasAuthorization && r.status === 200)).toBe(true);
      const found = leaks(await artifacts(h, captured.text()), [
        API_KEY,
        WRONG_KEY,
        API_KEY.slice(8),
        WRONG_KEY.slice(14),
      ]);
      captured.restore();
      console.log(`apikey error paths\n${codes.join('\n')}`);
      expect(found).toEqual([]);
    } finally {
      await h.stop();
    }
  });

  it('OAuth2 client secret (RTE_AUTH_MODE=oauth2): token endpoint and API error paths', async () => {
    const secretsFile = path.join(dir, 'oauth.secrets.json');
    const good = { 'rte-client-id': CLIENT_ID, 'rte-client-secret': CLIENT_SECRET };
    fs.writeFileSync(secretsFile, JSON.stringify(good));
    const odre = await startFakeOdre({
      requireAuth: { acceptIssuedTokens: true },
      oauth: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET },
    });
    const spy = await tokenSpy(odre.url);
    const h = await startHarness({
      odreInstance: odre,
      env: {
        RTE_AUTH_MODE: 'oauth2',
        RTE_OAUTH_TOKEN_URL: `${spy.url}/token/oauth/`,
        LOCAL_SECRETS_FILE: secretsFile,
        RTE_REQUEST_TIMEOUT_MS: '300',
      },
    });
    try {
      const token = (kind: FaultRule['kind']): FaultRule[] => forever(kind, { endpoint: 'token' });
      const codes = await runAll(h, secretsFile, [
        // token failures first: once a token is issued it is cached for its lifetime
        {
          name: 'wrong client secret (token 401)',
          faults: [],
          secrets: { ...good, 'rte-client-secret': WRONG_SECRET },
          status: 'failure',
          code: 'OAUTH_REJECTED',
        },
        {
          name: 'token endpoint 500',
          faults: token(500),
          secrets: good,
          status: 'failure',
          code: 'OAUTH_TOKEN_FAILED',
        },
        { name: 'token endpoint 503', faults: token(503), status: 'failure', code: 'OAUTH_TOKEN_FAILED' },
        {
          name: 'token endpoint timeout',
          faults: token('timeout'),
          status: 'failure',
          code: 'OAUTH_TOKEN_FAILED',
        },
        { name: 'token endpoint drop', faults: token('drop'), status: 'failure', code: 'OAUTH_TOKEN_FAILED' },
        {
          name: 'token endpoint bad body',
          faults: token('malformed'),
          status: 'failure',
          code: 'OAUTH_TOKEN_FAILED',
        },
        { name: 'token endpoint HTML', faults: token('html'), status: 'failure', code: 'OAUTH_TOKEN_FAILED' },
        {
          name: 'token endpoint empty',
          faults: token('empty'),
          status: 'failure',
          code: 'OAUTH_TOKEN_FAILED',
        },
        { name: 'token endpoint 400', faults: token(400), status: 'failure', code: 'OAUTH_REJECTED' },
        { name: 'success (token issued)', faults: [], status: 'success' },
        {
          name: 'API 401 with a bearer token',
          faults: forever(401),
          status: 'failure',
          code: 'RTE_HTTP_401',
        },
        {
          name: 'API 500 with a bearer token',
          faults: forever(500),
          status: 'failure',
          code: 'RTE_HTTP_500',
        },
        {
          name: 'API bad body with a bearer token',
          faults: forever('malformed'),
          status: 'failure',
          code: 'RTE_BAD_BODY',
        },
      ]);
      expect(spy.tokens.length).toBeGreaterThan(0);
      const basic = Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64');
      const wrongBasic = Buffer.from(`${CLIENT_ID}:${WRONG_SECRET}`).toString('base64');
      const found = leaks(await artifacts(h, captured.text()), [
        CLIENT_SECRET,
        WRONG_SECRET,
        CLIENT_SECRET.slice(8),
        basic,
        wrongBasic,
        ...spy.tokens,
      ]);
      captured.restore();
      console.log(`oauth2 error paths (${spy.tokens.length} token(s) issued)\n${codes.join('\n')}`);
      expect(found).toEqual([]);
    } finally {
      await h.stop();
      await spy.close();
      await odre.close();
    }
  });
});
