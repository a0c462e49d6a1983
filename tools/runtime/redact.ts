/** Secrets out of logs: the one list of secret query parameters, bearer tokens and literal keys. */
import { secretPairPattern } from '../../shared/secretParams';

/** Masks secret-looking `name=value` pairs, bearer tokens and the given literal keys. */
export function redactSecrets(text: string, keys: readonly string[] = []): string {
  let out = text;
  for (const key of keys) {
    if (key.length >= 4) out = out.split(key).join('[redacted]');
  }
  return out
    .replace(secretPairPattern(), (_m, name: string) => `${name}=[redacted]`)
    .replace(/\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]+/gi, (_m, scheme: string) => `${scheme} [redacted]`);
}
