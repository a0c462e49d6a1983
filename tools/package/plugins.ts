/**
 * The bundle's esbuild plugins: CommonJS resolution for app code, durable-functions' import-time
 * requires made lazy, and the Azure SDKs moved into a chunk compiled on first `require`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { build, type BuildOptions, type Metafile, type Plugin } from 'esbuild';

/** Modules the Functions worker injects at run time: never bundled. */
export const EXTERNAL_MODULES = ['@azure/functions-core'] as const;

export const IMPORT_META_URL = '__wattWatcherImportMetaUrl';

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
export const DEFER_HELPER_SOURCE =
  `function ${DEFER_HELPER}(load) { let m; const get = () => (m ??= load()); ` +
  `return new Proxy(function () {}, { get: (_t, k) => get()[k], has: (_t, k) => k in get(), ` +
  `apply: (_t, self, args) => Reflect.apply(get(), self, args) }); }`;

const SDK_NAMESPACE = 'watt-watcher-deferred-sdk';
const SDK_CHUNK = 'deferred-sdk-chunk';
/** The chunk's name in stack traces. */
const SDK_CHUNK_FILE = 'azure-sdks.js';

/**
 * Bare imports from app code resolve with the `require` condition, as in the tsc-compiled app
 * (CommonJS), so that a package durable-functions also `require`s is not bundled twice.
 */
export function commonJsResolutionPlugin(): Plugin {
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
export function deferredRequirePlugin(): Plugin {
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
export function deferredSdkPlugin(
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

export function inputsOf(metafile: Metafile | undefined): string[] {
  if (!metafile) return [];
  return Object.keys(metafile.inputs)
    .map((p) => p.split(path.sep).join('/'))
    .sort();
}
