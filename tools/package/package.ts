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
import { parseArgs as parseFlags } from 'node:util';
import { build, type BuildOptions, type Metafile, type Plugin } from 'esbuild';
import { errorMessage } from '../../shared/errors';
import { createZip } from './zip';

/** Folders (relative to the root) whose top-level `*.ts` files are the app's entry points. */
export const ENTRY_DIRS = ['triggers', 'orchestrators', 'activities', 'entities'] as const;

/** Modules the Functions worker injects at run time: never bundled. */
export const EXTERNAL_MODULES = ['@azure/functions-core'] as const;

/** Bundle inputs that must never reach production (local runtime, stand-ins, tests, local secrets). */
const FORBIDDEN_INPUT =
  /(^|\/)(test|tools)\/|\.test\.ts$|(^|\/)local\.(settings|secrets)\.json$|(^|\/)\.env$/;

const IMPORT_META_URL = '__wattWatcherImportMetaUrl';

/**
 * SDKs compiled on first `require` from a string chunk inside main.js (see the header). They must
 * be used only inside function calls (shared/clients.ts), never at import time, to save anything.
 */
export const DEFERRED_SDKS = [
  '@azure/identity',
  '@azure/keyvault-secrets',
  '@azure/storage-file-datalake',
] as const;

/**
 * `const x = require("m");` lines of durable-functions that become a lazy proxy: the module is
 * loaded on the first property access or call. Only modules that durable-functions uses through
 * `x.member` and `x(...)` (checked for 3.5.0) belong here; a file without the line is left as is.
 */
const DEFERRED_REQUIRES: { readonly file: RegExp; readonly modules: readonly string[] }[] = [
  { file: /[\\/]durable-functions[\\/]lib[\\/]src[\\/].*\.js$/, modules: ['axios', 'validator', 'moment'] },
];

const DEFER_HELPER = '__wattWatcherDefer';
const DEFER_HELPER_SOURCE =
  `function ${DEFER_HELPER}(load) { let m; const get = () => (m ??= load()); ` +
  `return new Proxy(function () {}, { get: (_t, k) => get()[k], has: (_t, k) => k in get(), ` +
  `apply: (_t, self, args) => Reflect.apply(get(), self, args) }); }`;

const SDK_NAMESPACE = 'watt-watcher-deferred-sdk';
const SDK_CHUNK = 'deferred-sdk-chunk';
/** The chunk's name in stack traces. */
const SDK_CHUNK_FILE = 'azure-sdks.js';

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

/**
 * Bare imports from app code resolve with the `require` condition, as in the tsc-compiled app
 * (CommonJS), so that a package durable-functions also `require`s is not bundled twice.
 */
function commonJsResolutionPlugin(): Plugin {
  return {
    name: 'watt-watcher-commonjs-resolution',
    setup(b) {
      b.onResolve({ filter: /^[^./]/ }, async (args) => {
        const fromApp = args.importer !== '' && !args.importer.split(path.sep).includes('node_modules');
        if (args.kind !== 'import-statement' || !fromApp || args.pluginData === 'cjs') return undefined;
        if (args.path.startsWith('node:') || (EXTERNAL_MODULES as readonly string[]).includes(args.path))
          return undefined;
        const r = await b.resolve(args.path, {
          kind: 'require-call',
          importer: args.importer,
          resolveDir: args.resolveDir,
          pluginData: 'cjs',
        });
        if (r.errors.length > 0) return undefined;
        return { path: r.path, external: r.external, namespace: r.namespace, sideEffects: r.sideEffects };
      });
    },
  };
}

/** Rewrites durable-functions' import-time requires listed in DEFERRED_REQUIRES into lazy proxies. */
function deferredRequirePlugin(): Plugin {
  return {
    name: 'watt-watcher-deferred-require',
    setup(b) {
      for (const rule of DEFERRED_REQUIRES) {
        b.onLoad({ filter: rule.file }, async (args) => {
          const source = await fs.promises.readFile(args.path, 'utf8');
          let changed = 0;
          const contents = source.replace(
            /^const (\w+) = require\("([^"]+)"\);$/gm,
            (line, name: string, mod: string) => {
              if (!rule.modules.includes(mod)) return line;
              changed++;
              return `const ${name} = ${DEFER_HELPER}(() => require(${JSON.stringify(mod)}));`;
            },
          );
          return changed > 0 ? { contents, loader: 'js' } : undefined;
        });
      }
    },
  };
}

/**
 * Resolves DEFERRED_SDKS to small modules that read them from one chunk: a second esbuild bundle
 * of those SDKs, embedded as a string and compiled (vm.compileFunction) on the first require.
 */
function deferredSdkPlugin(
  root: string,
  common: BuildOptions,
  chunk: { inputs: string[]; warnings: string[] },
): Plugin {
  const deferred: readonly string[] = DEFERRED_SDKS;
  return {
    name: 'watt-watcher-deferred-sdk',
    setup(b) {
      b.onResolve({ filter: /^@azure\// }, (args) =>
        deferred.includes(args.path) ? { path: args.path, namespace: SDK_NAMESPACE } : undefined,
      );
      b.onResolve({ filter: new RegExp(`^${SDK_CHUNK}$`), namespace: SDK_NAMESPACE }, () => ({
        path: SDK_CHUNK,
        namespace: SDK_NAMESPACE,
      }));
      b.onLoad({ filter: /.*/, namespace: SDK_NAMESPACE }, async (args) => {
        if (args.path !== SDK_CHUNK) {
          return {
            contents: `module.exports = require(${JSON.stringify(SDK_CHUNK)})[${JSON.stringify(args.path)}];\n`,
            loader: 'js',
          };
        }
        const getters = deferred
          .map(
            (m) =>
              `Object.defineProperty(exports, ${JSON.stringify(m)}, { enumerable: true, get: () => require(${JSON.stringify(m)}) });`,
          )
          .join('\n');
        const built = await build({
          ...common,
          stdin: { contents: getters, resolveDir: root, sourcefile: SDK_CHUNK_FILE, loader: 'js' },
          banner: { js: `const ${IMPORT_META_URL} = require("node:url").pathToFileURL(__filename).href;` },
          legalComments: 'inline',
          // Vendor code: drop whitespace and comments (the string costs load time), keep identifiers.
          minifyWhitespace: true,
          minifySyntax: true,
          write: false,
        });
        chunk.inputs.push(...inputsOf(built.metafile));
        chunk.warnings.push(...built.warnings.map((w) => `${w.location?.file ?? '?'}: ${w.text}`));
        const code = built.outputFiles?.[0]?.text ?? '';
        const contents = [
          `const { compileFunction } = require("node:vm");`,
          `const { createRequire } = require("node:module");`,
          `const filename = require("node:path").join(__dirname, ${JSON.stringify(SDK_CHUNK_FILE)});`,
          `const chunk = { exports: {} };`,
          `compileFunction(${JSON.stringify(code)}, ["exports", "require", "module", "__filename", "__dirname"], { filename })(`,
          `  chunk.exports, createRequire(__filename), chunk, __filename, __dirname);`,
          `module.exports = chunk.exports;`,
          '',
        ].join('\n');
        return { contents, loader: 'js', resolveDir: root };
      });
    },
  };
}

function inputsOf(metafile: Metafile | undefined): string[] {
  if (!metafile) return [];
  return Object.keys(metafile.inputs)
    .map((p) => p.split(path.sep).join('/'))
    .sort();
}

// ---------------------------------------------------------------------------------------------
// A minimal zip writer (PKWARE APPNOTE 6.3): local headers + deflated data + central directory.
// No zip64: the package is a few MB. Names are UTF-8 (general purpose flag bit 11).

// ---------------------------------------------------------------------------------------------

const FLAGS = {
  root: { type: 'string' },
  out: { type: 'string' },
  staging: { type: 'string' },
  sourcemap: { type: 'boolean', default: false },
  minify: { type: 'boolean', default: false },
} as const;

export function parseArgs(argv: readonly string[], cwd: string): PackageOptions {
  let values;
  try {
    ({ values } = parseFlags({ args: [...argv], options: FLAGS, strict: true, allowPositionals: false }));
  } catch (err) {
    throw new Error(`${errorMessage(err)} (known: --root, --out, --staging, --sourcemap, --minify)`, {
      cause: err,
    });
  }
  const at = (value: string | undefined): string | undefined =>
    value === undefined ? undefined : path.resolve(cwd, value);
  const root = at(values.root) ?? cwd;
  const stagingDir = at(values.staging);
  return {
    root,
    out: at(values.out) ?? path.join(root, 'watt-watcher.zip'),
    stagingDir: stagingDir ?? path.join(root, 'dist-package'),
    sourcemap: values.sourcemap,
    minify: values.minify,
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
