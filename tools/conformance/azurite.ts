/**
 * Azurite (Microsoft's storage emulator, npm `azurite`) on free loopback ports with its data in a
 * temp folder, an account key made up for this run (AZURITE_ACCOUNTS), and the connection string
 * that names those ports (UseDevelopmentStorage=true would mean the fixed ports 10000-10002).
 */
import { createHmac, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { freePort, startChild, type Child } from './processes';

export const ACCOUNT = 'devstoreaccount1';

export interface Azurite {
  connectionString: string;
  dataDir: string;
  tableUrl: string;
  /** Every entity of a table matching an OData filter (Table service, SharedKeyLite). */
  queryTable(table: string, filter: string): Promise<Record<string, unknown>[]>;
  stop(): Promise<void>;
}

/** Data goes to `dataDir` when given (and stays), else to a temp folder removed by stop(). */
export async function startAzurite(rootDir: string, dataDir?: string): Promise<Azurite> {
  const dir = dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'ww-azurite-'));
  const [blob, queue, table] = [await freePort(), await freePort(), await freePort()];
  const key = randomBytes(64).toString('base64');
  const bin = path.join(rootDir, 'node_modules/azurite/dist/src/azurite.js');
  const { child } = await startChild(
    process.execPath,
    [
      bin,
      '--location',
      dir,
      '--blobPort',
      String(blob),
      '--queuePort',
      String(queue),
      '--tablePort',
      String(table),
      '--skipApiVersionCheck',
      '--disableTelemetry',
    ],
    {
      env: { ...process.env, AZURITE_ACCOUNTS: `${ACCOUNT}:${key}` },
      cwd: dir,
      marker: 'Azurite Table service is successfully listening',
      timeoutMs: 60_000,
    },
  );
  const base = (port: number): string => `http://127.0.0.1:${port}/${ACCOUNT}`;
  const connectionString = [
    'DefaultEndpointsProtocol=http',
    `AccountName=${ACCOUNT}`,
    `AccountKey=${key}`,
    `BlobEndpoint=${base(blob)}`,
    `QueueEndpoint=${base(queue)}`,
    `TableEndpoint=${base(table)}`,
  ].join(';');
  return {
    connectionString,
    dataDir: dir,
    tableUrl: base(table),
    queryTable: (name, filter) => queryTable(child, base(table), key, name, filter),
    stop: async () => {
      await child.stop();
      // a folder the caller named is kept (--keep: the task hub stays browsable)
      if (!dataDir) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function queryTable(
  _child: Child,
  baseUrl: string,
  key: string,
  table: string,
  filter: string,
): Promise<Record<string, unknown>[]> {
  const rows: Record<string, unknown>[] = [];
  let next = '';
  do {
    const resource = `${table}()`;
    const date = new Date().toUTCString();
    const signature = createHmac('sha256', Buffer.from(key, 'base64'))
      .update(`${date}\n/${ACCOUNT}/${ACCOUNT}/${resource}`)
      .digest('base64');
    const res = await fetch(`${baseUrl}/${resource}?$filter=${encodeURIComponent(filter)}${next}`, {
      headers: {
        'x-ms-date': date,
        'x-ms-version': '2019-02-02',
        accept: 'application/json;odata=nometadata',
        authorization: `SharedKeyLite ${ACCOUNT}:${signature}`,
      },
    });
    if (res.status === 404) return rows;
    if (!res.ok) throw new Error(`table query ${table} answered ${res.status}: ${await res.text()}`);
    const body = (await res.json()) as { value: Record<string, unknown>[] };
    rows.push(...body.value);
    const pk = res.headers.get('x-ms-continuation-nextpartitionkey');
    const rk = res.headers.get('x-ms-continuation-nextrowkey');
    next = pk
      ? `&NextPartitionKey=${encodeURIComponent(pk)}${rk ? `&NextRowKey=${encodeURIComponent(rk)}` : ''}`
      : '';
  } while (next);
  return rows;
}
