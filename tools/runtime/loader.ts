/**
 * Loads a Functions app the way the Node.js worker does: `@azure/functions-core` resolves to the
 * embedded stand-in, then every entry file (package.json "main", a glob) is required once, and
 * each `app.*` call registers into the process-wide FunctionRegistry.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Module from 'node:module';
import { getRegistry } from './functionsCore';
import type { FunctionRegistry } from './registry';

const CORE = '@azure/functions-core';
let hooked = false;

interface ModuleInternals {
  _resolveFilename(request: string, parent: unknown, isMain: boolean, options?: unknown): string;
}

/** Makes `require('@azure/functions-core')` resolve to this runtime's stand-in (idempotent). */
export function installCoreModule(): void {
  if (hooked) return;
  hooked = true;
  const target = path.join(__dirname, `functionsCore${path.extname(__filename) || '.js'}`);
  const internals = Module as unknown as ModuleInternals;
  const original = internals._resolveFilename.bind(Module);
  internals._resolveFilename = (request, parent, isMain, options) =>
    request === CORE ? target : original(request, parent, isMain, options);
}

export interface LoadAppOptions {
  rootDir: string;
  /** Files or globs relative to rootDir; default: package.json "main". */
  entryFiles?: string[];
  /** Load local.settings.json Values into process.env (default true). */
  loadSettings?: boolean;
}

export interface LoadedApp {
  registry: FunctionRegistry;
  files: string[];
  settingsFile?: string;
}

export function loadApp(options: LoadAppOptions): LoadedApp {
  const rootDir = path.resolve(options.rootDir);
  let settingsFile: string | undefined;
  if (options.loadSettings !== false) settingsFile = loadLocalSettings(rootDir);
  installCoreModule();
  const patterns = options.entryFiles ?? readMainGlob(rootDir);
  const files = patterns.flatMap((p) => expandGlob(rootDir, p));
  if (files.length === 0) {
    throw new Error(`No entry files matched ${JSON.stringify(patterns)} under ${rootDir}`);
  }
  for (const file of files) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require(file);
  }
  return { registry: getRegistry(), files, settingsFile };
}

function readMainGlob(rootDir: string): string[] {
  const pkgFile = path.join(rootDir, 'package.json');
  const pkg = JSON.parse(fs.readFileSync(pkgFile, 'utf8')) as { main?: unknown };
  if (typeof pkg.main !== 'string' || pkg.main === '') throw new Error(`${pkgFile} has no "main" entry`);
  return [pkg.main];
}

/**
 * Copies `Values` from `<rootDir>/local.settings.json` into process.env, never overriding a
 * variable that is already set (as `func start` does). Returns the file used, if any.
 */
export function loadLocalSettings(rootDir: string): string | undefined {
  const file = path.join(rootDir, 'local.settings.json');
  if (!fs.existsSync(file)) return undefined;
  const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as { Values?: Record<string, unknown> };
  for (const [key, value] of Object.entries(parsed.Values ?? {})) {
    if (process.env[key] === undefined && value !== undefined && value !== null)
      process.env[key] = typeof value === 'string' ? value : JSON.stringify(value);
  }
  return file;
}

/** Minimal glob: `{a,b}` alternatives, `*` and `?` within a segment, `**` across segments. */
export function expandGlob(rootDir: string, pattern: string): string[] {
  const results = new Set<string>();
  for (const alt of expandBraces(pattern)) {
    const abs = path.isAbsolute(alt) ? alt : path.join(rootDir, alt);
    const { root, segments } = splitPath(abs);
    walk(root, segments, results);
  }
  return [...results].sort();
}

function expandBraces(pattern: string): string[] {
  const m = /\{([^{}]*)\}/.exec(pattern);
  if (!m) return [pattern];
  const before = pattern.slice(0, m.index);
  const after = pattern.slice(m.index + m[0].length);
  return (m[1] ?? '').split(',').flatMap((opt) => expandBraces(before + opt + after));
}

function splitPath(abs: string): { root: string; segments: string[] } {
  const parsed = path.parse(abs);
  return {
    root: parsed.root,
    segments: abs
      .slice(parsed.root.length)
      .split(/[\\/]+/)
      .filter(Boolean),
  };
}

function segmentRegex(seg: string): RegExp {
  const escaped = seg
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '[^/]*')
    .replace(/\?/g, '[^/]');
  return new RegExp(`^${escaped}$`);
}

function walk(dir: string, segments: string[], out: Set<string>): void {
  if (segments.length === 0) {
    if (fs.existsSync(dir) && fs.statSync(dir).isFile()) out.add(dir);
    return;
  }
  const [seg, ...rest] = segments as [string, ...string[]];
  if (seg === '**') {
    walk(dir, rest, out);
    for (const entry of safeReaddir(dir)) {
      if (entry.isDirectory() && entry.name !== 'node_modules')
        walk(path.join(dir, entry.name), segments, out);
    }
    return;
  }
  if (!/[*?]/.test(seg)) {
    walk(path.join(dir, seg), rest, out);
    return;
  }
  const re = segmentRegex(seg);
  for (const entry of safeReaddir(dir)) {
    if (re.test(entry.name)) walk(path.join(dir, entry.name), rest, out);
  }
}

function safeReaddir(dir: string): fs.Dirent[] {
  try {
    return fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}
