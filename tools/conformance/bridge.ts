/**
 * The Node side of the conformance host: a long-running process that loads the compiled app
 * through the embedded runtime's `@azure/functions-core` stand-in and invokes its registered
 * handlers for the .NET host (orchestrations, activities, entities) and for the suite (timer and
 * HTTP functions, given the durableClient data the real extension produced). Loopback HTTP, JSON.
 */
import * as http from 'node:http';
import * as path from 'node:path';
import { HttpRequest, HttpResponse } from '@azure/functions';
import { resetConfig } from '../../shared/config';
import { invokeFunction } from '../runtime/invoke';
import { loadApp } from '../runtime/loader';
import { consoleLogger } from '../runtime/logger';
import type { RegisteredFunction } from '../runtime/registry';
import { installShiftedDate, setNow } from './shiftedDate';

installShiftedDate();
const ROOT = path.resolve(__dirname, '../../..');
const logger = consoleLogger((process.env.CONFORMANCE_BRIDGE_LOG as 'information' | undefined) ?? 'warning');
const { registry } = loadApp({ rootDir: ROOT, loadSettings: false });

interface InvokeRequest {
  input?: unknown;
  durableClient?: unknown;
  http?: { method: string; url: string; body?: string; params?: Record<string, string> };
}

interface ResetRequest {
  env: Record<string, string>;
  now: number;
}

const KIND_TRIGGER: Record<string, string> = {
  orchestration: 'orchestrationtrigger',
  activity: 'activitytrigger',
  entity: 'entitytrigger',
};

function lookup(kind: string, name: string): RegisteredFunction {
  const fn = registry.get(name);
  const wanted = KIND_TRIGGER[kind];
  if (!fn || (wanted !== undefined && fn.triggerType.toLowerCase() !== wanted))
    throw new Error(`no ${kind} function named ${name}`);
  return fn;
}

async function httpResult(result: unknown): Promise<{ status: number; body: string }> {
  const response = result instanceof HttpResponse ? result : new HttpResponse(result ?? undefined);
  return { status: response.status, body: await response.text() };
}

async function handle(kind: string, name: string, body: string): Promise<string> {
  if (kind === 'reset') {
    const req = JSON.parse(body) as ResetRequest;
    Object.assign(process.env, req.env);
    resetConfig();
    setNow(req.now);
    return '{}';
  }
  const fn = lookup(kind, name);
  if (kind === 'invoke') {
    const req = JSON.parse(body) as InvokeRequest;
    const input = req.http
      ? new HttpRequest({
          method: req.http.method,
          url: req.http.url,
          params: req.http.params ?? {},
          headers: { 'content-type': 'application/json' },
          body: req.http.body === undefined ? undefined : { string: req.http.body },
        })
      : req.input;
    const { result } = await invokeFunction(fn, input, { logger, durableClientData: req.durableClient });
    return JSON.stringify(req.http ? await httpResult(result) : (result ?? null));
  }
  const input = body === '' ? undefined : (JSON.parse(body) as unknown);
  const { result } = await invokeFunction(fn, input, { logger });
  return result === undefined ? '' : JSON.stringify(result);
}

const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const [, kind = '', name = ''] = (req.url ?? '').split('/').map(decodeURIComponent);
    handle(kind, name, Buffer.concat(chunks).toString('utf8')).then(
      (text) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(text);
      },
      (err: unknown) => {
        const e = err instanceof Error ? err : new Error(String(err));
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ message: e.message, stack: e.stack ?? '' }));
      },
    );
  });
});

server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  if (address && typeof address === 'object') process.stdout.write(`CONFORMANCE-BRIDGE ${address.port}\n`);
});
process.stdin.on('end', () => server.close(() => process.exit(0)));
process.stdin.resume();
