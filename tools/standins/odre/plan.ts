/** A planned response (status, headers, body or streamed pieces), and the portal's error shapes. */

export const JSON_TYPE = 'application/json; charset=utf-8';
export const HTML_TYPE = 'text/html; charset=utf-8';

export interface Plan {
  status: number;
  headers: Record<string, string>;
  body?: string | Buffer;
  /** Streamed body pieces (exports). */
  pieces?: Iterable<string>;
}

export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`HTTP ${status}`);
  }
}

export function restError(message: string): HttpProblem {
  return new HttpProblem(400, { error_code: 'InvalidRESTParameterError', message });
}

export function odsqlError(message: string): HttpProblem {
  return new HttpProblem(400, { message, error_code: 'ODSQLError' });
}

export function jsonPlan(status: number, body: unknown, extra: Record<string, string> = {}): Plan {
  return {
    status,
    headers: { 'Content-Type': JSON_TYPE, ...extra },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  };
}
