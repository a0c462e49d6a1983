/** Reading request bodies and writing responses for the HTTP host. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Cookie, HttpResponse } from '@azure/functions';
import { waitForDrain } from '../net/server';

export class BodyTooLarge extends Error {}

/** Reads at most `limit` bytes; rejects with BodyTooLarge as soon as the body exceeds it. */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      reject(new BodyTooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        chunks.length = 0;
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      cleanup();
      resolve(Buffer.concat(chunks, size));
    };
    const onError = (err: Error): void => {
      cleanup();
      reject(err);
    };
    const cleanup = (): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}

/** Throws away the rest of a request body (so the client can read our early response), up to a cap. */
export function discardBody(req: IncomingMessage, capBytes: number): void {
  if (req.readableEnded) return;
  let discarded = 0;
  req.on('data', (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > capBytes) req.socket.destroy();
  });
  req.resume();
}

export function serializeCookie(cookie: Cookie): string {
  let out = `${cookie.name}=${cookie.value}`;
  if (cookie.domain) out += `; Domain=${cookie.domain}`;
  if (cookie.path) out += `; Path=${cookie.path}`;
  if (cookie.expires !== undefined) {
    const expires = cookie.expires instanceof Date ? cookie.expires : new Date(cookie.expires);
    out += `; Expires=${expires.toUTCString()}`;
  }
  if (cookie.maxAge !== undefined) out += `; Max-Age=${cookie.maxAge}`;
  if (cookie.secure) out += '; Secure';
  if (cookie.httpOnly) out += '; HttpOnly';
  if (cookie.sameSite) out += `; SameSite=${cookie.sameSite}`;
  return out;
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  extraHeaders: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...extraHeaders,
  });
  res.end(text);
}

export function sendEmpty(res: ServerResponse, status: number): void {
  res.writeHead(status, { 'content-length': 0 });
  res.end();
}

export async function writeResponse(
  res: ServerResponse,
  method: string,
  response: HttpResponse,
): Promise<void> {
  const headers = response.headers;
  const cookies = [...headers.getSetCookie(), ...response.cookies.map(serializeCookie)];
  for (const [name, value] of headers.entries()) {
    if (name === 'set-cookie') continue;
    res.setHeader(name, value);
  }
  if (cookies.length > 0) res.setHeader('set-cookie', cookies);
  res.statusCode = response.status;
  const body = response.body;
  if (!body || method === 'HEAD') {
    if (body) await body.cancel();
    res.end();
    return;
  }
  for await (const chunk of body) {
    if (res.destroyed) break;
    if (!res.write(chunk)) await waitForDrain(res);
  }
  res.end();
}

export function requestHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}
