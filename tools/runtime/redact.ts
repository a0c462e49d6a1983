/** Secrets out of logs: the one list of secret query parameters, bearer tokens and literal keys. */

const SECRET_PARAM =
  /\b(code|sig|key|token|access_token|password|pwd|secret|client_secret|accountkey|sharedaccesskey|apikey|api_key)=([^&\s;"'#]*)/gi;

/** Masks secret-looking `name=value` pairs, bearer tokens and the given literal keys. */
export function redactSecrets(text: string, keys: readonly string[] = []): string {
  let out = text;
  for (const key of keys) {
    if (key.length >= 4) out = out.split(key).join('[redacted]');
  }
  return out
    .replace(SECRET_PARAM, (_m, name: string) => `${name}=[redacted]`)
    .replace(/\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]+/gi, (_m, scheme: string) => `${scheme} [redacted]`);
}
