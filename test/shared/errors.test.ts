import axios from 'axios';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  azureErrorFacts,
  decodeFailure,
  errorMessage,
  permanentFailure,
  encodeFailure,
  PermanentError,
  redactUrl,
  RetryableError,
  summarizeHttpError,
  type FailureCode,
} from '../../shared/errors';

describe('failure encoding across the durable boundary', () => {
  const f: FailureCode = {
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
    });
    expect(decodeFailure(e.message).retryable).toBe(false);
    expect(encodeFailure(e.failure).startsWith('LAKE_CONFLICT: taken ')).toBe(true);
  });
});

describe('retryable follows from the class', () => {
  const details = { code: 'LAKE_WRITE_FAILED', httpStatus: null, message: 'x' } as const;
  it('is true for RetryableError and false for PermanentError and returned failures', () => {
    expect(new RetryableError(details).failure).toEqual({ ...details, retryable: true });
    expect(new PermanentError(details).failure).toEqual({ ...details, retryable: false });
    expect(permanentFailure(details)).toEqual({ ...details, retryable: false });
    expect(decodeFailure(new RetryableError(details).message).retryable).toBe(true);
  });
  it('ignores a retryable flag smuggled in by a caller', () => {
    const smuggled = { ...details, retryable: true } as FailureCode;
    expect(new PermanentError(smuggled).failure.retryable).toBe(false);
  });
});

describe('errorMessage', () => {
  it('reads an Error message or stringifies anything else', () => {
    expect(errorMessage(new TypeError('bad'))).toBe('bad');
    expect(errorMessage('plain')).toBe('plain');
    expect(errorMessage(42)).toBe('42');
    expect(errorMessage(undefined)).toBe('undefined');
  });
});

describe('azureErrorFacts', () => {
  it('reads status and service code from storage, Key Vault and network errors', () => {
    expect(azureErrorFacts({ statusCode: 404, details: { errorCode: 'PathNotFound' } })).toEqual({
      status: 404,
      code: 'PathNotFound',
    });
    expect(
      azureErrorFacts({ statusCode: 403, details: { error: { code: 'Forbidden' } }, code: 'x' }),
    ).toEqual({
      status: 403,
      code: 'Forbidden',
    });
    expect(azureErrorFacts({ code: 'ECONNREFUSED' })).toEqual({ status: null, code: 'ECONNREFUSED' });
    expect(azureErrorFacts('text')).toEqual({ status: null, code: null });
    expect(azureErrorFacts(null)).toEqual({ status: null, code: null });
  });
});

describe('redaction', () => {
  it('removes credentials and secret query values', () => {
    expect(redactUrl('https://u:p@h.example/x?apikey=abc&where=1')).toBe(
      'https://h.example/x?apikey=REDACTED&where=1',
    );
    expect(redactUrl('not a url')).toBe('<unparseable url>');
    expect(redactUrl('https://h.example/x?SIG=1&Pwd=2&AccountKey=3&page=4')).toBe(
      'https://h.example/x?SIG=REDACTED&Pwd=REDACTED&AccountKey=REDACTED&page=4',
    );
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
