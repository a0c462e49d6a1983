/**
 * Finds or obtains the real Bicep compiler and compiles infra/main.bicep to ARM JSON.
 *
 * Order: BICEP_PATH; azd's own copy (AZD_BICEP_TOOL_PATH, <azd config dir>/bin/bicep); `bicep` on PATH;
 * the Azure CLI's copy (~/.azure/bin/bicep); then Azure.Bicep.CommandLine.<rid> restored from NuGet by
 * `dotnet restore tools/infra/bicep-compiler.csproj` into build/infra/nuget (git-ignored, reused).
 * Compiler diagnostics of any level fail: Bicep reports unknown properties and resource types as
 * warnings, and infra/bicepconfig.json raises the linter rules to errors.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const BICEP_VERSION = '0.49.2';
export const BUILD_DIR = path.join('build', 'infra');
export const MAIN_TEMPLATE = path.join('infra', 'main.bicep');
export const ARM_FILE = path.join(BUILD_DIR, 'arm', 'main.json');
const RESTORE_PROJECT = path.join('tools', 'infra', 'bicep-compiler.csproj');

export type Env = Readonly<Record<string, string | undefined>>;

export interface BicepCompiler {
  readonly path: string;
  readonly version: string;
  /** Where it was found, for the log line. */
  readonly source: string;
}

export type Obtained = { readonly compiler: BicepCompiler } | { readonly missing: string };

export interface Diagnostic {
  readonly file: string;
  readonly line: number;
  readonly level: 'Warning' | 'Error' | 'Info';
  readonly code: string;
  readonly message: string;
}

export class BicepDiagnosticsError extends Error {
  constructor(
    readonly command: string,
    readonly diagnostics: readonly Diagnostic[],
    output: string,
  ) {
    super(`bicep ${command}: ${diagnostics.length || 'no'} diagnostic(s), see below\n${output.trim()}`);
    this.name = 'BicepDiagnosticsError';
  }
}

const exe = (name: string): string => (process.platform === 'win32' ? `${name}.exe` : name);

/** NuGet runtime id of the compiler package for this machine. */
export function bicepRid(platform: NodeJS.Platform = process.platform, arch: string = process.arch): string {
  const osPart = platform === 'win32' ? 'win' : platform === 'darwin' ? 'osx' : 'linux';
  return `${osPart}-${arch === 'arm64' ? 'arm64' : 'x64'}`;
}

/** `bicep --version` prints "Bicep CLI version 0.49.2 (b34271ac51)". */
export function probe(candidate: string, source: string): BicepCompiler | undefined {
  const run = spawnSync(candidate, ['--version'], { encoding: 'utf8', timeout: 60_000 });
  const version = /Bicep CLI version (\S+)/.exec(`${run.stdout ?? ''}`)?.[1];
  return run.status === 0 && version ? { path: candidate, version, source } : undefined;
}

function restoredPath(root: string, rid: string): string {
  const id = `azure.bicep.commandline.${rid}`;
  return path.join(root, BUILD_DIR, 'nuget', id, BICEP_VERSION, 'tools', exe('bicep'));
}

/** A compiler already on this machine (or restored earlier), without touching the network. */
export function findBicep(root: string, env: Env, home: string = os.homedir()): BicepCompiler | undefined {
  const azdDir = env.AZD_CONFIG_DIR ?? path.join(home, '.azd');
  const candidates: [string | undefined, string][] = [
    [env.BICEP_PATH, 'BICEP_PATH'],
    [env.AZD_BICEP_TOOL_PATH, 'azd (AZD_BICEP_TOOL_PATH)'],
    [path.join(azdDir, 'bin', exe('bicep')), 'azd'],
    [exe('bicep'), 'PATH'],
    [path.join(home, '.azure', 'bin', exe('bicep')), 'Azure CLI'],
    [restoredPath(root, bicepRid()), `NuGet Azure.Bicep.CommandLine.${bicepRid()} (cached)`],
  ];
  for (const [candidate, source] of candidates) {
    if (!candidate) continue;
    const found = probe(candidate, source);
    if (found) return found;
  }
  return undefined;
}

/** Restores the compiler package from NuGet with `dotnet restore` (a PackageDownload project). */
export function restoreBicep(root: string): Obtained {
  const rid = bicepRid();
  const out = path.join(root, BUILD_DIR);
  const run = spawnSync(
    'dotnet',
    [
      'restore',
      path.join(root, RESTORE_PROJECT),
      '--packages',
      path.join(out, 'nuget'),
      `-p:MSBuildProjectExtensionsPath=${path.join(out, 'obj')}${path.sep}`,
      `-p:BicepRid=${rid}`,
      `-p:BicepVersion=${BICEP_VERSION}`,
      '--nologo',
    ],
    { encoding: 'utf8', timeout: 300_000 },
  );
  if (run.error)
    return { missing: `dotnet not usable (${run.error.message}), so the compiler cannot be restored` };
  if (run.status !== 0) {
    return {
      missing: `dotnet restore of Azure.Bicep.CommandLine.${rid} ${BICEP_VERSION} failed:\n${run.stdout}${run.stderr}`,
    };
  }
  const binary = restoredPath(root, rid);
  if (process.platform !== 'win32' && fs.existsSync(binary)) fs.chmodSync(binary, 0o755);
  const compiler = probe(binary, `NuGet Azure.Bicep.CommandLine.${rid} (restored)`);
  return compiler ? { compiler } : { missing: `restored package has no working compiler at ${binary}` };
}

export function obtainBicep(root: string, env: Env): Obtained {
  const found = findBicep(root, env);
  return found ? { compiler: found } : restoreBicep(root);
}

/** Parses `file(line,col) : Warning CODE: message` lines. */
export function parseDiagnostics(output: string): Diagnostic[] {
  const re = /^(.+?)\((\d+),\d+\) : (Warning|Error|Info) ([^:\s]+): (.*)$/gm;
  return [...output.matchAll(re)].map((m) => ({
    file: m[1] ?? '',
    line: Number(m[2]),
    level: m[3] as Diagnostic['level'],
    code: m[4] ?? '',
    message: m[5] ?? '',
  }));
}

function runBicep(compiler: BicepCompiler, args: string[], command: string): void {
  const run = spawnSync(compiler.path, args, { encoding: 'utf8', timeout: 300_000 });
  if (run.error) throw run.error;
  const output = `${run.stdout}${run.stderr}`;
  const diagnostics = parseDiagnostics(output);
  if (run.status !== 0 || diagnostics.length > 0)
    throw new BicepDiagnosticsError(command, diagnostics, output);
}

/** Hash of everything the ARM JSON depends on: the compiler version and every file under infra/. */
export function inputsHash(root: string, compiler: BicepCompiler): string {
  const hash = createHash('sha256').update(`bicep ${compiler.version}\n`);
  const walk = (dir: string): void => {
    for (const entry of fs
      .readdirSync(dir, { withFileTypes: true })
      .sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else hash.update(`${path.relative(root, full)}\n`).update(fs.readFileSync(full));
    }
  };
  walk(path.join(root, 'infra'));
  return hash.digest('hex');
}

export interface Built {
  readonly armPath: string;
  readonly template: unknown;
  /** True when the inputs were unchanged and the previous ARM JSON was reused. */
  readonly cached: boolean;
}

/** `bicep build` of infra/main.bicep into build/infra/arm/main.json, reused while infra/ is unchanged. */
export function buildTemplate(root: string, compiler: BicepCompiler): Built {
  const armPath = path.join(root, ARM_FILE);
  const stampPath = `${armPath}.sha256`;
  const key = inputsHash(root, compiler);
  const cached =
    fs.existsSync(armPath) && fs.existsSync(stampPath) && fs.readFileSync(stampPath, 'utf8') === key;
  if (!cached) {
    fs.mkdirSync(path.dirname(armPath), { recursive: true });
    fs.rmSync(stampPath, { force: true });
    runBicep(compiler, ['build', path.join(root, MAIN_TEMPLATE), '--outfile', armPath], 'build');
    fs.writeFileSync(stampPath, key);
  }
  return { armPath, template: JSON.parse(fs.readFileSync(armPath, 'utf8')) as unknown, cached };
}

/** `bicep lint` of infra/main.bicep (and the modules it uses); any diagnostic throws. */
export function lintTemplate(root: string, compiler: BicepCompiler): void {
  runBicep(compiler, ['lint', path.join(root, MAIN_TEMPLATE)], 'lint');
}
