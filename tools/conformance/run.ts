/**
 * npm run test:conformance [-- --keep]: builds the .NET conformance host for the compiled app,
 * then runs the scenario suite on both engines (jest, test/conformance). With --keep the Azurite
 * data (the real task hub: <hub>Instances, <hub>History) stays in build/conformance/azurite.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { generateFunctions } from './generate';

const ROOT = path.resolve(__dirname, '../../..');
const HOST = path.join(ROOT, 'tools/conformance/host');

function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): number {
  const result = spawnSync(command, args, { cwd: ROOT, env, stdio: 'inherit' });
  if (result.error) {
    process.stderr.write(`${command}: ${result.error.message}\n`);
    return 1;
  }
  return result.status ?? 1;
}

function main(argv: string[]): number {
  const unknown = argv.filter((a) => a !== '--keep');
  if (unknown.length > 0) {
    process.stderr.write(`unknown option ${unknown.join(' ')} (usage: test:conformance [-- --keep])\n`);
    return 2;
  }
  const generated = path.join(HOST, 'obj/Functions.g.cs');
  fs.mkdirSync(path.dirname(generated), { recursive: true });
  const text = generateFunctions(ROOT);
  if (!fs.existsSync(generated) || fs.readFileSync(generated, 'utf8') !== text)
    fs.writeFileSync(generated, text);
  // a missing .NET SDK fails here, loudly: the suite cannot run without the real extension
  const built = run('dotnet', ['build', HOST, '-c', 'Release', '-nologo', '-v', 'q', '-clp:ErrorsOnly']);
  if (built !== 0) {
    process.stderr.write(
      'the conformance host did not build (is the .NET SDK installed? `dotnet --version`)\n',
    );
    return built;
  }
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (argv.includes('--keep')) {
    const dir = path.join(ROOT, 'build/conformance/azurite');
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    env.CONFORMANCE_KEEP_DIR = dir;
  }
  const jest = path.join(ROOT, 'node_modules/jest/bin/jest.js');
  const status = run(process.execPath, [jest, '-c', 'tools/conformance/jest.config.js', '--runInBand'], env);
  if (env.CONFORMANCE_KEEP_DIR) {
    process.stdout.write(
      `Azurite data kept in ${env.CONFORMANCE_KEEP_DIR}; browse it (README "Conformance") after\n` +
        `  npx azurite --location ${path.relative(ROOT, env.CONFORMANCE_KEEP_DIR)} --skipApiVersionCheck\n`,
    );
  }
  return status;
}

process.exitCode = main(process.argv.slice(2));
