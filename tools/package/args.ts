/** The package command's flags (`node:util` parseArgs). */
import * as path from 'node:path';
import { parseArgs as parseFlags } from 'node:util';
import { errorMessage } from '../../shared/errors';
import type { PackageOptions } from './package';

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
