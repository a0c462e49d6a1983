/** The host's keys: generated once per task hub into `<hubDir>/keys.json` (mode 600). */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from './durable/store';

interface KeysFile {
  functionKey: string;
  masterKey: string;
  systemKey: string;
}

function newKey(): string {
  return randomBytes(30).toString('base64url');
}

/** Loads (or creates once) `<hubDir>/keys.json`. */
export async function loadKeys(hubDir: string): Promise<KeysFile & { generated: boolean }> {
  const file = path.join(hubDir, 'keys.json');
  if (fs.existsSync(file)) {
    const keys = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<KeysFile>;
    if (keys.functionKey && keys.masterKey && keys.systemKey) {
      return {
        functionKey: keys.functionKey,
        masterKey: keys.masterKey,
        systemKey: keys.systemKey,
        generated: false,
      };
    }
  }
  const keys: KeysFile = { functionKey: newKey(), masterKey: newKey(), systemKey: newKey() };
  await writeFileAtomic(file, JSON.stringify(keys, null, 2));
  try {
    fs.chmodSync(file, 0o600);
  } catch {
    // best effort
  }
  return { ...keys, generated: true };
}

/** The keys a host serves with: given ones first, then the app's key setting, then keys.json; and where the function key came from. */
export async function hostKeys(
  hubDir: string,
  o: { functionKeys?: string[]; functionKeyEnv?: string; masterKey?: string },
): Promise<{ keys: KeysFile; functionKeys: string[]; masterKey: string; keySource: string }> {
  const keys = await loadKeys(hubDir);
  const envKey = o.functionKeyEnv ? process.env[o.functionKeyEnv]?.trim() : undefined;
  const keySource = o.functionKeys
    ? 'option'
    : envKey
      ? (o.functionKeyEnv ?? 'env')
      : keys.generated
        ? 'generated'
        : 'keys.json';
  return {
    keys,
    functionKeys: o.functionKeys ?? [envKey || keys.functionKey],
    masterKey: o.masterKey ?? keys.masterKey,
    keySource,
  };
}
