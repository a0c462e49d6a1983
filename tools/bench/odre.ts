/**
 * The ODRE stand-in, in its own process (default) or in this one: the real API is remote, so its
 * own work (generating and streaming the exports) does not compete with the app for the event loop.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startFakeOdre, type RequestLogEntry } from '../standins/odre/server';
import { DAY_MS, ODRE_IN_PROCESS, ROOT } from './settings';
export interface Odre {
  url: string;
  requests(): Promise<RequestLogEntry[]>;
  peakConcurrency(): Promise<number>;
  close(): Promise<void>;
}

export async function startOdre(tmp: string, latencyMs: number): Promise<Odre> {
  if (ODRE_IN_PROCESS) {
    const odre = await startFakeOdre({ latencyMs });
    return {
      url: odre.url,
      requests: () => Promise.resolve(odre.requests()),
      peakConcurrency: () => Promise.resolve(odre.peakConcurrency()),
      close: () => odre.close(),
    };
  }
  const script = path.join(tmp, 'odre-process.js');
  fs.writeFileSync(
    script,
    [
      "'use strict';",
      `const { startFakeOdre } = require(${JSON.stringify(path.join(ROOT, 'dist', 'tools', 'standins', 'odre', 'server.js'))});`,
      'startFakeOdre({ latencyMs: Number(process.argv[2]) }).then((odre) => {',
      '  process.stdout.write(`ODRE ${odre.url}\\n`);',
      '  process.stdin.resume();',
      "  process.stdin.on('end', () => void odre.close().then(() => process.exit(0)));",
      '});',
      '',
    ].join('\n'),
  );
  const child = spawn(process.execPath, [script, String(latencyMs)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    let text = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      text += chunk;
      const m = /^ODRE (\S+)$/m.exec(text);
      if (m?.[1]) resolve(m[1]);
    });
    child.on('error', reject);
    void exited.then(() => reject(new Error('the ODRE stand-in process exited before listening')));
  });
  // Warm the fresh process up (JIT) with both datasets' exports, then forget those requests.
  const day = Math.floor(Date.now() / DAY_MS) * DAY_MS - 2 * DAY_MS;
  const where = `date_heure >= date'${new Date(day).toISOString()}' and date_heure < date'${new Date(day + DAY_MS).toISOString()}'`;
  for (let i = 0; i < 3; i++) {
    for (const dataset of ['eco2mix-regional-tr', 'eco2mix-national-tr']) {
      const res = await fetch(
        `${url}/api/explore/v2.1/catalog/datasets/${dataset}/exports/json?where=${encodeURIComponent(where)}`,
      );
      await res.arrayBuffer();
    }
  }
  await (await fetch(`${url}/__control/requests`, { method: 'DELETE' })).arrayBuffer();
  const log = async (): Promise<{ requests: RequestLogEntry[]; peakConcurrency: number }> => {
    const res = await fetch(`${url}/__control/requests`);
    return (await res.json()) as { requests: RequestLogEntry[]; peakConcurrency: number };
  };
  return {
    url,
    requests: async () => (await log()).requests,
    peakConcurrency: async () => (await log()).peakConcurrency,
    close: async () => {
      child.stdin.end();
      await exited;
    },
  };
}
