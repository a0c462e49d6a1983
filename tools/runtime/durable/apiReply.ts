/** The durable HTTP API's replies: reading a request body, parsing JSON input, writing a reply. */
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > 16 * 1024 * 1024) throw new Error('body too large');
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function send(res: ServerResponse, reply: Reply): void {
  const headers: Record<string, string> = { ...(reply.headers ?? {}) };
  let payload = '';
  if (reply.body !== undefined) {
    payload =
      typeof reply.body === 'string' && headers['Content-Type'] === 'text/plain'
        ? reply.body
        : JSON.stringify(reply.body);
    headers['Content-Type'] ??= 'application/json; charset=utf-8';
  }
  headers['Content-Length'] = String(Buffer.byteLength(payload));
  res.writeHead(reply.status, headers);
  res.end(payload);
}

/** The JSON input of a request body (undefined when empty), or null when it is not JSON. */
export function jsonInput(body: string): { value: unknown } | null {
  if (body.trim() === '') return { value: undefined };
  try {
    return { value: JSON.parse(body) as unknown };
  } catch {
    return null;
  }
}

export const NOT_JSON: Reply = { status: 400, body: { message: 'The request body is not valid JSON.' } };

/** A boolean query flag: undefined when absent. */
export function flag(q: URLSearchParams, name: string): boolean | undefined {
  const v = q.get(name);
  return v === null ? undefined : v.toLowerCase() === 'true';
}
