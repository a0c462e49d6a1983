/** Which endpoint a path names: records, exports (with a format), the OAuth token endpoint, or nothing. */
import type { Endpoint } from './types';

export const API_PREFIX = '/api/explore/v2.1/catalog/datasets/';
export const CONTROL_PREFIX = '/__control/';

export interface Route {
  endpoint: Endpoint;
  dataset: string | null;
  format: string | null;
}

export function route(pathname: string): Route {
  if (pathname === '/token/oauth/' || pathname === '/token/oauth') {
    return { endpoint: 'token', dataset: null, format: null };
  }
  if (pathname.startsWith(API_PREFIX)) {
    const parts = pathname.slice(API_PREFIX.length).split('/');
    const dataset = decodeURIComponent(parts[0] ?? '');
    if (parts.length === 2 && parts[1] === 'records' && dataset)
      return { endpoint: 'records', dataset, format: null };
    if (parts.length === 3 && parts[1] === 'exports' && dataset && parts[2]) {
      return { endpoint: 'exports', dataset, format: parts[2] };
    }
  }
  return { endpoint: 'other', dataset: null, format: null };
}
