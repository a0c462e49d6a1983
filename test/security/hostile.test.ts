/**
 * Hostile input against the real HTTP functions in the embedded runtime: each case gets a clear
 * error, nothing starts (no instance in the engine, no request to the ODRE stand-in) and nothing
 * is written, in the lake or anywhere else.
 */
import { SUITE_EPOCH } from '../setup/epoch';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { startHarness, type Harness } from '../e2e/harness';
import { walkAll } from '../faults/support';
import { startFakeOdre } from '../../standins/odre/server';

const KEY = 'e2e-key';

/** Sends exactly this path (fetch would normalise `..`), with the function key unless told otherwise. */
function raw(
  h: Harness,
  method: string,
  rawPath: string,
  body?: string | Buffer,
  headers: Record<string, string> = { 'x-functions-key': KEY },
): Promise<{ status: number; text: string }> {
  const url = new URL(h.host.httpUrl);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        method,
        path: rawPath,
        headers: { 'content-type': 'application/json', ...headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
      },
    );
    // The host may answer 413 and close before the whole body is sent.
    req.on('error', (err) => ((err as NodeJS.ErrnoException).code === 'EPIPE' ? undefined : reject(err)));
    if (body !== undefined) req.write(body);
    req.end();
  });
}

const post = (h: Harness, body: string, headers?: Record<string, string>) =>
  raw(h, 'POST', '/api/ingestion/runs', body, headers);

interface Case {
  name: string;
  send: (h: Harness) => Promise<{ status: number; text: string }>;
  status: number;
  /** Substrings of the JSON error body (empty body for 401/404 from the host). */
  says: string[];
}

const day = 86_400_000;
const q = (ms: number): string => new Date(Math.floor(ms / 900_000) * 900_000).toISOString();
const now = SUITE_EPOCH;

const CASES: Case[] = [
  { name: 'invalid JSON', send: (h) => post(h, '{"from": '), status: 400, says: ['invalid JSON', 'body'] },
  { name: 'JSON array body', send: (h) => post(h, '[]'), status: 400, says: ['invalid body', 'object'] },
  { name: 'JSON string body', send: (h) => post(h, '"x"'), status: 400, says: ['invalid body'] },
  {
    name: 'from of the wrong type',
    send: (h) => post(h, JSON.stringify({ from: 1767225600000 })),
    status: 400,
    says: ['invalid field', '"field":"from"', 'ISO-8601'],
  },
  {
    name: 'datasets of the wrong type',
    send: (h) => post(h, JSON.stringify({ datasets: 'eco2mix-regional-tr' })),
    status: 400,
    says: ['invalid field', '"field":"datasets"'],
  },
  {
    name: 'unknown field (prototype pollution attempt)',
    send: (h) => post(h, '{"__proto__": {"polluted": true}}'),
    status: 400,
    says: ['unknown field', '__proto__'],
  },
  {
    name: 'body over 1 MB (Content-Length)',
    send: (h) => post(h, JSON.stringify({ pad: 'x'.repeat(1024 * 1024 + 10) })),
    status: 413,
    says: ['payload too large', '1048576'],
  },
  {
    name: 'body over 1 MB (chunked, no Content-Length)',
    send: (h) =>
      raw(h, 'POST', '/api/ingestion/runs', Buffer.alloc(1024 * 1024 + 10, 0x20), {
        'x-functions-key': KEY,
        'transfer-encoding': 'chunked',
      }),
    status: 413,
    says: ['payload too large'],
  },
  {
    name: 'ODSQL injected in a dataset name',
    send: (h) =>
      post(h, JSON.stringify({ datasets: ["eco2mix-regional-tr' or 1=1 or date_heure >= date'1970"] })),
    status: 400,
    says: ['unknown dataset', '"field":"datasets"'],
  },
  {
    name: 'path traversal in a dataset name',
    send: (h) => post(h, JSON.stringify({ datasets: ['../../../etc/passwd'] })),
    status: 400,
    says: ['unknown dataset'],
  },
  {
    name: 'path traversal in an instance id (%2F)',
    send: (h) => raw(h, 'GET', '/api/ingestion/runs/..%2F..%2Fetc'),
    status: 400,
    says: ['invalid instance id', 'not a safe path segment'],
  },
  {
    name: 'path traversal in an instance id (%2e%2e)',
    send: (h) => raw(h, 'GET', '/api/ingestion/runs/%2e%2e'),
    status: 400,
    says: ['invalid instance id'],
  },
  {
    name: 'path traversal in an instance id (backslashes)',
    send: (h) => raw(h, 'GET', '/api/ingestion/runs/..%5C..%5Cwindows'),
    status: 400,
    says: ['invalid instance id'],
  },
  {
    name: 'raw ../ in the URL (no route matches)',
    send: (h) => raw(h, 'GET', '/api/ingestion/runs/../../../etc/passwd'),
    status: 404,
    says: [],
  },
  {
    name: 'NUL byte in an instance id',
    send: (h) => raw(h, 'GET', '/api/ingestion/runs/eco2mix-%00'),
    status: 400,
    says: ['invalid instance id'],
  },
  {
    name: 'date far in the past',
    send: (h) => post(h, JSON.stringify({ from: '1900-01-01T00:00:00Z', to: '1900-01-02T00:00:00Z' })),
    status: 400,
    says: ['invalid field', 'before 2012'],
  },
  {
    name: 'date far in the future',
    send: (h) => post(h, JSON.stringify({ from: q(now - day), to: '2999-01-01T00:00:00Z' })),
    status: 400,
    says: ['invalid field', 'in the future'],
  },
  {
    name: 'year beyond the Date range',
    send: (h) => post(h, JSON.stringify({ from: '+275761-01-01T00:00:00Z' })),
    status: 400,
    says: ['invalid field', 'ISO-8601'],
  },
  {
    name: 'reversed range',
    send: (h) => post(h, JSON.stringify({ from: q(now - day), to: q(now - 2 * day) })),
    status: 400,
    says: ['invalid range', 'must be after from'],
  },
  {
    name: 'range over the backfill limit',
    send: (h) => post(h, JSON.stringify({ from: '2013-01-01T00:00:00Z', to: q(now - day) })),
    status: 400,
    says: ['range too large', 'maxDays'],
  },
  {
    name: 'missing function key',
    send: (h) => post(h, '{}', {}),
    status: 401,
    says: [],
  },
  {
    name: 'wrong function key (header)',
    send: (h) => post(h, '{}', { 'x-functions-key': 'not-the-key' }),
    status: 401,
    says: [],
  },
  {
    name: 'wrong function key (?code=)',
    send: (h) => raw(h, 'POST', '/api/ingestion/runs?code=not-the-key', '{}', {}),
    status: 401,
    says: [],
  },
  {
    name: 'wrong function key on the run status route',
    send: (h) => raw(h, 'GET', '/api/ingestion/runs/eco2mix-x', undefined, { 'x-functions-key': 'nope' }),
    status: 401,
    says: [],
  },
];

describe('hostile input to the HTTP functions', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => h.stop());

  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const res = await c.send(h);
    expect(res.status).toBe(c.status);
    for (const s of c.says) expect(res.text).toContain(s);
    if (c.says.length > 0) expect(() => JSON.parse(res.text) as unknown).not.toThrow();
    // nothing started, nothing fetched, nothing written
    expect(h.host.engine.listInstances().instances).toEqual([]);
    expect(h.odre.requests()).toEqual([]);
    expect(walkAll(h.lakeDir)).toEqual([]);
    expect(walkAll(path.join(h.durableDir, h.host.hubName, 'instances'))).toEqual([]);
    // the harness folder holds the task hub and nothing else
    expect(
      fs.readdirSync(path.dirname(h.durableDir)).filter((f) => f !== '.durable' && f !== 'data'),
    ).toEqual([]);
    expect(fs.existsSync('/etc/passwd.json')).toBe(false);
  });
});

describe('malformed settings', () => {
  it('in Azure, a secret in an app setting stops the app at start', async () => {
    const odre = await startFakeOdre();
    try {
      await expect(
        startHarness({
          env: { WEBSITE_INSTANCE_ID: 'ww-test', RTE_API_KEY: 'sk-not-here' },
          odreInstance: odre,
        }),
      ).rejects.toThrow(
        'RTE_API_KEY is set in the app settings: secrets belong in Key Vault only; remove the setting',
      );
      expect(odre.requests()).toEqual([]);
      expect(process.env.WEBSITE_INSTANCE_ID).toBeUndefined();
    } finally {
      await odre.close();
    }
  });

  it.each([
    ['INGESTION_PARALLELISM', 'abc', 'INGESTION_PARALLELISM must be a whole number from 1 to 32, got "abc"'],
    ['RTE_DATASETS', "eco2mix-regional-tr' or 1=1", 'RTE_DATASETS: unknown dataset'],
    ['RTE_API_BASE_URL', 'ftp://example.org', 'RTE_API_BASE_URL must be an absolute http(s) URL'],
    ['RTE_AUTH_MODE', 'password', 'RTE_AUTH_MODE must be none, apikey or oauth2'],
  ])('%s=%s stops the app at start, naming the setting; nothing runs', async (name, value, says) => {
    const lakeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ww-bad-settings-'));
    const odre = await startFakeOdre();
    try {
      await expect(
        startHarness({ env: { [name]: value, LOCAL_LAKE_DIR: lakeDir }, odreInstance: odre }),
      ).rejects.toThrow(says);
      expect(odre.requests()).toEqual([]);
      expect(walkAll(lakeDir)).toEqual([]);
      expect(process.env[name]).not.toBe(value);
    } finally {
      await odre.close();
    }
  });
});
