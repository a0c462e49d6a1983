/**
 * The fault matrix: every row runs the real app in the embedded runtime (virtual clock, so the
 * durable retry back-offs cost no real time) against the ODRE stand-in with one injected fault,
 * then checks what the stand-in saw, the run's status, its heartbeat, the durable history and
 * the lake; finally the fault is cleared and the same window is run again: every quarter lands.
 */
import { SUITE_EPOCH } from '../setup/epoch';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EventType, type InstanceRecord } from '../../tools/runtime/durable/types';
import { startFakeKeyVault } from '../../tools/standins/keyvault/server';
import type { FaultRule } from '../../tools/standins/odre/server';
import { startHarness, type Harness } from '../e2e/harness';
import {
  activityCounts,
  countEvents,
  duplicateRows,
  inspectLake,
  missingQuarters,
  NATIONAL,
  pastWindow,
  REGIONAL,
  virtualSpanMs,
} from './support';

type Status = 'succeeded' | 'partial' | 'failed' | 'deferred';

interface Expected {
  /** Export requests the stand-in saw for the regional (faulted) dataset. */
  regional: number;
  /** Export requests for the national dataset (1 unless the fault hits both). */
  national?: number;
  /** fetchSlice TaskScheduled / TaskFailed for the regional slice. */
  fetchScheduled: number;
  fetchFailed: number;
  /** Every TimerCreated in the history (retry back-offs and the zero-length one after each final attempt). */
  timers: number;
  status: Status;
  durable: 'Completed' | 'Failed';
  /** error_details of the heartbeat (one entry per failed slice). */
  errors: { code: string; http_status: number | null; retryable: boolean; attempts: number }[];
  /** A substring of the (first) error message. */
  message?: string;
  /** deferred_slices of the heartbeat: how many, and a substring each contains. */
  deferredSlices?: { count: number; contains: string };
}

interface MatrixRow {
  name: string;
  /** `keyvault-down`: the vault's port is closed; `keyvault-tls`: it answers, but over TLS the app does not trust. */
  fault: FaultRule | 'storage' | 'keyvault-down' | 'keyvault-tls';
  expect: Expected;
}

const ok = { status: 'succeeded' as const, durable: 'Completed' as const, errors: [] };

const retryable = (
  name: string,
  kind: FaultRule['kind'],
  code: string,
  httpStatus: number | null,
  perAttempt: number,
  extra: Partial<FaultRule> = {},
  message?: string,
): MatrixRow[] => [
  {
    name: `${name}, once`,
    fault: { kind, times: 1, ...extra },
    // A dropped connection is retried by the transport inside the same attempt.
    expect:
      perAttempt > 1
        ? { regional: 2, fetchScheduled: 1, fetchFailed: 0, timers: 0, ...ok }
        : { regional: 2, fetchScheduled: 2, fetchFailed: 1, timers: 1, ...ok },
  },
  {
    name: `${name}, forever`,
    fault: { kind, times: 'forever', ...extra },
    expect: {
      regional: 4 * perAttempt,
      fetchScheduled: 4,
      fetchFailed: 4,
      timers: 4,
      status: 'partial',
      durable: 'Completed',
      errors: [{ code, http_status: httpStatus, retryable: true, attempts: 4 }],
      ...(message ? { message } : {}),
    },
  },
];

const refused = (
  name: string,
  kind: FaultRule['kind'],
  code: string,
  httpStatus: number | null,
): MatrixRow => ({
  name,
  fault: { kind, times: 'forever' },
  expect: {
    regional: 1,
    fetchScheduled: 1,
    fetchFailed: 0,
    timers: 0,
    status: 'partial',
    durable: 'Completed',
    errors: [{ code, http_status: httpStatus, retryable: false, attempts: 1 }],
  },
});

/**
 * A 429 whose body carries reset_time (the stand-in always sends the quota body) defers the
 * slice: no retry, no failure; the slices still to fetch wait for a later run, the run is 'deferred'.
 */
const quotaDeferred = (name: string, fault: FaultRule): MatrixRow => ({
  name,
  fault,
  expect: {
    regional: 1,
    fetchScheduled: 1,
    fetchFailed: 0,
    timers: 0,
    status: 'deferred',
    durable: 'Completed',
    errors: [],
    deferredSlices: { count: 1, contains: 'regional-' },
  },
});

const ROWS: MatrixRow[] = [
  quotaDeferred('429 quota body + X-RateLimit headers, once', { kind: 429, times: 1 }),
  quotaDeferred('429 quota body + X-RateLimit headers, forever', { kind: 429, times: 'forever' }),
  // the reset_time of the body wins over Retry-After: deferred, not retried after 60 s
  quotaDeferred('429 with Retry-After: 60, once', { kind: 429, times: 1, retryAfter: 60 }),
  quotaDeferred('429 with Retry-After: 60, forever', { kind: 429, times: 'forever', retryAfter: 60 }),
  ...retryable('500', 500, 'RTE_HTTP_500', 500, 1),
  ...retryable('502 (HTML)', 502, 'RTE_HTTP_502', 502, 1, {}, 'Bad Gateway'),
  ...retryable('503 (HTML)', 503, 'RTE_HTTP_503', 503, 1),
  ...retryable('504 (HTML)', 504, 'RTE_HTTP_504', 504, 1),
  ...retryable('timeout (300 ms)', 'timeout', 'RTE_TIMEOUT', null, 1, {}, 'timed out after 300 ms'),
  ...retryable('dropped connection', 'drop', 'RTE_NETWORK', null, 3, {}, 'ECONNRESET'),
  ...retryable('truncated body', 'truncate', 'RTE_BAD_BODY', 200, 1, {}, 'invalid JSON'),
  ...retryable('malformed JSON', 'malformed', 'RTE_BAD_BODY', 200, 1, {}, 'invalid JSON'),
  ...retryable('HTML page with status 200', 'html', 'RTE_BAD_BODY', 200, 1, {}, 'an HTML page'),
  refused('empty array', 'empty', 'EMPTY_RESPONSE', 200),
  refused('400', 400, 'RTE_HTTP_400', 400),
  refused('401', 401, 'RTE_HTTP_401', 401),
  refused('403', 403, 'RTE_HTTP_403', 403),
  refused('404', 404, 'RTE_HTTP_404', 404),
  {
    name: '503 forever on both datasets',
    fault: { kind: 503, times: 'forever', dataset: '*' },
    expect: {
      regional: 4,
      national: 4,
      fetchScheduled: 4,
      fetchFailed: 4,
      timers: 4 + 4,
      status: 'failed',
      durable: 'Failed',
      errors: [
        { code: 'RTE_HTTP_503', http_status: 503, retryable: true, attempts: 4 },
        { code: 'RTE_HTTP_503', http_status: 503, retryable: true, attempts: 4 },
      ],
    },
  },
  {
    name: 'lake write failure (a file where the year partition directory must be)',
    fault: 'storage',
    expect: {
      regional: 1,
      national: 1,
      fetchScheduled: 1,
      fetchFailed: 0,
      timers: 4 + 4,
      status: 'failed',
      durable: 'Failed',
      errors: [
        { code: 'LAKE_WRITE_FAILED', http_status: null, retryable: true, attempts: 4 },
        { code: 'LAKE_WRITE_FAILED', http_status: null, retryable: true, attempts: 4 },
      ],
      message: 'ENOTDIR',
    },
  },
  ...(['keyvault-tls', 'keyvault-down'] as const).map((fault): MatrixRow => ({
    name:
      fault === 'keyvault-down'
        ? 'Key Vault unreachable: closed port (apikey mode)'
        : 'Key Vault unreachable: TLS not trusted (apikey mode)',
    fault,
    expect: {
      regional: 0,
      national: 0,
      fetchScheduled: 4,
      fetchFailed: 4,
      timers: 4 + 4,
      status: 'failed',
      durable: 'Failed',
      errors: [
        { code: 'SECRET_UNAVAILABLE', http_status: null, retryable: true, attempts: 4 },
        { code: 'SECRET_UNAVAILABLE', http_status: null, retryable: true, attempts: 4 },
      ],
      message: fault === 'keyvault-down' ? 'ECONNREFUSED' : 'could not be read',
    },
  })),
];

const HB_STATUS: Record<Status, string> = {
  succeeded: 'success',
  partial: 'partial',
  failed: 'failure',
  deferred: 'deferred',
};

/** One line per row, printed at the end (figures for docs/RELIABILITY.md). */
const figures: string[] = [];

async function runWindow(
  h: Harness,
  window: { from: string; to: string },
): Promise<{ id: string; rec: InstanceRecord }> {
  const res = await h.startRun(window);
  expect(res.status).toBe(202);
  const id = String(res.body.id);
  return { id, rec: await h.wait(id) };
}

function exports(h: Harness, dataset: string): number {
  return h.odre.requests().filter((r) => r.endpoint === 'exports' && r.dataset === dataset).length;
}

describe('fault matrix (real app, embedded runtime, virtual clock)', () => {
  afterAll(() => {
    console.log(`fault matrix figures\n${figures.join('\n')}`);
  });

  it.each(ROWS.map((r) => [r.name, r] as const))(
    '%s',
    async (_name, row) => {
      const window = pastWindow(3);
      const env: Record<string, string> = { RTE_REQUEST_TIMEOUT_MS: '300' };
      let kv: Awaited<ReturnType<typeof startFakeKeyVault>> | undefined;
      const keyVault = row.fault === 'keyvault-down' || row.fault === 'keyvault-tls';
      if (keyVault) {
        kv = await startFakeKeyVault({ secrets: { 'rte-api-key': 'unused' } });
        if (row.fault === 'keyvault-down') await kv.goUnreachable();
        Object.assign(env, { RTE_AUTH_MODE: 'apikey', KEY_VAULT_URL: kv.url });
      }
      const h = await startHarness({ env });
      let blocker: string | undefined;
      let stopped = false;
      try {
        if (row.fault === 'storage') {
          blocker = path.join(
            h.lakeDir,
            'bronze',
            'rte',
            'production',
            String(new Date(SUITE_EPOCH).getUTCFullYear()),
          );
          fs.mkdirSync(path.dirname(blocker), { recursive: true });
          fs.writeFileSync(blocker, 'not a directory');
        } else if (typeof row.fault === 'object') {
          // the fault targets the exports: the coverage request (endpoint 'records') that a manual
          // run sends first per dataset must not consume it
          const { dataset, ...rest } = row.fault;
          const rule: FaultRule = { endpoint: 'exports', ...rest };
          h.odre.addFault(dataset === '*' ? rule : { ...rule, dataset: dataset ?? REGIONAL });
        }
        const started = Date.now();
        const { id, rec } = await runWindow(h, window);
        const realMs = Date.now() - started;
        const x = row.expect;

        // what the stand-in saw
        expect([exports(h, REGIONAL), exports(h, NATIONAL)]).toEqual([x.regional, x.national ?? 1]);

        // run status
        expect(rec.status).toBe(x.durable);
        const auditFiles = h.files('audit');
        expect(auditFiles).toHaveLength(1);
        const hb = JSON.parse(h.read(auditFiles[0]!).toString()) as {
          job_id: string;
          status: string;
          api_requests: number;
          files: unknown[];
          error_details: Record<string, unknown>[];
          deferred_slices: string[];
        };
        expect(hb.job_id).toBe(id);
        expect(hb.status).toBe(HB_STATUS[x.status]);
        if (x.durable === 'Completed') expect(JSON.parse(rec.output!).status).toBe(x.status);
        else expect(rec.output).toContain('Ingestion failed');
        expect(hb.api_requests).toBe(x.regional + (x.national ?? 1));

        // heartbeat error_details
        const details = hb.error_details.map((d) => ({
          code: d.code,
          http_status: d.http_status,
          retryable: d.retryable,
          attempts: d.attempts,
        }));
        expect(details).toEqual(x.errors);
        if (x.message) expect(String(hb.error_details[0]?.message)).toContain(x.message);
        if (x.deferredSlices) {
          expect(hb.deferred_slices).toHaveLength(x.deferredSlices.count);
          for (const k of hb.deferred_slices) expect(k).toContain(x.deferredSlices.contains);
        } else expect(hb.deferred_slices).toEqual([]);

        // durable history: the retries are visible
        const fetch = activityCounts(rec, 'fetchSlice', `"dataset":"${REGIONAL}"`);
        expect([fetch.scheduled, fetch.failed]).toEqual([x.fetchScheduled, x.fetchFailed]);
        expect(countEvents(rec, EventType.TimerCreated)).toBe(x.timers);
        if (row.fault === 'storage') {
          const store = activityCounts(rec, 'storeSlice');
          expect([store.scheduled, store.failed]).toEqual([8, 8]);
        }

        // the lake: no partial file under a final name, no temp files, no staging left, no duplicates
        const lake = inspectLake(
          h.lakeDir,
          blocker ? [path.relative(path.join(h.lakeDir, 'bronze'), blocker)] : [],
        );
        expect(lake.temp).toEqual([]);
        expect(lake.staging).toEqual([]);
        expect(lake.unreadable).toEqual([]);
        expect(lake.shaMismatch).toEqual([]);
        const landed =
          x.status === 'succeeded' ? 2 : x.status === 'partial' || x.status === 'deferred' ? 1 : 0;
        expect(lake.production).toHaveLength(landed);
        expect(duplicateRows(h.lakeDir, lake.production)).toEqual([]);
        expect(hb.files).toHaveLength(landed);
        figures.push(
          [
            row.name.padEnd(70),
            `requests ${x.regional}+${x.national ?? 1}`,
            `attempts ${fetch.scheduled}`,
            `${hb.status}/${rec.status}`,
            `virtual ${(virtualSpanMs(rec) / 1000).toFixed(1)} s`,
            `real ${realMs} ms`,
            x.errors[0]?.code ?? '-',
          ].join(' | '),
        );

        // clear the fault, run the same window again: nothing is lost
        h.odre.clearFaults();
        if (blocker) fs.rmSync(blocker);
        let again: Harness = h;
        if (keyVault) {
          // the vault stays down: a second host on the same lake without credentials stands for "fixed"
          await h.stop();
          stopped = true;
          again = await startHarness({ env: { LOCAL_LAKE_DIR: h.lakeDir } });
        }
        try {
          const second = await runWindow(again, window);
          expect(second.rec.status).toBe('Completed');
          expect(JSON.parse(second.rec.output!).status).toBe('succeeded');
          const after = inspectLake(h.lakeDir);
          expect(after.temp).toEqual([]);
          expect(after.staging).toEqual([]);
          expect(after.unreadable).toEqual([]);
          expect(missingQuarters(h.lakeDir, after.production, REGIONAL, window.from, window.to)).toEqual([]);
          expect(missingQuarters(h.lakeDir, after.production, NATIONAL, window.from, window.to)).toEqual([]);
          // the run names its own heartbeat: each manual run's files carry its tag
          const secondHb = JSON.parse(
            fs.readFileSync(
              path.join(h.lakeDir, 'bronze', JSON.parse(second.rec.output!).heartbeat as string),
              'utf8',
            ),
          ) as { job_id: string; files: { path: string }[] };
          expect(secondHb.job_id).toBe(second.id);
          const secondFiles = secondHb.files.map((f) => f.path);
          expect(secondFiles).toHaveLength(2);
          expect(duplicateRows(h.lakeDir, secondFiles)).toEqual([]);
        } finally {
          if (again !== h) await again.stop();
        }
      } finally {
        if (!stopped) await h.stop();
        await kv?.close();
      }
    },
    120_000,
  );
});
