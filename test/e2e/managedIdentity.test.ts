/**
 * "Managed identity everywhere", end to end: the compiled CLI runs the real app in a child process
 * with production wiring (`shared/clients.ts`, unchanged): `DefaultAzureCredential` finds the App
 * Service managed identity endpoint (`IDENTITY_ENDPOINT` / `IDENTITY_HEADER`, a local stand-in) and
 * gets bearer tokens for the ADLS Gen2 DFS stand-in and for Key Vault; the ODRE API key lives only in
 * the Key Vault stand-in.
 *
 * Key Vault: the SDK's challenge policy (resource verification on) only sends a token to a host
 * ending in `.vault.azure.net`. The child therefore gets a real-looking vault URL
 * (`https://ww-e2e.vault.azure.net`) and reaches it through `HTTPS_PROXY`, a CONNECT proxy in this
 * test that accepts only that host, terminates TLS with a certificate made here for it, and
 * forwards to the Key Vault stand-in. No production option is involved.
 *
 * The child trusts the stand-ins' self-signed certificates through `NODE_EXTRA_CA_CERTS`, which
 * Node reads at start: that is why a child process. Needs dist/ (`npx tsc -p tsconfig.build.json`).
 */
import { SUITE_MIDNIGHT } from '../setup/epoch';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { TaskHubStore } from '../../tools/runtime/durable/store';
import { EventType, type HistoryEvent, type InstanceRecord } from '../../tools/runtime/durable/types';
import type { DatasetId } from '../../shared/constants';
import { finalPath, heartbeatPath } from '../../shared/paths';
import { makeCertificate, selfSignedCertificate } from '../../tools/net/certificate';
import { startFakeDfs, type FakeDfs } from '../../tools/standins/dfs/server';
import {
  startFakeIdentity,
  STORAGE_RESOURCE,
  VAULT_RESOURCE,
  type FakeIdentity,
} from '../../tools/standins/identity/server';
import { startFakeKeyVault, type FakeKeyVault } from '../../tools/standins/keyvault/server';
import { startFakeOdre, type FakeOdre } from '../../tools/standins/odre/server';
import { assertBuilt, CLI } from './cli';
import { ROOT } from './harness';
import { iso } from '../../shared/time';

const DAY_MS = 86_400_000;
const VAULT_HOST = 'ww-e2e.vault.azure.net';
const SECRET_NAME = 'rte-api-key';
const DATASETS: DatasetId[] = ['eco2mix-national-tr', 'eco2mix-regional-tr'];
const ROWS: Partial<Record<DatasetId, number>> = { 'eco2mix-national-tr': 96, 'eco2mix-regional-tr': 1152 };

interface VaultRoute {
  /** `http://127.0.0.1:PORT`: the value for HTTPS_PROXY. */
  proxyUrl: string;
  /** Every CONNECT target and plain proxy request the child sent. */
  connects: string[];
  refused: string[];
  close(): Promise<void>;
}

/**
 * An HTTP CONNECT proxy that tunnels only `VAULT_HOST:443`, terminates TLS there with `tls`, and
 * forwards each request to the Key Vault stand-in; anything else is refused, so nothing leaves
 * the machine.
 */
async function routeVault(vault: FakeKeyVault, tls: { key: string; cert: string }): Promise<VaultRoute> {
  const target = new URL(vault.url);
  const connects: string[] = [];
  const refused: string[] = [];
  const front = https.createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
    const up = https.request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: target.host },
        ca: vault.ca,
      },
      (upRes) => {
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        upRes.pipe(res);
      },
    );
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  const proxy = http.createServer((req, res) => {
    refused.push(`${req.method ?? ''} ${req.url ?? ''}`);
    res.writeHead(403).end();
  });
  proxy.on('connect', (req: http.IncomingMessage, socket: import('node:net').Socket, head: Buffer) => {
    const to = req.url ?? '';
    connects.push(to);
    if (to !== `${VAULT_HOST}:443`) {
      refused.push(`CONNECT ${to}`);
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    if (head.length > 0) socket.unshift(head);
    front.emit('connection', socket);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  return {
    proxyUrl: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
    connects,
    refused,
    close: async () => {
      proxy.closeAllConnections();
      front.closeAllConnections();
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
      await new Promise<void>((resolve) => front.close(() => resolve()));
    },
  };
}

/** This process's environment minus anything that would steer the credential chain or a proxy. */
function cleanEnv(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined) continue;
    if (/^(AZURE_|MSI_|IDENTITY_|IMDS_|WEBSITE_|NODE_EXTRA_CA_CERTS$|NODE_OPTIONS$)/i.test(k)) continue;
    if (/^(https?|all|no)_proxy$/i.test(k)) continue;
    out[k] = v;
  }
  return out;
}

interface Exit {
  code: number | null;
  out: string;
  err: string;
  ms: number;
  startedAt: number;
}

function runCli(args: string[], env: Record<string, string>): Promise<Exit> {
  assertBuilt();
  const startedAt = Date.now();
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: ROOT,
    env: { ...cleanEnv(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve) =>
    child.on('close', (code) => resolve({ code, out, err, ms: Date.now() - startedAt, startedAt })),
  );
}

function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name));
}

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

describe('managed identity end to end (compiled CLI, DFS + Key Vault + identity stand-ins)', () => {
  const apiKey = `ww-e2e-key-${randomBytes(12).toString('hex')}`;
  let odre: FakeOdre;
  let identity: FakeIdentity;
  let vault: FakeKeyVault;
  let route: VaultRoute;
  let dfs: FakeDfs | undefined;
  let base: string;
  let caFile: string;
  // the child process runs on the real clock: so do the stand-ins it talks to; the window is fixed
  jest.useRealTimers();
  const to = SUITE_MIDNIGHT - DAY_MS;
  const from = to - DAY_MS;

  beforeAll(async () => {
    base = fs.mkdtempSync(path.join(os.tmpdir(), 'ww-e2e-mi-'));
    const vaultTls = makeCertificate(VAULT_HOST, [`DNS:${VAULT_HOST}`]);
    caFile = path.join(base, 'standins-ca.pem');
    fs.writeFileSync(caFile, `${selfSignedCertificate().cert}\n${vaultTls.cert}\n`);
    odre = await startFakeOdre({ requireAuth: { apiKey } });
    identity = await startFakeIdentity();
    vault = await startFakeKeyVault({ secrets: { [SECRET_NAME]: apiKey } });
    route = await routeVault(vault, vaultTls);
  });
  afterEach(async () => {
    await dfs?.close();
    dfs = undefined;
  });
  afterAll(async () => {
    await route?.close();
    await vault?.close();
    await identity?.close();
    await odre?.close();
  });

  /** Runs one ingestion through the CLI and returns its exit, instance record and folders. */
  async function ingest(name: string, extraArgs: string[] = [], prepare?: (d: FakeDfs) => void) {
    dfs = await startFakeDfs({ filesystems: ['bronze'] });
    prepare?.(dfs);
    const durableDir = path.join(base, name, '.durable');
    const localLake = path.join(base, name, 'local-lake');
    const exit = await runCli(
      ['ingest', '--from', iso(from), '--to', iso(to), '--durable-dir', durableDir, ...extraArgs],
      {
        STORAGE_ACCOUNT_NAME: 'devstoreaccount1',
        LAKE_DFS_ENDPOINT: dfs.accountUrl,
        RTE_API_BASE_URL: odre.url,
        RTE_AUTH_MODE: 'apikey',
        RTE_REQUEST_TIMEOUT_MS: '5000',
        KEY_VAULT_URL: `https://${VAULT_HOST}`,
        ...identity.env(),
        NODE_EXTRA_CA_CERTS: caFile,
        HTTPS_PROXY: route.proxyUrl,
        https_proxy: route.proxyUrl,
        NO_PROXY: '127.0.0.1,localhost',
        no_proxy: '127.0.0.1,localhost',
        // were the app to fall back to local storage or a local secrets file, these would show it
        LOCAL_LAKE_DIR: localLake,
        LOCAL_SECRETS_FILE: path.join(base, name, 'no.secrets.json'),
      },
    );
    const instanceId = /started (\S+)/.exec(exit.out)?.[1];
    const store = new TaskHubStore(durableDir, 'WattWatcherHub');
    const rec = instanceId
      ? (JSON.parse(fs.readFileSync(store.instanceFile(instanceId), 'utf8')) as InstanceRecord)
      : undefined;
    return { exit, instanceId, rec, durableDir, localLake, dfs };
  }

  /** Names of completed / failed activities in a history, in order. */
  function activities(rec: InstanceRecord): { completed: string[]; failed: string[] } {
    const names = new Map<number, string>(
      rec.history
        .filter((e: HistoryEvent) => e.EventType === EventType.TaskScheduled)
        .map((e: HistoryEvent) => [e.EventId, e.Name ?? '']),
    );
    const of = (t: EventType): string[] =>
      rec.history.filter((e) => e.EventType === t).map((e) => names.get(e.TaskScheduledId ?? -1) ?? '?');
    return { completed: of(EventType.TaskCompleted), failed: of(EventType.TaskFailed) };
  }

  /** The lake holds exactly the final files and one heartbeat, byte-equal to what ODRE served. */
  function expectLake(
    d: FakeDfs,
    rec: InstanceRecord,
    instanceId: string,
    datasets: DatasetId[],
  ): Map<string, Buffer> {
    const { slot, runTag } = JSON.parse(rec.input!) as { slot: string; runTag: string };
    const slotMs = Date.parse(slot);
    const finals = datasets.map((ds) => `bronze/${finalPath(slotMs, ds, from, false, runTag)}`);
    const hb = `bronze/${heartbeatPath(slotMs, runTag)}`;
    const files = d.files();
    expect([...files.keys()].sort()).toEqual([...finals, hb].sort());
    const served = new Set(odre.requests().map((r) => r.sha256));
    const bodies = new Map<string, Buffer>();
    datasets.forEach((ds, i) => {
      const f = files.get(finals[i]!)!;
      const sha = sha256(f.body);
      expect(f.contentType).toBe('application/json');
      expect(f.metadata).toMatchObject({
        sha256: sha,
        instance_id: instanceId,
        dataset: ds,
        record_count: String(ROWS[ds]),
      });
      expect(served.has(sha)).toBe(true);
      expect(JSON.parse(f.body.toString('utf8'))).toHaveLength(ROWS[ds] ?? -1);
      bodies.set(finals[i]!, f.body);
    });
    const heartbeat = files.get(hb)!;
    expect(heartbeat.contentType).toBe('application/json');
    const beat = JSON.parse(heartbeat.body.toString('utf8'));
    expect([beat.job_id, beat.status, beat.files.length, beat.error_details]).toEqual([
      instanceId,
      'success',
      datasets.length,
      [],
    ]);
    // nothing left in staging (the run's staging folder is gone) or half-written
    expect(d.directories().filter((p) => p.startsWith('bronze/_staging/ingestion/'))).toEqual([]);
    expect([...files.keys()].filter((p) => p.startsWith('bronze/_staging/'))).toEqual([]);
    expect([...files.keys()].filter((p) => path.basename(p).startsWith('.tmp-'))).toEqual([]);
    // every DFS call carried a bearer token
    const reqs = d.requests();
    expect(reqs.length).toBeGreaterThan(0);
    expect(reqs.filter((r) => r.auth !== 'bearer')).toEqual([]);
    return bodies;
  }

  /** No secret (API key, identity header, any issued token) in output or the durable store. */
  function expectNoLeak(exit: Exit, durableDir: string): void {
    const secrets = [apiKey, identity.header, ...identity.issued().map((t) => t.token)];
    const texts = [exit.out, exit.err, ...filesUnder(durableDir).map((f) => fs.readFileSync(f, 'utf8'))];
    for (const s of secrets) for (const t of texts) expect(t.includes(s)).toBe(false);
  }

  it('lands every file through ADLS with tokens from the managed identity and the key from Key Vault', async () => {
    const identityBefore = identity.requests().length;
    const readsBefore = vault.secretReads().length;
    const vaultBefore = vault.requests().length;
    const odreBefore = odre.requests().length;
    const connectsBefore = route.connects.length;
    const { exit, instanceId, rec, durableDir, localLake, dfs: d } = await ingest('happy');

    expect({ code: exit.code, err: exit.err }).toEqual({ code: 0, err: '' });
    expect(rec?.status).toBe('Completed');
    const summary = JSON.parse(exit.out.trim().split('\n').pop()!);
    expect([summary.status, summary.files, summary.records, summary.failures]).toEqual([
      'succeeded',
      2,
      96 + 1152,
      [],
    ]);
    expectLake(d, rec!, instanceId!, DATASETS);

    // the identity endpoint issued one token per resource for the whole run (the SDKs cache them)
    const idReqs = identity.requests().slice(identityBefore);
    expect(idReqs.map((r) => [r.resource, r.headerOk, r.status]).sort()).toEqual([
      [STORAGE_RESOURCE, true, 200],
      [VAULT_RESOURCE, true, 200],
    ]);
    // Key Vault: one challenge round-trip, then one authenticated read of the secret
    const kv = vault.requests().slice(vaultBefore);
    expect(kv.map((r) => [r.path, r.bearer, r.status])).toEqual([
      [`/secrets/${SECRET_NAME}/`, false, 401],
      [`/secrets/${SECRET_NAME}/`, true, 200],
    ]);
    expect(vault.secretReads().length - readsBefore).toBe(1);
    // the vault was reached by its real-looking name only (a tunnel per request at most)
    const tunnels = route.connects.slice(connectsBefore);
    expect(new Set(tunnels)).toEqual(new Set([`${VAULT_HOST}:443`]));
    expect(tunnels.length).toBeLessThanOrEqual(kv.length);
    expect(route.refused).toEqual([]);
    // ODRE got the vault's key on each of its two exports (a wrong key would be 401)
    const served = odre.requests().slice(odreBefore);
    const exported = served.filter((r) => r.endpoint === 'exports');
    expect(exported.map((r) => [r.endpoint, r.status, r.hasAuthorization])).toEqual([
      ['exports', 200, true],
      ['exports', 200, true],
    ]);
    // and on the coverage request the backfill sends first for each dataset
    const coverage = served.filter((r) => r.endpoint !== 'exports');
    expect(
      coverage.map((r) => [r.endpoint, r.dataset, r.query.group_by, r.status, r.hasAuthorization]).sort(),
    ).toEqual([
      ['records', 'eco2mix-national-tr', 'nature', 200, true],
      ['records', 'eco2mix-regional-tr', 'nature', 200, true],
    ]);
    // nothing fell back to local storage
    expect(fs.existsSync(localLake)).toBe(false);
    expectNoLeak(exit, durableDir);

    const firstToken = Math.min(...idReqs.map((r) => r.at)) - exit.startedAt;
    console.log(
      `managed identity e2e: CLI ${exit.ms} ms, first token request ${firstToken} ms after spawn, ` +
        `${d.requests().length} DFS calls, ${kv.length} vault calls, ${idReqs.length} token requests`,
    );
  });

  it('a lake write failing 4 times (503) is retried by the durable policy; one copy of each file', async () => {
    // One dataset, one day: the lake calls are serial, so the faults hit a known write: the
    // fetch activity's first write (its attempt counter). The storage SDK retries 503 itself
    // (4 tries, 0 + 4 + 12 s apart), so 4 faults exhaust one activity attempt exactly.
    const odreBefore = odre.requests().length;
    const national: DatasetId = 'eco2mix-national-tr';
    const {
      exit,
      instanceId,
      rec,
      durableDir,
      dfs: d,
    } = await ingest('retry', ['--dataset', national, '--fast-timers'], (fresh) =>
      fresh.failNext('rename', 4, 503),
    );

    expect({ code: exit.code, err: exit.err }).toEqual({ code: 0, err: '' });
    const summary = JSON.parse(exit.out.trim().split('\n').pop()!);
    expect([summary.status, summary.files, summary.records, summary.failures]).toEqual([
      'succeeded',
      1,
      96,
      [],
    ]);
    const renames = d.requests().filter((r) => r.method === 'PUT' && r.headers['x-ms-rename-source']);
    expect(renames.slice(0, 5).map((r) => r.status)).toEqual([503, 503, 503, 503, 201]);
    expect(renames.filter((r) => r.status === 503)).toHaveLength(4);
    const { completed, failed } = activities(rec!);
    expect(failed).toEqual(['fetchSlice']);
    expect(completed).toEqual(['fetchSlice', 'storeSlice', 'auditRun']);
    // the retried attempt fetched again; the file holds the second answer, once
    const all = odre.requests().slice(odreBefore);
    // one coverage request for the one dataset, then the exports
    expect(
      all
        .filter((r) => r.endpoint !== 'exports')
        .map((r) => [r.endpoint, r.dataset, r.status, r.hasAuthorization]),
    ).toEqual([['records', national, 200, true]]);
    const served = all.filter((r) => r.endpoint === 'exports');
    expect(served.map((r) => [r.endpoint, r.status])).toEqual([
      ['exports', 200],
      ['exports', 200],
    ]);
    const bodies = expectLake(d, rec!, instanceId!, [national]);
    expect(sha256([...bodies.values()][0]!)).toBe(served[1]!.sha256);
    expectNoLeak(exit, durableDir);
    console.log(`managed identity e2e (lake 503 x4): CLI ${exit.ms} ms`);
  });
});
