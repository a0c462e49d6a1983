/** Optional authentication: an API key (header, or the query parameter the spec allows), or a bearer token. */
import type * as http from 'node:http';
import { constantTimeEqual } from '../../net/constantTime';
import type { FakeOdreOptions } from './types';

export function authorised(
  need: FakeOdreOptions['requireAuth'],
  req: http.IncomingMessage,
  url: URL,
  tokenValid: (token: string) => boolean,
): boolean {
  if (!need) return true;
  const header = req.headers.authorization ?? '';
  const m = /^(\S+)\s+(.+)$/.exec(header.trim());
  const scheme = m?.[1]?.toLowerCase();
  const value = m?.[2] ?? '';
  if (scheme === 'apikey' && need.apiKey !== undefined && constantTimeEqual(value, need.apiKey)) return true;
  if (scheme === 'bearer') {
    if (need.bearerToken !== undefined && constantTimeEqual(value, need.bearerToken)) return true;
    if (need.acceptIssuedTokens !== false && tokenValid(value)) return true;
  }
  const qp = url.searchParams.get('apikey');
  return need.apiKey !== undefined && qp !== null && constantTimeEqual(qp, need.apiKey);
}
