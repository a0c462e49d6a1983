/** host.json as the embedded host reads it: the task hub name, activity concurrency, the HTTP route prefix. */
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface HostJson {
  extensions?: {
    durableTask?: { hubName?: string; maxConcurrentActivityFunctions?: number };
    http?: { routePrefix?: string };
  };
}

export function readHostJson(rootDir: string): HostJson {
  const file = path.join(rootDir, 'host.json');
  if (!fs.existsSync(file)) return {};
  return JSON.parse(fs.readFileSync(file, 'utf8')) as HostJson;
}

function resolveSettingRefs(value: string): string {
  return value.replace(/%([^%]+)%/g, (_m, name: string) => process.env[name] ?? '');
}

export function resolveHubName(rootDir: string, explicit?: string): string {
  if (explicit) return explicit;
  const configured = readHostJson(rootDir).extensions?.durableTask?.hubName;
  const resolved = configured ? resolveSettingRefs(configured).trim() : '';
  return resolved || 'TestHubName';
}
