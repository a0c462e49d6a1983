/** The exports request for one [from, to) window, and its URL as recorded in source metadata. */
import { redactUrl } from '../errors';

export interface ExportRequest {
  path: string;
  params: { where: string; order_by: string; timezone: string };
}

/** `2026-11-28T04:00:00Z`: whole seconds, UTC. */
function odsqlInstant(text: string): string {
  const ms = Date.parse(text);
  if (!Number.isFinite(ms)) throw new RangeError(`Not an ISO-8601 instant: ${JSON.stringify(text)}`);
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function buildExportRequest(dataset: string, from: string, to: string): ExportRequest {
  return {
    path: `/api/explore/v2.1/catalog/datasets/${encodeURIComponent(dataset)}/exports/json`,
    params: {
      where: `date_heure >= date'${odsqlInstant(from)}' and date_heure < date'${odsqlInstant(to)}'`,
      order_by: 'date_heure',
      timezone: 'UTC',
    },
  };
}

/** The full request URL, as recorded in source metadata. Never carries credentials. */
export function sourceUrl(baseUrl: string, dataset: string, from: string, to: string): string {
  const req = buildExportRequest(dataset, from, to);
  const url = new URL(`${baseUrl.replace(/\/+$/, '')}${req.path}`);
  for (const [k, v] of Object.entries(req.params)) url.searchParams.set(k, v);
  return redactUrl(url.toString());
}
