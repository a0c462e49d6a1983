/** Sends a planned response: prebuffers an export during the latency, streams it with back-pressure, hashes what was sent. */
import { createHash, type Hash } from 'node:crypto';
import type * as http from 'node:http';
import { waitForDrain } from '../../net/server';
import type { Plan } from './plan';
import type { RequestLogEntry } from './types';

/** How much of an export is generated ahead, during the latency (bounded: exports can be huge). */
const PREBUFFER_BYTES = 8 * 1024 * 1024;

export async function send(
  res: http.ServerResponse,
  entry: RequestLogEntry,
  plan: Plan,
  truncate = false,
  untilDue: () => Promise<void> = () => Promise.resolve(),
): Promise<void> {
  const hash: Hash = createHash('sha256');
  // The server's own work happens inside the latency, as on a remote server: the first bytes
  // of an export are generated while the response is "in flight", then sent when it is due.
  const pieces = plan.pieces?.[Symbol.iterator]();
  const early: string[] = [];
  if (pieces && !truncate) {
    let size = 0;
    let sinceYield = 0;
    while (size < PREBUFFER_BYTES) {
      const next = pieces.next();
      if (next.done) break;
      early.push(next.value);
      size += next.value.length;
      sinceYield += next.value.length;
      // let concurrent requests in: they are all in flight together, as on a real server
      if (sinceYield >= 64 * 1024) {
        sinceYield = 0;
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    }
  }
  await untilDue();
  if (res.destroyed) return;
  let body: Buffer | null = null;
  if (plan.body !== undefined) body = Buffer.isBuffer(plan.body) ? plan.body : Buffer.from(plan.body);
  else if (truncate && plan.pieces) body = Buffer.from([...plan.pieces].join(''));
  if (body && truncate) body = body.subarray(0, Math.floor(body.length / 2));
  const headers: Record<string, string> = { ...plan.headers };
  if (body && !truncate) headers['Content-Length'] = String(body.length);
  entry.status = plan.status;
  res.writeHead(plan.status, headers);
  if (res.req.method === 'HEAD') {
    res.end();
    entry.sha256 = hash.digest('hex');
    return;
  }
  if (body) {
    hash.update(body);
    entry.bytes = body.length;
    res.end(body);
    entry.sha256 = hash.digest('hex');
    return;
  }
  let buffered = '';
  const flush = async (): Promise<void> => {
    const chunk = Buffer.from(buffered);
    buffered = '';
    hash.update(chunk);
    entry.bytes += chunk.length;
    if (!res.write(chunk)) await waitForDrain(res);
  };
  const rest: Iterable<string> = pieces ? { [Symbol.iterator]: () => pieces } : [];
  for (const piece of [...early, ...(truncate ? (plan.pieces ?? []) : rest)]) {
    if (res.destroyed) return;
    buffered += piece;
    if (buffered.length >= 256 * 1024) await flush();
  }
  if (res.destroyed) return;
  if (buffered) await flush();
  res.end();
  entry.sha256 = hash.digest('hex');
}
