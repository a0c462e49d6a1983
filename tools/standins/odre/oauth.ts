/** The RTE-style OAuth2 client-credentials token endpoint (facts.md section 3), and the tokens it issued. */
import { randomBytes } from 'node:crypto';
import type * as http from 'node:http';
import { constantTimeEqual } from '../../net/constantTime';
import { jsonPlan, type Plan } from './plan';
import type { FakeOdreOptions } from './types';

export const DEFAULT_OAUTH: NonNullable<FakeOdreOptions['oauth']> = {
  clientId: 'watt-watcher-local',
  clientSecret: 'local-only-client-credential',
};

export class TokenIssuer {
  private readonly issued = new Map<string, number>();

  constructor(
    private readonly oauth: NonNullable<FakeOdreOptions['oauth']>,
    private readonly clock: () => number,
  ) {}

  valid(token: string): boolean {
    const exp = this.issued.get(token);
    return exp !== undefined && this.clock() < exp;
  }

  async answer(req: http.IncomingMessage): Promise<Plan> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const c of req as AsyncIterable<Buffer>) {
      size += c.length;
      if (size > 64 * 1024) break;
      chunks.push(c);
    }
    if (req.method !== 'POST') {
      return jsonPlan(405, { error: 'invalid_request', error_description: 'POST expected' });
    }
    const m = /^Basic\s+(.+)$/i.exec(req.headers.authorization ?? '');
    const decoded = m?.[1] ? Buffer.from(m[1], 'base64').toString('utf8') : '';
    const colon = decoded.indexOf(':');
    const id = colon >= 0 ? decoded.slice(0, colon) : '';
    const secret = colon >= 0 ? decoded.slice(colon + 1) : '';
    if (!(constantTimeEqual(id, this.oauth.clientId) && constantTimeEqual(secret, this.oauth.clientSecret))) {
      return jsonPlan(401, { error: 'invalid_client', error_description: 'Client authentication failed' });
    }
    const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
    if (form.get('grant_type') !== 'client_credentials') {
      return jsonPlan(400, {
        error: 'unsupported_grant_type',
        error_description: 'grant_type must be client_credentials',
      });
    }
    const expiresIn = this.oauth.expiresInSeconds ?? 7200;
    const token = randomBytes(24).toString('base64url');
    this.issued.set(token, this.clock() + expiresIn * 1000);
    return jsonPlan(200, { access_token: token, token_type: 'Bearer', expires_in: expiresIn });
  }
}
