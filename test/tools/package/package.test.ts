import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { builtinModules } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { buildPackage, deployManifest, findEntryPoints, parseArgs } from '../../../tools/package/package';
import { createZip } from '../../../tools/package/zip';

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

interface ReadEntry {
  name: string;
  method: number;
  crc: number;
  data: Buffer;
}

/** A tiny zip reader: end-of-central-directory -> central directory -> local headers -> inflateRaw. */
function readZip(zip: Buffer): ReadEntry[] {
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0) throw new Error('no end of central directory');
  const count = zip.readUInt16LE(eocd + 10);
  const cdSize = zip.readUInt32LE(eocd + 12);
  const cdOffset = zip.readUInt32LE(eocd + 16);
  expect(cdOffset + cdSize).toBe(eocd);
  const entries: ReadEntry[] = [];
  let p = cdOffset;
  for (let i = 0; i < count; i++) {
    expect(zip.readUInt32LE(p)).toBe(0x02014b50);
    const method = zip.readUInt16LE(p + 10);
    const crc = zip.readUInt32LE(p + 16);
    const compSize = zip.readUInt32LE(p + 20);
    const size = zip.readUInt32LE(p + 24);
    const nameLen = zip.readUInt16LE(p + 28);
    const extraLen = zip.readUInt16LE(p + 30);
    const commentLen = zip.readUInt16LE(p + 32);
    const localOffset = zip.readUInt32LE(p + 42);
    const name = zip.toString('utf8', p + 46, p + 46 + nameLen);
    p += 46 + nameLen + extraLen + commentLen;

    expect(zip.readUInt32LE(localOffset)).toBe(0x04034b50);
    expect(
      zip.toString('utf8', localOffset + 30, localOffset + 30 + zip.readUInt16LE(localOffset + 26)),
    ).toBe(name);
    expect(zip.readUInt32LE(localOffset + 14)).toBe(crc);
    const start = localOffset + 30 + zip.readUInt16LE(localOffset + 26) + zip.readUInt16LE(localOffset + 28);
    const raw = zip.subarray(start, start + compSize);
    const data = method === 8 ? zlib.inflateRawSync(raw) : Buffer.from(raw);
    expect(data.length).toBe(size);
    entries.push({ name, method, crc, data });
  }
  return entries;
}

function write(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
}

/** A throwaway app: one HTTP trigger, one activity, plus files that must never be packaged. */
function makeFixture(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ww-pkg-'));
  fs.symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  write(path.join(dir, 'host.json'), JSON.stringify({ version: '2.0' }));
  write(
    path.join(dir, 'package.json'),
    JSON.stringify({
      name: 'fixture-app',
      version: '1.2.3',
      main: 'dist/triggers/*.js',
      engines: { node: '>=20' },
      scripts: { build: 'tsc' },
      dependencies: { '@azure/functions': '*' },
      devDependencies: { jest: '*' },
    }),
  );
  write(
    path.join(dir, 'triggers', 'hello.ts'),
    [
      "import { app } from '@azure/functions';",
      "import { greeting } from '../shared/greeting';",
      "app.http('fixtureHello', { methods: ['GET'], authLevel: 'function', handler: async () => ({ body: greeting }) });",
      '',
    ].join('\n'),
  );
  write(
    path.join(dir, 'shared', 'greeting.ts'),
    "export const greeting: string = 'hello from the bundle';\n",
  );
  write(
    path.join(dir, 'activities', 'noop.ts'),
    "import { app } from '@azure/functions';\napp.storageQueue('fixtureQueue', { queueName: 'q', connection: 'AzureWebJobsStorage', handler: () => undefined });\n",
  );
  write(path.join(dir, 'triggers', 'hello.test.ts'), "throw new Error('a test file was bundled');\n");
  write(path.join(dir, 'triggers', 'types.d.ts'), 'export {};\n');
  write(path.join(dir, 'test', 'x.test.ts'), "throw new Error('a test file was bundled');\n");
  write(
    path.join(dir, 'local.settings.json'),
    '{"Values":{"AzureWebJobsStorage":"UseDevelopmentStorage=true"}}',
  );
  write(path.join(dir, 'local.secrets.json'), '{"rte-api-key":"not-a-real-key"}');
  write(path.join(dir, '.env'), 'RTE_API_KEY=not-a-real-key\n');
  return dir;
}

/** The worker-provided module, reduced to what @azure/functions calls while registering. */
function writeCoreStandIn(runDir: string): void {
  write(
    path.join(runDir, 'node_modules', '@azure', 'functions-core', 'index.js'),
    [
      'globalThis.__registered = [];',
      'module.exports = {',
      '  setProgrammingModel() {},',
      '  registerHook() { return { dispose() {} }; },',
      '  log() {},',
      '  registerFunction(metadata) { globalThis.__registered.push(metadata.name); return { dispose() {} }; },',
      '};',
    ].join('\n'),
  );
}

/** Loads the package the way the worker does (package.json main) in a fresh process; returns registered names. */
function loadAndList(runDir: string): string[] {
  const out = execFileSync(
    process.execPath,
    [
      '-e',
      "require('./' + require('./package.json').main); console.log(JSON.stringify(globalThis.__registered))",
    ],
    { cwd: runDir, encoding: 'utf8' },
  );
  return JSON.parse(out.trim()) as string[];
}

describe('zip writer (yazl)', () => {
  const entries = [
    { name: 'a/big.txt', data: Buffer.from('abc'.repeat(1000)) },
    { name: 'tiny', data: Buffer.from('x') },
    { name: 'empty', data: Buffer.alloc(0) },
  ];

  it('round-trips entries in order, deflated, each with a valid CRC', async () => {
    const read = readZip(await createZip(entries));
    expect(read.map((e) => [e.name, e.method])).toEqual([
      ['a/big.txt', 8],
      ['tiny', 8],
      ['empty', 8],
    ]);
    read.forEach((e, i) => {
      expect(e.data.equals(entries[i]!.data)).toBe(true);
      expect(zlib.crc32(e.data)).toBe(e.crc);
    });
  });

  it('writes the same bytes every time, with one fixed timestamp and no time-zone dependent field', async () => {
    const first = await createZip(entries);
    expect((await createZip(entries)).equals(first)).toBe(true);
    const cd = first.readUInt32LE(first.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06])) + 16);
    // central directory entry: DOS time at +12, date at +14, extra length at +30
    expect(first.readUInt16LE(cd + 12)).toBe(0);
    expect(first.readUInt16LE(cd + 14)).toBe(((2020 - 1980) << 9) | (1 << 5) | 1);
    expect(first.readUInt16LE(cd + 30)).toBe(0);
  });

  it('refuses unsafe or duplicate names', async () => {
    const data = Buffer.from('x');
    await expect(createZip([{ name: '../evil', data }])).rejects.toThrow('Invalid zip entry name');
    await expect(createZip([{ name: '/abs', data }])).rejects.toThrow('Invalid zip entry name');
    await expect(
      createZip([
        { name: 'a', data },
        { name: 'a', data },
      ]),
    ).rejects.toThrow('Duplicate zip entry: a');
  });
});

describe('packager options', () => {
  it('defaults the zip and staging folder under the root, and honours --out', () => {
    expect(parseArgs([], '/repo')).toEqual({
      root: '/repo',
      out: '/repo/watt-watcher.zip',
      stagingDir: '/repo/dist-package',
      sourcemap: false,
      minify: false,
    });
    expect(parseArgs(['--out', 'build/app.zip', '--root', 'app', '--sourcemap'], '/repo')).toMatchObject({
      root: '/repo/app',
      out: '/repo/build/app.zip',
      stagingDir: '/repo/app/dist-package',
      sourcemap: true,
    });
    expect(() => parseArgs(['--out'], '/repo')).toThrow("Option '--out <value>' argument missing");
    expect(() => parseArgs(['--bogus'], '/repo')).toThrow(
      "Unknown option '--bogus' (known: --root, --out, --staging, --sourcemap, --minify)",
    );
    expect(() => parseArgs(['stray'], '/repo')).toThrow("Unexpected argument 'stray'");
  });

  it('ships a package.json with main.js and no scripts or dependencies', () => {
    expect(
      deployManifest({
        name: 'n',
        version: '1.0.0',
        scripts: { a: 'b' },
        devDependencies: { x: '1' },
        dependencies: { y: '1' },
      }),
    ).toEqual({ name: 'n', version: '1.0.0', private: true, main: 'main.js' });
  });
});

describe('buildPackage on a fixture app', () => {
  let fixture: string;
  let extracted: ReadEntry[];
  let zipPath: string;

  beforeAll(async () => {
    fixture = makeFixture();
    zipPath = path.join(fixture, 'out', 'app.zip');
    const result = await buildPackage({
      root: fixture,
      out: zipPath,
      stagingDir: path.join(fixture, 'dist-package'),
    });
    expect(result.entryPoints).toEqual(['activities/noop.ts', 'triggers/hello.ts']);
    expect(result.bundledInputs).toContain('shared/greeting.ts');
    expect(result.bundledInputs.filter((i) => i.endsWith('.test.ts'))).toEqual([]);
    extracted = readZip(fs.readFileSync(zipPath));
  });

  afterAll(() => {
    fs.rmSync(fixture, { recursive: true, force: true });
  });

  it('finds entry points but not tests or declaration files', () => {
    expect(findEntryPoints(fixture)).toEqual(['activities/noop.ts', 'triggers/hello.ts']);
  });

  it('contains exactly host.json, package.json and main.js, each with a valid CRC', () => {
    expect(extracted.map((e) => e.name)).toEqual(['host.json', 'package.json', 'main.js']);
    for (const e of extracted) expect(zlib.crc32(e.data)).toBe(e.crc);
  });

  const hasUnzip = ((): boolean => {
    try {
      execFileSync('unzip', ['-v'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();

  (hasUnzip ? it : it.skip)("passes Info-ZIP's own integrity test (unzip -t)", () => {
    const out = execFileSync('unzip', ['-t', zipPath], { encoding: 'utf8' });
    expect(out).toContain('No errors detected in compressed data');
    expect(out.match(/testing: .+ OK/g)).toHaveLength(3);
  });

  it('ships no test file, local settings, local secrets, .env or TypeScript source', () => {
    for (const e of extracted) {
      expect(e.name).not.toMatch(/\.ts$|test|local\.settings|local\.secrets|\.env|node_modules/);
    }
    const main = extracted.find((e) => e.name === 'main.js')!.data.toString('utf8');
    expect(main).not.toContain('a test file was bundled');
    expect(main).not.toContain('not-a-real-key');
    expect(main).not.toContain('UseDevelopmentStorage');
  });

  it('copies host.json verbatim and writes a deploy package.json', () => {
    expect(extracted.find((e) => e.name === 'host.json')!.data.toString('utf8')).toBe('{"version":"2.0"}');
    const manifest = JSON.parse(extracted.find((e) => e.name === 'package.json')!.data.toString('utf8'));
    expect(manifest).toEqual({
      name: 'fixture-app',
      version: '1.2.3',
      private: true,
      main: 'main.js',
      engines: { node: '>=20' },
    });
  });

  it('bundles dependencies into one CommonJS file that keeps only @azure/functions-core external', () => {
    const main = extracted.find((e) => e.name === 'main.js')!.data.toString('utf8');
    expect(main).toContain('.http("fixtureHello"');
    expect(main).toContain('hello from the bundle');
    const requires = [...main.matchAll(/\brequire\("([^"]+)"\)/g)].map((m) => m[1]);
    const nonBuiltin = requires.filter((r) => !r!.startsWith('node:') && !builtinModules.includes(r!));
    expect([...new Set(nonBuiltin)]).toEqual(['@azure/functions-core']);
  });

  it('registers every function when loaded with only a stand-in @azure/functions-core beside it', () => {
    const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ww-run-'));
    try {
      for (const e of extracted) fs.writeFileSync(path.join(runDir, e.name), e.data);
      writeCoreStandIn(runDir);
      expect(loadAndList(runDir)).toEqual(['fixtureQueue', 'fixtureHello']);
    } finally {
      fs.rmSync(runDir, { recursive: true, force: true });
    }
  });

  it('is reproducible: the same inputs give the same bytes', async () => {
    const again = path.join(fixture, 'out', 'again.zip');
    await buildPackage({ root: fixture, out: again, stagingDir: path.join(fixture, 'dist-package-2') });
    expect(fs.readFileSync(again).equals(fs.readFileSync(zipPath))).toBe(true);
  });

  it('adds main.js.map only when asked', async () => {
    const withMap = path.join(fixture, 'out', 'map.zip');
    await buildPackage({
      root: fixture,
      out: withMap,
      stagingDir: path.join(fixture, 'dist-map'),
      sourcemap: true,
    });
    expect(readZip(fs.readFileSync(withMap)).map((e) => e.name)).toEqual([
      'host.json',
      'package.json',
      'main.js',
      'main.js.map',
    ]);
  });
});

describe('buildPackage with the production SDKs', () => {
  it('bundles durable-functions, identity, Data Lake, Key Vault and axios into a main.js that loads', async () => {
    const dir = makeFixture();
    try {
      write(
        path.join(dir, 'orchestrators', 'flow.ts'),
        [
          "import * as df from 'durable-functions';",
          "import axios from 'axios';",
          "import axiosRetry from 'axios-retry';",
          "import { DefaultAzureCredential } from '@azure/identity';",
          "import { SecretClient } from '@azure/keyvault-secrets';",
          "import { DataLakeServiceClient } from '@azure/storage-file-datalake';",
          "df.app.orchestration('fixtureFlow', function* (ctx) { yield ctx.df.callActivity('fixtureStep'); });",
          "df.app.activity('fixtureStep', { handler: () => {",
          '  axiosRetry(axios);',
          '  const credential = new DefaultAzureCredential();',
          "  new SecretClient('https://example.vault.azure.net', credential);",
          "  new DataLakeServiceClient('https://example.dfs.core.windows.net', credential);",
          '  return 1;',
          '} });',
          '',
        ].join('\n'),
      );
      const out = path.join(dir, 'sdk.zip');
      const result = await buildPackage({ root: dir, out, stagingDir: path.join(dir, 'dist-package') });
      expect(result.bundledInputs.some((i) => i.includes('durable-functions/'))).toBe(true);
      const runDir = path.join(dir, 'run');
      fs.mkdirSync(runDir);
      for (const e of readZip(fs.readFileSync(out))) fs.writeFileSync(path.join(runDir, e.name), e.data);
      writeCoreStandIn(runDir);
      expect(loadAndList(runDir)).toEqual(['fixtureQueue', 'fixtureFlow', 'fixtureStep', 'fixtureHello']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('buildPackage refusals', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ww-pkg-bad-'));
    fs.symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
    write(path.join(dir, 'host.json'), '{"version":"2.0"}');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('fails when there is no entry point', async () => {
    await expect(
      buildPackage({ root: dir, out: path.join(dir, 'a.zip'), stagingDir: path.join(dir, 's') }),
    ).rejects.toThrow('No entry points');
  });

  it('fails when an entry point imports the local runtime', async () => {
    write(path.join(dir, 'tools', 'runtime', 'fake.ts'), 'export const x = 1;\n');
    write(
      path.join(dir, 'triggers', 't.ts'),
      "import { x } from '../tools/runtime/fake';\nconsole.log(x);\n",
    );
    await expect(
      buildPackage({ root: dir, out: path.join(dir, 'a.zip'), stagingDir: path.join(dir, 's') }),
    ).rejects.toThrow('tools/runtime/fake.ts');
  });
});
