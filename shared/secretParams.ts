/**
 * Query parameters (and `name=value` pairs in log text) whose values never reach a log, a
 * heartbeat or history: the one list the app's redaction, the host's and the stand-ins' read.
 */
export const SECRET_PARAM_NAMES = [
  'apikey',
  'api_key',
  'key',
  'token',
  'access_token',
  'client_secret',
  'code',
  'sig',
  'signature',
  'password',
  'pwd',
  'secret',
  'accountkey',
  'sharedaccesskey',
] as const;

const NAMES: ReadonlySet<string> = new Set(SECRET_PARAM_NAMES);

export function isSecretParam(name: string): boolean {
  return NAMES.has(name.toLowerCase());
}

/** `name=value` pairs of secret names inside free text; group 1 is the name, group 2 the value. */
export function secretPairPattern(): RegExp {
  return new RegExp(`\\b(${SECRET_PARAM_NAMES.join('|')})=([^&\\s;"'#]*)`, 'gi');
}
