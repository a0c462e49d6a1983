import type { AxiosInstance } from 'axios';
import type { AuthMode } from './config';
import { PermanentError, RetryableError, redactUrl, summarizeHttpError } from './errors';
import type { SecretSource } from './secrets';

export interface AuthOptions {
  mode: AuthMode;
  apiKeySecretName: string;
  clientIdSecretName: string;
  clientSecretSecretName: string;
  oauthTokenUrl: string;
}

/** Resolves the `Authorization` header value for an ODRE / RTE call, or null for none. */
export type AuthorizationProvider = () => Promise<string | null>;

/** A token is replaced this long before it expires (or at half its life, if it lives shorter). */
export const TOKEN_REFRESH_MARGIN_MS = 5 * 60 * 1000;

interface CachedToken {
  header: string;
  refreshAt: number;
}

/**
 * `none` sends nothing; `apikey` sends `Apikey <key>`; `oauth2` runs the client-credentials grant
 * against the token URL and caches the token (one request at a time). `http` must not itself add an
 * Authorization header to its requests (no interceptor calling this provider).
 */
export function createAuthorizationProvider(
  opts: AuthOptions,
  secrets: SecretSource,
  http: AxiosInstance,
  now: () => number = () => Date.now(),
): AuthorizationProvider {
  if (opts.mode === 'none') return () => Promise.resolve(null);
  if (opts.mode === 'apikey') {
    return async () => `Apikey ${await secrets.getSecret(opts.apiKeySecretName)}`;
  }

  const safeUrl = redactUrl(opts.oauthTokenUrl);
  let cached: CachedToken | undefined;
  let inflight: Promise<string> | undefined;

  const failed = (why: string, httpStatus: number | null): RetryableError =>
    new RetryableError({
      code: 'OAUTH_TOKEN_FAILED',
      httpStatus,
      message: `OAuth token request to ${safeUrl} failed: ${why}`,
    });

  async function fetchToken(): Promise<string> {
    const [clientId, clientSecret] = await Promise.all([
      secrets.getSecret(opts.clientIdSecretName),
      secrets.getSecret(opts.clientSecretSecretName),
    ]);
    const basic = Buffer.from(`${clientId}:${clientSecret}`, 'utf8').toString('base64');
    const startedAt = now();
    let data: unknown;
    let status: number;
    try {
      const res = await http.post<unknown>(opts.oauthTokenUrl, 'grant_type=client_credentials', {
        headers: {
          Authorization: `Basic ${basic}`,
          'Content-Type': 'application/x-www-form-urlencoded',
          Accept: 'application/json',
        },
        responseType: 'json',
      });
      data = res.data;
      status = res.status;
    } catch (err) {
      // The axios error holds the request config, Basic header included: keep only status and code.
      const s = summarizeHttpError(err);
      if (s.status === null) throw failed(`no response (${s.code ?? 'network error'})`, null);
      status = s.status;
    }
    if (status === 400 || status === 401) {
      throw new PermanentError({
        code: 'OAUTH_REJECTED',
        httpStatus: status,
        message: `OAuth token request to ${safeUrl} was rejected: HTTP ${status} (check the client id and secret)`,
      });
    }
    // Statuses outside 2xx reach here only when `http` was built with a permissive validateStatus.
    if (status < 200 || status >= 300) throw failed(`HTTP ${status}`, status);
    const body = (typeof data === 'object' && data !== null ? data : {}) as Record<string, unknown>;
    const token = body.access_token;
    const type = body.token_type ?? 'Bearer';
    const expiresIn = typeof body.expires_in === 'string' ? Number(body.expires_in) : body.expires_in;
    if (
      typeof token !== 'string' ||
      token === '' ||
      typeof type !== 'string' ||
      type.toLowerCase() !== 'bearer'
    ) {
      throw failed('the response holds no bearer access_token', status);
    }
    if (typeof expiresIn !== 'number' || !Number.isFinite(expiresIn) || expiresIn <= 0) {
      throw failed('the response holds no valid expires_in', status);
    }
    const lifeMs = expiresIn * 1000;
    const margin = Math.min(TOKEN_REFRESH_MARGIN_MS, lifeMs / 2);
    const header = `Bearer ${token}`;
    cached = { header, refreshAt: startedAt + lifeMs - margin };
    return header;
  }

  return () => {
    if (cached && now() < cached.refreshAt) return Promise.resolve(cached.header);
    inflight ??= fetchToken().finally(() => {
      inflight = undefined;
    });
    return inflight;
  };
}
