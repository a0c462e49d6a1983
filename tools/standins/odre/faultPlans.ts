/** What an injected status or body fault answers: the portal's JSON errors, nginx pages, a maintenance page. */
import { HTML_TYPE, JSON_TYPE, jsonPlan, type Plan } from './plan';
import type { Quota } from './quota';
import type { FaultRule } from './types';

function nginxPage(status: number, title: string): string {
  return (
    `<html>\r\n<head><title>${status} ${title}</title></head>\r\n<body>\r\n` +
    `<center><h1>${status} ${title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`
  );
}

const MAINTENANCE_PAGE =
  '<!DOCTYPE html>\n<html lang="fr">\n<head><meta charset="utf-8"><title>Maintenance en cours</title></head>\n' +
  '<body><h1>Le portail est en maintenance</h1><p>Nous serons de retour très bientôt. ' +
  'The portal is under maintenance, please come back later.</p></body>\n</html>\n';

const JSON_ERRORS: Record<number, { message: string; error_code: string }> = {
  400: { message: 'ODSQL query is malformed: injected fault', error_code: 'ODSQLError' },
  401: {
    message: 'Authentication failed: the API key is invalid or expired.',
    error_code: 'AuthenticationError',
  },
  403: { message: 'You do not have the permission to access this resource.', error_code: 'PermissionDenied' },
  404: { message: 'The requested resource was not found.', error_code: 'NotFoundError' },
  500: { message: 'An unexpected error occurred.', error_code: 'InternalServerError' },
};

const NGINX_TITLES: Record<number, string> = {
  502: 'Bad Gateway',
  503: 'Service Temporarily Unavailable',
  504: 'Gateway Time-out',
};

export function statusFaultPlan(status: number, rule: FaultRule, quota: Quota, anonymous: boolean): Plan {
  const extra: Record<string, string> = {};
  if (rule.retryAfter !== undefined) extra['Retry-After'] = String(rule.retryAfter);
  if (status === 429) {
    return jsonPlan(429, quota.faultBody(anonymous), {
      ...quota.headers(),
      'X-RateLimit-Remaining': '0',
      ...extra,
    });
  }
  const json = JSON_ERRORS[status];
  if (json) return jsonPlan(status, json, extra);
  const title = NGINX_TITLES[status];
  if (title)
    return { status, headers: { 'Content-Type': HTML_TYPE, ...extra }, body: nginxPage(status, title) };
  return jsonPlan(status, { message: `Injected HTTP ${status}`, error_code: 'InjectedFault' }, extra);
}

/** Body faults answered with 200: a maintenance page, an empty result, malformed JSON. */
export function bodyFaultPlan(
  kind: 'html' | 'empty' | 'malformed',
  endpoint: string,
  format: string | null,
  rate: Record<string, string>,
): Plan {
  if (kind === 'html') return { status: 200, headers: { 'Content-Type': HTML_TYPE }, body: MAINTENANCE_PAGE };
  const body =
    kind === 'malformed'
      ? '[{"date_heure":"2026-01-01T00:00:00+00:00","consommation":NaN,}'
      : endpoint === 'records'
        ? '{"total_count":0,"results":[]}'
        : format === 'jsonl'
          ? ''
          : '[]';
  return { status: 200, headers: { 'Content-Type': JSON_TYPE, ...rate }, body };
}
