/**
 * tools/infra/bicep.ts with the real compiler: where it is looked for, that any diagnostic fails (an
 * unknown property is only a compiler warning), and that the ARM JSON is reused while the inputs stay
 * the same.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  BicepDiagnosticsError,
  bicepRid,
  buildTemplate,
  findBicep,
  lintTemplate,
  obtainBicep,
  parseDiagnostics,
} from '../../tools/infra/bicep';
import { ROOT } from './arm';

describe('parseDiagnostics', () => {
  it('reads file, line, level, code and message of each diagnostic line', () => {
    const output =
      '/x/infra/main.bicep(3,9) : Warning BCP089: The property "instanceMemoryMb" is not allowed.\n' +
      '/x/infra/main.bicep(12,1) : Error no-unused-params: Parameter "a" is declared but never used.\n' +
      'Bicep CLI version 0.49.2\n';
    expect(parseDiagnostics(output)).toEqual([
      {
        file: '/x/infra/main.bicep',
        line: 3,
        level: 'Warning',
        code: 'BCP089',
        message: 'The property "instanceMemoryMb" is not allowed.',
      },
      {
        file: '/x/infra/main.bicep',
        line: 12,
        level: 'Error',
        code: 'no-unused-params',
        message: 'Parameter "a" is declared but never used.',
      },
    ]);
  });
});

describe('bicepRid', () => {
  it('names the NuGet package of each platform', () => {
    expect(bicepRid('linux', 'x64')).toBe('linux-x64');
    expect(bicepRid('linux', 'arm64')).toBe('linux-arm64');
    expect(bicepRid('darwin', 'arm64')).toBe('osx-arm64');
    expect(bicepRid('win32', 'x64')).toBe('win-x64');
  });
});

const obtained = obtainBicep(ROOT, process.env);
const withCompiler = (name: string, body: () => void): void =>
  'compiler' in obtained
    ? describe(name, body)
    : describe(name, () =>
        it('says plainly where it looked for a Bicep compiler', () => {
          expect('missing' in obtained ? obtained.missing : '').toMatch(/\S/);
        }),
      );
if (!('compiler' in obtained)) {
  const reason = obtained.missing.split('\n')[0] ?? '';
  if (process.env.WATT_REQUIRE_BICEP === '1')
    throw new Error(`WATT_REQUIRE_BICEP=1 and no Bicep compiler: ${reason}`);
  console.warn(`SKIPPING compiler tests: ${reason}`);
}

withCompiler('with the real compiler', () => {
  const compiler = 'compiler' in obtained ? obtained.compiler : undefined;
  let tmp: string;
  const project = (files: Record<string, string>): string => {
    const root = fs.mkdtempSync(path.join(tmp, 'p-'));
    for (const [name, content] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
      fs.writeFileSync(path.join(root, name), content);
    }
    return root;
  };
  const GOOD = 'param location string\noutput where string = location\n';

  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ww-bicep-'));
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it("prefers BICEP_PATH, then azd's own copy, over the NuGet cache", () => {
    const home = fs.mkdtempSync(path.join(tmp, 'home-'));
    const viaEnv = findBicep(ROOT, { BICEP_PATH: compiler!.path }, home);
    expect(viaEnv).toMatchObject({ source: 'BICEP_PATH', version: compiler!.version });

    const azdBin = path.join(home, 'azd-config', 'bin');
    fs.mkdirSync(azdBin, { recursive: true });
    fs.symlinkSync(compiler!.path, path.join(azdBin, 'bicep'));
    const viaAzd = findBicep(
      ROOT,
      { BICEP_PATH: path.join(tmp, 'absent'), AZD_CONFIG_DIR: path.join(home, 'azd-config') },
      home,
    );
    expect(viaAzd).toMatchObject({ source: 'azd', path: path.join(azdBin, 'bicep') });
  });

  it('fails the build on a compiler warning: an unknown property', () => {
    const root = project({
      'infra/main.bicep':
        "param location string\nresource plan 'Microsoft.Web/serverfarms@2024-11-01' = {\n" +
        "  name: 'plan-x'\n  location: location\n  sku: { name: 'FC1', tier: 'FlexConsumption' }\n" +
        '  properties: { reservd: true }\n}\n',
    });
    let caught: unknown;
    try {
      buildTemplate(root, compiler!);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(BicepDiagnosticsError);
    const diagnostics = (caught as BicepDiagnosticsError).diagnostics;
    expect(diagnostics.map((d) => [d.level, d.line])).toContainEqual(['Warning', 6]);
    expect(fs.existsSync(path.join(root, 'build', 'infra', 'arm', 'main.json.sha256'))).toBe(false);
  });

  it('fails lint on a linter rule raised to error by bicepconfig.json', () => {
    const root = project({
      'infra/main.bicep': 'param location string\nparam unused string\noutput where string = location\n',
      'infra/bicepconfig.json': fs.readFileSync(path.join(ROOT, 'infra', 'bicepconfig.json'), 'utf8'),
    });
    expect(() => lintTemplate(root, compiler!)).toThrow(/no-unused-params/);
  });

  it('writes the ARM JSON, reuses it while infra/ is unchanged and rebuilds after an edit', () => {
    const root = project({ 'infra/main.bicep': GOOD });
    const first = buildTemplate(root, compiler!);
    expect(first.cached).toBe(false);
    expect(first.armPath).toBe(path.join(root, 'build', 'infra', 'arm', 'main.json'));
    expect(first.template).toMatchObject({ outputs: { where: { type: 'string' } } });
    expect(buildTemplate(root, compiler!).cached).toBe(true);

    fs.writeFileSync(path.join(root, 'infra', 'main.bicep'), GOOD.replace('where', 'region'));
    const third = buildTemplate(root, compiler!);
    expect(third.cached).toBe(false);
    expect(third.template).toMatchObject({ outputs: { region: { type: 'string' } } });
  });
});
