import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { writeHeartbeat } from '../../shared/audit';
import { writeChunkDetail } from '../../shared/chunkDetail';
import { attemptsPath, chunkDetailPath } from '../../shared/paths';
import { createLocalLake } from '../../shared/lake/localLake';
import type { AuditInput } from '../../shared/types';

const ID = 'eco2mix-20261128T0615Z';
const input: AuditInput = {
  instanceId: ID,
  trigger: 'timer',
  slot: '2026-11-28T06:15:00Z',
  window: { from: '2026-11-28T03:15:00Z', to: '2026-11-28T06:15:00Z' },
  datasets: ['eco2mix-regional-tr', 'eco2mix-national-tr'],
  startedAt: '2026-11-28T06:15:01.000Z',
  finishedAt: '2026-11-28T06:15:09.500Z',
  status: 'partial',
  files: [
    {
      path: 'rte/production/2026/11/28/eco2mix_regional_20261128T061500Z.json',
      bytes: 900,
      sha256: 'ab',
      records: 144,
      written: true,
    },
  ],
  slices: [
    {
      key: 'regional-20261128T031500Z',
      dataset: 'eco2mix-regional-tr',
      window: { from: '2026-11-28T03:15:00Z', to: '2026-11-28T06:15:00Z' },
      attempts: 1,
      requests: 1,
      file: 'rte/production/2026/11/28/eco2mix_regional_20261128T061500Z.json',
      completeness: {
        expected: 144,
        received: 132,
        nullMeasures: 48,
        duplicateRows: 0,
        duplicateWarning: null,
        incomplete: [],
        missingQuarterCount: 1,
        missingQuarters: ['2026-11-28T06:00:00Z'],
        schemaWarnings: ['unexpected field "x"'],
        firstMissing: '2026-11-28T06:00:00Z',
      },
    },
    {
      key: 'national-20261128T031500Z',
      dataset: 'eco2mix-national-tr',
      window: { from: '2026-11-28T03:15:00Z', to: '2026-11-28T06:15:00Z' },
      attempts: 0,
      requests: 0,
      file: null,
      completeness: null,
    },
  ],
  failures: [
    {
      dataset: 'eco2mix-national-tr',
      window: { from: '2026-11-28T03:15:00Z', to: '2026-11-28T06:15:00Z' },
      http_status: 503,
      code: 'RTE_HTTP_503',
      message: 'GET x -> 503',
      retryable: true,
      attempts: 4,
    },
  ],
};

describe('audit activity logic', () => {
  it('writes one heartbeat per run, logs it, and clears staging', async () => {
    const lake = createLocalLake(mkdtempSync(path.join(tmpdir(), 'audit-')), 'bronze');
    await lake.write(
      `_staging/ingestion/${ID}/national-20261128T031500Z.attempts`,
      Buffer.from('{"attempts":4,"requests":6}'),
      {
        contentType: 'application/json',
        metadata: {},
      },
    );
    await lake.write(`_staging/ingestion/${ID}/national-20261128T031500Z.json`, Buffer.from('[]'), {
      contentType: 'application/json',
      metadata: {},
    });
    const lines: string[] = [];
    const out = await writeHeartbeat(lake, input, 'https://odre.opendatasoft.com', (l) => lines.push(l));
    expect(out).toEqual({
      heartbeat: 'audit/ingestion/2026/11/28/heartbeat_20261128T061500Z.json',
      requests: 7,
      requestsByDataset: { 'eco2mix-regional-tr': 1, 'eco2mix-national-tr': 6 },
    });
    const hb = JSON.parse((await lake.read(out.heartbeat))!.toString());
    expect(hb).toMatchObject({
      job_id: ID,
      timestamp: '2026-11-28T06:15:09.500Z',
      status: 'partial',
      source: 'rte-eco2mix https://odre.opendatasoft.com',
      trigger: 'timer',
      record_count: 144,
      attempts: { 'regional-20261128T031500Z': 1, 'national-20261128T031500Z': 4 },
      api_requests: 7,
      duration_ms: 8500,
      warnings: [
        'regional-20261128T031500Z: 1 quarter(s) incomplete',
        'regional-20261128T031500Z: schema drift: unexpected field "x"',
      ],
    });
    expect(hb.files).toEqual([{ path: input.files[0]!.path, bytes: 900, sha256: 'ab', records: 144 }]);
    expect(hb.error_details).toEqual([input.failures[0]]);
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!.replace(/^heartbeat /, ''))).toEqual(hb);
    expect(await lake.list('_staging')).toEqual([]);
  });

  it('overwrites the same heartbeat when re-executed', async () => {
    const lake = createLocalLake(mkdtempSync(path.join(tmpdir(), 'audit-')), 'bronze');
    await writeHeartbeat(lake, input, 'x', () => undefined);
    await writeHeartbeat(lake, { ...input, status: 'succeeded', failures: [] }, 'x', () => undefined);
    const files = await lake.list('audit');
    expect(files).toEqual(['audit/ingestion/2026/11/28/heartbeat_20261128T061500Z.json']);
    expect(JSON.parse((await lake.read(files[0]!))!.toString()).status).toBe('success');
  });
  it("takes a chunk's attempt counters in when the chunk ends; the audit reads the details only", async () => {
    const lake = createLocalLake(mkdtempSync(path.join(tmpdir(), 'audit-')), 'bronze');
    const retried = input.slices[1]!;
    const counter = { contentType: 'application/json', metadata: {} };
    await lake.write(attemptsPath(ID, retried.key), Buffer.from('{"attempts":3,"requests":5}'), counter);
    await writeChunkDetail(lake, {
      runId: ID,
      chunk: 'eco2mix-national-tr-0',
      slices: [retried],
      files: [],
      failures: input.failures,
    });
    const detail = JSON.parse((await lake.read(chunkDetailPath(ID, 'eco2mix-national-tr-0')))!.toString());
    expect(detail.slices[0]).toMatchObject({ key: retried.key, attempts: 3, requests: 5 });

    // A counter changed after the chunk ended is not read again: the detail is the record.
    await lake.write(attemptsPath(ID, retried.key), Buffer.from('{"attempts":9,"requests":9}'), counter);
    const chunked: AuditInput = { ...input, chunked: true, slices: [], files: [], failures: [] };
    const out = await writeHeartbeat(lake, chunked, 'x', () => undefined);
    const hb = JSON.parse((await lake.read(out.heartbeat))!.toString());
    expect(hb.attempts).toEqual({ [retried.key]: 3 });
    expect(hb.api_requests).toBe(5);
    expect(hb.error_details).toEqual([{ ...input.failures[0], attempts: 4 }]);
    expect(await lake.list('_staging')).toEqual([]);
  });
});
