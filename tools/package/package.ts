/**
 * Builds the deployable zip for the Function App: one esbuild bundle of every entry point
 * (`triggers/*.ts`, `orchestrators/*.ts`, `activities/*.ts`, `entities/*.ts`), plus `host.json` and a
 * minimal `package.json`. Production dependencies are bundled, so the zip carries no node_modules;
 * only `@azure/functions-core` stays external because the Functions worker provides it at run time.
 *
 * Cold start: the worker loads main.js before the first invocation, so the bundle keeps work that
 * no function needs at registration out of the load path:
 * - app code resolves packages the way the tsc-compiled app does (CommonJS builds), so a package
 *   that durable-functions also requires (axios) is bundled once, not as both its ESM and CJS builds;
 * - the Azure SDKs that shared/clients.ts requires lazily (identity, Key Vault, Data Lake: about 3 MB)
 *   go into a separate chunk embedded in main.js as a string and compiled on first `require`, so
 *   loading main.js does not pay for parsing them;
 * - durable-functions' import-time `require`s of axios, validator and moment (used only by the
 *   durable client and timers) are deferred to first use.
 *
 *   node dist/tools/package/package.js [--root DIR] [--out FILE] [--staging DIR] [--sourcemap] [--minify]
 *
 * Defaults: root = current directory, out = <root>/watt-watcher.zip, staging = <root>/dist-package.
 * The staging folder keeps the unzipped package for inspection (and for `azd`/`func` users).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { build, type BuildOptions } from 'esbuild';
import { errorMessage } from '../../shared/errors';
import { parseArgs } from './args';
import {
  commonJsResolutionPlugin,
  DEFER_HELPER_SOURCE,
  deferredRequirePlugin,
  deferredSdkPlugin,
  EXTERNAL_MODULES,
  IMPORT_META_URL,
  inputsOf,
} from './plugins';
import { createZip } from './zip';

export { parseArgs } from './args';
export { DEFERRED_SDKS, EXTERNAL_MODULES } from './plugins';

/** Folders (relative to the root) whose top-level `*.ts` files are the app's entry points. */
export const ENTRY_DIRS = ['triggers', 'orchestrators', 'activities', 'entities'] as const;

/** Bundle inputs that must never reach production (local runtime, stand-ins, tests, local secrets). */
const FORBIDDEN_INPUT =
  /(^|\/)(test|tools)\/|\.test\.ts$|(^|\/)local\.(settings|secrets)\.json$|(^|\/)\.env$/;

export interface PackageOptions {
  /** Repository (or fixture) root holding host.json and the entry folders. */
  readonly root: string;
  /** Zip to write. */
  readonly out: string;
  /** Folder for the unzipped package (emptied first). */
  readonly stagingDir: string;
  readonly sourcemap?: boolean;
  readonly minify?: boolean;
}

export interface PackageResult {
  readonly out: string;
  readonly entryPoints: readonly string[];
  readonly files: readonly string[];
  /** Source files esbuild pulled into main.js, relative to the root (POSIX separators). */
  readonly bundledInputs: readonly string[];
  readonly warnings: readonly string[];
  readonly zipBytes: number;
}

/** The app's entry points, relative to the root, sorted (tests and declaration files excluded). */
export function findEntryPoints(root: string): string[] {
  const found: string[] = [];
  for (const dir of ENTRY_DIRS) {
    const abs = path.join(root, dir);
    if (!fs.existsSync(abs)) continue;
    for (const ent of fs.readdirSync(abs, { withFileTypes: true })) {
      if (!ent.isFile() || !ent.name.endsWith('.ts')) continue;
      if (/\.(test|spec)\.ts$|\.d\.ts$/.test(ent.name)) continue;
      found.push(`${dir}/${ent.name}`);
    }
  }
  return found.sort();
}

/** The package.json shipped in the zip: no dependencies (bundled), no scripts, no devDependencies. */
export function deployManifest(rootManifest: Record<string, unknown>): Record<string, unknown> {
  const manifest: Record<string, unknown> = {
    name: typeof rootManifest.name === 'string' ? rootManifest.name : 'watt-watcher',
    version: typeof rootManifest.version === 'string' ? rootManifest.version : '0.0.0',
    private: true,
    main: 'main.js',
  };
  if (rootManifest.engines !== undefined) manifest.engines = rootManifest.engines;
  return manifest;
}

export async function buildPackage(options: PackageOptions): Promise<PackageResult> {
  const root = path.resolve(options.root);
  const hostJsonPath = path.join(root, 'host.json');
  if (!fs.existsSync(hostJsonPath)) throw new Error(`No host.json in ${root}`);
  const hostJson = fs.readFileSync(hostJsonPath);
  JSON.parse(hostJson.toString('utf8')); // fail early on a malformed host.json

  const entryPoints = findEntryPoints(root);
  if (entryPoints.length === 0) {
    throw new Error(
      `No entry points: expected *.ts files under ${ENTRY_DIRS.map((d) => `${d}/`).join(', ')} in ${root}`,
    );
  }

  const rootManifestPath = path.join(root, 'package.json');
  const rootManifest = fs.existsSync(rootManifestPath)
    ? (JSON.parse(fs.readFileSync(rootManifestPath, 'utf8')) as Record<string, unknown>)
    : {};

  const staging = path.resolve(options.stagingDir);
  fs.rmSync(staging, { recursive: true, force: true });
  fs.mkdirSync(staging, { recursive: true });

  // One synthetic entry that loads every function file in a stable order, so one bundle registers all.
  const entrySource = entryPoints.map((e) => `import ${JSON.stringify(`./${e}`)};`).join('\n') + '\n';
  const common: BuildOptions = {
    absWorkingDir: root,
    bundle: true,
    platform: 'node',
    target: 'node22', // the deployed runtime (infra: functionAppConfig.runtime)
    format: 'cjs',
    external: [...EXTERNAL_MODULES],
    minify: options.minify ?? false,
    keepNames: true,
    // Some dependencies resolve to their ESM builds and read `import.meta.url` (e.g.
    // createRequire(import.meta.url)); in a CommonJS bundle that object is empty, so give it a value.
    define: { 'import.meta.url': IMPORT_META_URL },
    metafile: true,
    logLevel: 'silent',
  };
  const chunk: { inputs: string[]; warnings: string[] } = { inputs: [], warnings: [] };
  const result = await build({
    ...common,
    stdin: { contents: entrySource, resolveDir: root, sourcefile: 'package-entry.ts', loader: 'ts' },
    outfile: path.join(staging, 'main.js'),
    sourcemap: options.sourcemap ? 'linked' : false,
    legalComments: 'eof',
    banner: {
      js: `const ${IMPORT_META_URL} = require("node:url").pathToFileURL(__filename).href;\n${DEFER_HELPER_SOURCE}`,
    },
    plugins: [deferredSdkPlugin(root, common, chunk), commonJsResolutionPlugin(), deferredRequirePlugin()],
    write: true,
  });

  const bundledInputs = [...new Set([...inputsOf(result.metafile), ...chunk.inputs])].sort();
  const forbidden = bundledInputs.filter((i) => !i.includes('node_modules/') && FORBIDDEN_INPUT.test(i));
  if (forbidden.length > 0) {
    throw new Error(`The bundle pulls in files that must not ship: ${forbidden.join(', ')}`);
  }

  fs.writeFileSync(path.join(staging, 'host.json'), hostJson);
  fs.writeFileSync(
    path.join(staging, 'package.json'),
    JSON.stringify(deployManifest(rootManifest), null, 2) + '\n',
  );

  const files = ['host.json', 'package.json', 'main.js'];
  if (options.sourcemap) files.push('main.js.map');
  const zip = await createZip(
    files.map((name) => ({ name, data: fs.readFileSync(path.join(staging, name)) })),
  );
  const out = path.resolve(options.out);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, zip);

  return {
    out,
    entryPoints,
    files,
    bundledInputs,
    warnings: [...result.warnings.map((w) => `${w.location?.file ?? '?'}: ${w.text}`), ...chunk.warnings],
    zipBytes: zip.length,
  };
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2), process.cwd());
  const result = await buildPackage(options);
  for (const w of result.warnings) console.warn(`warning: ${w}`);
  console.log(
    `Packaged ${result.entryPoints.length} entry point(s) into ${path.relative(process.cwd(), result.out) || result.out} ` +
      `(${(result.zipBytes / 1024).toFixed(1)} KiB: ${result.files.join(', ')})`,
  );
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(errorMessage(err));
    process.exitCode = 1;
  });
}
