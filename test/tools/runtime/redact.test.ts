import { redactSecrets } from '../../../tools/runtime/redact';

describe('redactSecrets', () => {
  it('masks code, sig, passwords, bearer tokens and literal keys', () => {
    expect(redactSecrets('/api/x?code=abc&sig=def&ok=1')).toBe('/api/x?code=[redacted]&sig=[redacted]&ok=1');
    expect(redactSecrets('Authorization: Bearer eyJ.abc.def')).toBe('Authorization: Bearer [redacted]');
    expect(redactSecrets('AccountKey=xyz;EndpointSuffix=core')).toBe(
      'AccountKey=[redacted];EndpointSuffix=core',
    );
    expect(redactSecrets('failed with s3cr3t-key', ['s3cr3t-key'])).toBe('failed with [redacted]');
  });
});
