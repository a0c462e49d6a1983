/**
 * npm run infra:check: obtain the Bicep compiler, build infra/main.bicep to build/infra/arm/main.json
 * and lint it; any warning fails.
 */
import * as path from 'node:path';
import { BicepDiagnosticsError, buildTemplate, lintTemplate, obtainBicep } from './bicep';

function main(): number {
  const root = path.resolve(__dirname, '..', '..', '..');
  const obtained = obtainBicep(root, process.env);
  if ('missing' in obtained) {
    console.error(`infra:check: no Bicep compiler: ${obtained.missing}`);
    return 1;
  }
  const { compiler } = obtained;
  console.log(`bicep ${compiler.version} (${compiler.source}): ${compiler.path}`);
  try {
    const built = buildTemplate(root, compiler);
    console.log(
      `build: ${path.relative(root, built.armPath)}${built.cached ? ' (unchanged inputs, reused)' : ''}, 0 diagnostics`,
    );
    lintTemplate(root, compiler);
    console.log('lint: 0 diagnostics (warnings count as errors)');
    return 0;
  } catch (error) {
    if (error instanceof BicepDiagnosticsError) {
      console.error(error.message);
      return 1;
    }
    throw error;
  }
}

process.exitCode = main();
