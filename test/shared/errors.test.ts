import axios from 'axios';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  decodeFailure,
  encodeFailure,
  PermanentError,
  redactUrl,
  RetryableError,
  summarizeHttpError,
} from '../../shared/errors';

describe('failure encoding across the durable boundary', () => {
  const f = {
    code: 'RTE_HTTP_503',
    httpStatus: 503,
    message: 'GET x answered 503',
    retryable: true,
    retryAfterMs: 2000,
  };
  it('round-trips through text the host wraps around it', () => {
    const wrapped = `Activity function 'fetchSlice' failed: ${new RetryableError(f).message} \n at stack`;
    expect(decodeFailure(wrapped)).toEqual(f);
  });
  it('falls back to a generic failure for foreign errors', () => {
    expect(decodeFailure('boom')).toEqual({
      code: 'ACTIVITY_FAILED',
      httpStatus: null,
      message: 'boom',
      retryable: true,
    });
  });
  it('marks permanent errors', () => {
    const e = new PermanentError({
      code: 'LAKE_CONFLICT',
      httpStatus: null,
      message: 'taken',
      retryable: false,
    });
    expect(decodeFailure(e.message).retryable).toBe(false);
    expect(encodeFailure(e.failure).startsWith('LAKE_CONFLICT: taken ')).toBe(true);
  });
});

describe('redaction', () => {
  it('removes credentials and secret query values', () => {
    expect(redactUrl('https://u:p@h.example/x?apikey=abc&where=1')).toBe(
      'https://h.example/x?apikey=REDACTED&where=1',
    );
    expect(redactUrl('not a url')).toBe('<unparseable url>');
  });

  it('strips an axios error to method, URL, status and a short body, never headers', async () => {
    const server = http.createServer((_req, res) => {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'x'.repeat(500) }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    try {
      await axios.get(`http://127.0.0.1:${port}/api/x`, {
        params: { where: 'a', apikey: 'hunter2' },
        headers: { Authorization: 'Apikey hunter2' },
      });
      throw new Error('expected a 401');
    } catch (err) {
      const s = summarizeHttpError(err);
      expect(s.method).toBe('GET');
      expect(s.url).toBe(`http://127.0.0.1:${port}/api/x?where=a&apikey=REDACTED`);
      expect(s.status).toBe(401);
      expect(s.body).toHaveLength(201);
      expect(JSON.stringify(s)).not.toContain('hunter2');
    } finally {
      server.close();
    }
  });
});
