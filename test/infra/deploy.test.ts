/**
 * The deploy path around the template: azure.yaml (azd), the GitHub workflow, host.json's sampling and
 * the bundle target. Read as data (YAML / JSON), not as text patterns where a parser exists.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { FN } from '../../shared/constants';
import { ROOT } from './arm';
import { parseArgs as parsePackageArgs } from '../../tools/package/args';

const read = (...parts: string[]): string => fs.readFileSync(path.join(ROOT, ...parts), 'utf8');

interface Hook {
  readonly shell: string;
  readonly run: string;
}
type Hooks = Record<string, { posix: Hook; windows: Hook }>;

describe('azure.yaml', () => {
  const azure = parse(read('azure.yaml')) as {
    infra: Record<string, string>;
    services: Record<string, { project: string; language: string; host: string; dist: string; hooks: Hooks }>;
    hooks: Hooks;
  };

  it('provisions infra/main.bicep and deploys one function service with azd (no upload hook)', () => {
    expect(azure.infra).toEqual({ provider: 'bicep', path: 'infra', module: 'main' });
    expect(azure.services).toEqual({
      ingestion: expect.objectContaining({
        project: '.',
        language: 'js',
        host: 'function',
        dist: 'dist-package',
      }),
    });
    expect(Object.keys(azure.hooks).sort()).toEqual(['postdeploy', 'preprovision']);
  });

  it('builds the esbuild bundle in the prepackage hook, into the folder azd deploys', () => {
    const hook = azure.services.ingestion!.hooks.prepackage!;
    expect(hook.posix.run).toBe('npm run package');
    expect(hook.windows.run).toContain('npm run package');
    // `npm run package` with no flags stages the package where azure.yaml's `dist` points
    const root = path.resolve('/project');
    expect(parsePackageArgs([], root).stagingDir).toBe(path.join(root, azure.services.ingestion!.dist));
  });

  it('uses no storage key, SAS, connection string or blob upload anywhere', () => {
    expect(read('azure.yaml')).not.toMatch(
      /--account-key|--sas-token|--connection-string|AZURE_STORAGE_KEY|blob upload/,
    );
  });

  it('pins the budget start date once, only when the environment has none', () => {
    const hook = azure.hooks.preprovision!.posix.run;
    expect(hook).toContain('if [ -z "$(azd env get-value BUDGET_START_DATE');
    expect(hook).toContain('azd env set BUDGET_START_DATE "$(date -u +%Y-%m-01)"');
  });

  it('checks after deploy, on the right subscription, that the host indexed the timer function', () => {
    for (const hook of [azure.hooks.postdeploy!.posix.run, azure.hooks.postdeploy!.windows.run]) {
      expect(hook).toMatch(/az functionapp function list --subscription "?\$(env:)?AZURE_SUBSCRIPTION_ID/);
      expect(hook).toContain(FN.timerStarter);
      expect(hook).toMatch(/exit 1/);
    }
  });
});

describe('GitHub workflow', () => {
  const text = read('.github', 'workflows', 'deploy.yml');
  const workflow = parse(text) as {
    permissions: Record<string, string>;
    jobs: Record<
      string,
      {
        steps: { uses?: string; run?: string; with?: Record<string, unknown> }[];
        env?: Record<string, string>;
        permissions?: Record<string, string>;
      }
    >;
  };
  const steps = Object.values(workflow.jobs).flatMap((j) => j.steps);

  it('pins every action by a full commit SHA', () => {
    const uses = steps.flatMap((s) => (s.uses ? [s.uses] : []));
    expect(uses.length).toBeGreaterThanOrEqual(5);
    for (const u of uses) expect(u).toMatch(/^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/);
  });

  it('runs on Node 22, requires the Bicep compiler and runs infra:check', () => {
    for (const s of steps.filter((s) => s.uses?.startsWith('actions/setup-node@'))) {
      expect(s.with).toMatchObject({ 'node-version': 22, 'package-manager-cache': false });
    }
    expect(workflow.jobs.test!.env).toEqual({ WATT_REQUIRE_BICEP: '1' });
    expect(workflow.jobs.test!.steps.map((s) => s.run).filter(Boolean)).toEqual([
      'npm ci --no-audit --no-fund',
      'npm test',
      'npm run infra:check',
    ]);
  });

  it('deploys with azd after the tests, logged in by OIDC only', () => {
    expect(workflow.permissions).toEqual({ contents: 'read' });
    expect(workflow.jobs.deploy!.permissions).toEqual({ contents: 'read', 'id-token': 'write' });
    expect(workflow.jobs.deploy!.steps.at(-1)!.run).toBe('azd deploy ingestion --no-prompt');
    expect(text).toContain('--federated-credential-provider github');
    expect(text).not.toMatch(/client-secret|creds:|AZURE_CREDENTIALS|--account-key|publish-profile/);
  });
});

describe('host.json and the bundle', () => {
  it('never samples traces (the heartbeat is a trace), requests or exceptions', () => {
    const host = JSON.parse(read('host.json'));
    const excluded: string = host.logging.applicationInsights.samplingSettings.excludedTypes;
    expect(excluded.split(';').sort()).toEqual(['Exception', 'Request', 'Trace']);
  });

  it('bundles for the Node version the app is deployed on, which engines allows', () => {
    expect(read('tools', 'package', 'package.ts')).toMatch(/target: 'node22'/);
    const engines = (JSON.parse(read('package.json')) as { engines: { node: string } }).engines.node;
    expect(engines).toMatch(/\^20\..* \|\| \^22\./);
  });
});
