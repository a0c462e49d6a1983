/** Function, master and system keys: the key a request presents, checked in constant time. */
import type { IncomingMessage } from 'node:http';
import { matchesAny } from '../net/constantTime';

/** The `x-functions-key` header, else the `code` query parameter, as the Functions host reads them. */
export function presentedKey(req: IncomingMessage, url: URL): string | undefined {
  const header = req.headers['x-functions-key'];
  return (Array.isArray(header) ? header[0] : header) ?? url.searchParams.get('code') ?? undefined;
}

/** Whether the request presents one of the allowed keys. */
export function keyAllowed(req: IncomingMessage, url: URL, allowed: readonly string[]): boolean {
  return matchesAny(presentedKey(req, url), allowed);
}
