/**
 * Cold start: fresh child processes, process start -> every function registered through the
 * embedded `@azure/functions-core` stand-in, for (a) bare node, (b) the tsc output with every SDK
 * required at import, as the samples do, (c) the deployable bundle from scripts/package.ts.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { expandGlob } from '../runtime/loader';
import { buildPackage } from '../package/package';
import { COLD_REPS, EAGER_SDKS, out, ROOT, verdict } from './settings';
import { fixed, formatMs, median } from './stats';
export interface ColdSample {
  /** Child-reported: performance.now() at the ready marker (time since the process started). */
  selfMs: number;
  /** Parent-measured: spawn -> ready line received. */
  wallMs: number;
  registered: number;
}

function runChild(args: string[]): Promise<ColdSample> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env };
    delete env.NODE_OPTIONS;
    const t0 = performance.now();
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
    let stdout = '';
    let stderr = '';
    let sample: ColdSample | undefined;
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      stdout += chunk;
      const m = /^READY (\S+) (\d+)$/m.exec(stdout);
      if (m && !sample) {
        sample = { wallMs: performance.now() - t0, selfMs: Number(m[1]), registered: Number(m[2]) };
      }
    });
    child.stderr.on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      if (sample && code === 0) resolve(sample);
      else reject(new Error(`child ${args.join(' ')} exited with ${code}: ${stderr.slice(0, 2000)}`));
    });
  });
}

/** A CommonJS script: install the functions-core stand-in, require `modules` in order, report. */
function loaderScript(modules: readonly string[]): string {
  const lit = (s: string): string => JSON.stringify(s);
  return [
    "'use strict';",
    `require(${lit(path.join(ROOT, 'dist', 'tools', 'runtime', 'loader.js'))}).installCoreModule();`,
    `const core = require(${lit(path.join(ROOT, 'dist', 'tools', 'runtime', 'functionsCore.js'))});`,
    ...modules.map((m) => `require(${lit(m)});`),
    'const registered = core.getRegistry().list().length;',
    'process.stdout.write(`READY ${performance.now().toFixed(3)} ${registered}\\n`);',
    '',
  ].join('\n');
}

export interface ColdResult {
  bare: ColdSample[];
  eager: ColdSample[];
  bundle: ColdSample[];
  bundleBytes: number;
  entryFiles: number;
}

export async function coldStart(tmp: string): Promise<ColdResult> {
  const staging = path.join(tmp, 'package');
  await buildPackage({ root: ROOT, out: path.join(tmp, 'watt-watcher.zip'), stagingDir: staging });
  const bundle = path.join(staging, 'main.js');

  const mainGlob = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { main: string })
    .main;
  const entryFiles = expandGlob(ROOT, mainGlob);
  const sdkPaths = EAGER_SDKS.map((m) => require.resolve(m, { paths: [ROOT] }));
  const eagerScript = path.join(tmp, 'cold-eager.js');
  const bundleScript = path.join(tmp, 'cold-bundle.js');
  fs.writeFileSync(eagerScript, loaderScript([...sdkPaths, ...entryFiles]));
  fs.writeFileSync(bundleScript, loaderScript([bundle]));
  const bareArgs = ['-e', 'process.stdout.write(`READY ${performance.now().toFixed(3)} 0\\n`)'];

  const result: ColdResult = {
    bare: [],
    eager: [],
    bundle: [],
    bundleBytes: fs.statSync(bundle).size,
    entryFiles: entryFiles.length,
  };
  // One discarded warm-up round (file cache), then rounds that interleave the three variants.
  for (let round = 0; round <= COLD_REPS; round++) {
    const bare = await runChild(bareArgs);
    const eager = await runChild([eagerScript]);
    const bundled = await runChild([bundleScript]);
    if (round === 0) continue;
    result.bare.push(bare);
    result.eager.push(eager);
    result.bundle.push(bundled);
  }
  return result;
}

/** Section 1 of the output; returns the two ratios of the machine-readable lines. */
export async function reportColdStart(tmp: string): Promise<{ loadRatio: number; vsBare: number }> {
  const cold = await coldStart(tmp);
  const a = median(cold.bare.map((s) => s.selfMs));
  const b = median(cold.eager.map((s) => s.selfMs));
  const c = median(cold.bundle.map((s) => s.selfMs));
  const registeredB = median(cold.eager.map((s) => s.registered));
  const registeredC = median(cold.bundle.map((s) => s.registered));
  out(
    `1. Cold start: process start -> all functions registered (median of ${COLD_REPS} fresh processes each)`,
  );
  const row = (label: string, samples: ColdSample[], note: string): void =>
    out(
      `   ${label.padEnd(44)} ${formatMs(median(samples.map((s) => s.selfMs))).padStart(9)}` +
        `   (spawn->ready ${formatMs(median(samples.map((s) => s.wallMs)))})${note}`,
    );
  row('(a) bare node -e', cold.bare, '');
  row('(b) tsc output, every SDK required at import', cold.eager, `, ${registeredB} functions`);
  row('(c) deployable bundle (scripts/package.ts)', cold.bundle, `, ${registeredC} functions`);
  out(`   entry files: ${cold.entryFiles}; main.js ${(cold.bundleBytes / 1024 / 1024).toFixed(2)} MB`);
  if (registeredB !== registeredC || registeredC === 0) {
    throw new Error(
      `the variants registered different function counts: (b) ${registeredB}, (c) ${registeredC}`,
    );
  }
  const loadRatio = c / b;
  const vsBare = c / a;
  out(`   (c) / (b) = ${fixed(loadRatio)}   goal <= 0.4: ${verdict(loadRatio <= 0.4)}`);
  out(`   (c) / (a) = ${fixed(vsBare)}   goal <= 3: ${verdict(vsBare <= 3)}`);
  out();
  return { loadRatio, vsBare };
}
