/**
 * Asserts on the ARM JSON that the real Bicep compiler makes of infra/main.bicep (build/infra/arm/main.json,
 * through tools/infra/bicep.ts, the code behind `npm run infra:check`). Without a compiler these tests are
 * skipped with a plain message, unless WATT_REQUIRE_BICEP=1.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FORBIDDEN_SECRET_VARIABLES } from '../../shared/config';
import { compileOrSkip, flatten, resolve, ROOT, type ArmTemplate, type Placed } from './arm';

const ROLE = {
  storageBlobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe',
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b',
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88',
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3',
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6',
  keyVaultSecretsOfficer: 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7',
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb',
  websiteContributor: 'de139f84-1756-47ae-9be6-808fbbe84772',
  reader: 'acdd72a7-3385-48ef-bd42-f606fba81ae7',
} as const;
const BROAD_ROLES = [
  '8e3af657-a8ff-443c-a75c-2fe8c4bcb635', // Owner
  'b24988ac-6180-42a0-ab88-20f7382dd24c', // Contributor
  '17d1049b-9a84-46fb-8f53-869881c3d3ab', // Storage Account Contributor (can list keys)
  '18d7d88d-d35e-4fb5-a5c3-7773c20a72d9', // User Access Administrator
];

const compiled = compileOrSkip();
// Without a compiler the blocks' bodies (which read the template) are not run: each says why instead.
const describeCompiled = (name: string, body: () => void): void =>
  compiled.ok
    ? describe(name, body)
    : describe(name, () =>
        it('says plainly that no Bicep compiler was found', () => {
          expect(compiled.ok ? '' : compiled.reason).toMatch(/^no Bicep compiler found \(.+\)$/);
        }),
      );
const template = (compiled.ok ? compiled.built.template : { resources: [] }) as ArmTemplate;
const text = compiled.ok ? fs.readFileSync(compiled.built.armPath, 'utf8') : '';
const all = flatten(template);

const ofType = (type: string): Placed[] => all.filter((p) => p.resource.type === type);
const one = (type: string): Placed => {
  const found = ofType(type);
  if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
  return found[0]!;
};
const prop = (p: Placed, value: unknown): unknown => resolve(value, p);

describe('the Bicep compiler', () => {
  it(
    compiled.ok
      ? `compiled infra/main.bicep (bicep ${compiled.compiler})`
      : 'is missing: see the warning above',
    () => {
      if (compiled.ok) expect(compiled.built.template).toHaveProperty('$schema');
    },
  );
});

describeCompiled('compiled template: resource types and API versions', () => {
  it('declares exactly these resources, each at a current API version', () => {
    const declared = [...new Set(all.map((p) => `${p.resource.type}@${p.resource.apiVersion}`))].sort();
    expect(declared).toEqual(
      [
        'Microsoft.Authorization/roleAssignments@2022-04-01',
        'Microsoft.Consumption/budgets@2024-08-01',
        'Microsoft.Insights/actionGroups@2023-01-01',
        'Microsoft.Insights/components@2020-02-02',
        'Microsoft.Insights/diagnosticSettings@2021-05-01-preview',
        'Microsoft.Insights/scheduledQueryRules@2023-12-01',
        'Microsoft.KeyVault/vaults@2024-11-01',
        'Microsoft.OperationalInsights/workspaces@2025-02-01',
        'Microsoft.Resources/deployments@2025-04-01',
        'Microsoft.Resources/resourceGroups@2025-04-01',
        'Microsoft.Storage/storageAccounts/blobServices/containers@2025-01-01',
        'Microsoft.Storage/storageAccounts/blobServices@2025-01-01',
        'Microsoft.Storage/storageAccounts@2025-01-01',
        'Microsoft.Web/serverfarms@2024-11-01',
        'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-11-01',
        'Microsoft.Web/sites/config@2024-11-01',
        'Microsoft.Web/sites@2024-11-01',
      ].sort(),
    );
  });

  it('targets the subscription and creates the resource group', () => {
    expect(template.$schema).toContain('subscriptionDeploymentTemplate.json');
    expect(one('Microsoft.Resources/resourceGroups').resource.name).toBe(
      "[variables('names').resourceGroup]",
    );
  });

  it('has no listKeys, account key, SAS, keyed connection string or deployment-time date anywhere', () => {
    expect(text).not.toMatch(/listKeys|listAccountSas|listServiceSas/i);
    expect(text).not.toMatch(/AccountKey=|DefaultEndpointsProtocol|SharedAccessSignature/);
    expect(text).not.toMatch(/utcNow/);
  });
});

describeCompiled('compiled template: Flex Consumption function app', () => {
  const site = one('Microsoft.Web/sites');
  const config = site.resource.properties.functionAppConfig;
  const settings = one('Microsoft.Web/sites/config');
  const appSettings = new Map(Object.entries(settings.resource.properties as Record<string, unknown>));

  it('runs on an FC1 FlexConsumption Linux plan', () => {
    const plan = one('Microsoft.Web/serverfarms').resource;
    expect(plan.sku).toEqual({ name: 'FC1', tier: 'FlexConsumption' });
    expect(plan.properties.reserved).toBe(true);
    expect(site.resource.kind).toBe('functionapp,linux');
    expect(site.resource.identity).toEqual({ type: 'SystemAssigned' });
  });

  it('runs Node 22 on 512 MB instances with at most 2 of them', () => {
    expect(config.runtime).toEqual({ name: 'node', version: '22' });
    expect(prop(site, config.scaleAndConcurrency.instanceMemoryMB)).toBe(512);
    expect(prop(site, config.scaleAndConcurrency.maximumInstanceCount)).toBe(2);
    expect(site.resource.properties.siteConfig.linuxFxVersion).toBeUndefined();
  });

  it('deploys to a blob container of the runtime account reached with the system identity', () => {
    expect(config.deployment.storage.type).toBe('blobContainer');
    expect(config.deployment.storage.authentication).toEqual({ type: 'SystemAssignedIdentity' });
    const url = String(prop(site, config.deployment.storage.value));
    expect(url).toMatch(/'runtime-storage'.*outputs\.blobEndpoint\.value/);
    expect(url).toContain("format('app-package-{0}'");
    const container = ofType('Microsoft.Storage/storageAccounts/blobServices/containers').find(
      (p) => p.module === 'runtime-storage',
    )!;
    expect(String(prop(container, container.resource.name))).toContain("format('app-package-{0}'");
    expect(container.resource.properties.publicAccess).toBe('None');
  });

  it('is tagged for azd as the `ingestion` service of azure.yaml', () => {
    expect(String(prop(site, site.resource.tags))).toContain("createObject('azd-service-name', 'ingestion')");
  });

  it('reaches host storage by identity and sets no setting that Flex rejects', () => {
    expect(prop(settings, appSettings.get('AzureWebJobsStorage__accountName'))).toMatch(/'runtime-storage'/);
    expect(appSettings.get('AzureWebJobsStorage__credential')).toBe('managedidentity');
    for (const name of [
      'AzureWebJobsStorage',
      'FUNCTIONS_WORKER_RUNTIME',
      'FUNCTIONS_EXTENSION_VERSION',
      'WEBSITE_RUN_FROM_PACKAGE',
      'WEBSITE_CONTENTSHARE',
      'WEBSITE_CONTENTAZUREFILECONNECTIONSTRING',
      'WEBSITE_NODE_DEFAULT_VERSION',
    ]) {
      expect([name, appSettings.has(name)]).toEqual([name, false]);
    }
  });

  it('sets every environment variable shared/config.ts reads, except platform and local-only ones', () => {
    const source = fs.readFileSync(path.join(ROOT, 'shared', 'config.ts'), 'utf8');
    const read = new Set<string>();
    for (const m of source.matchAll(
      /\b(?:str|int|url)\('([A-Z][A-Z0-9_]+)'|\benv(?:\.|\[')([A-Z][A-Z0-9_]+)/g,
    )) {
      read.add((m[1] ?? m[2])!);
    }
    const platformOrLocal = new Set([
      'WEBSITE_INSTANCE_ID',
      'WEBSITE_SITE_NAME',
      'LOCAL_LAKE_DIR',
      'LOCAL_SECRETS_FILE',
      'LAKE_DFS_ENDPOINT',
    ]);
    expect(read.size).toBeGreaterThan(10);
    expect([...read].filter((v) => !platformOrLocal.has(v) && !appSettings.has(v))).toEqual([]);
    expect(prop(settings, appSettings.get('LAKE_FILESYSTEM'))).toMatch(/'lake-storage'.*filesystemName/);
    expect(appSettings.get('RTE_DATASETS')).toBe('eco2mix-regional-tr,eco2mix-national-tr');
  });

  it('never sets a secret value as an app setting; telemetry needs an Entra token', () => {
    for (const name of FORBIDDEN_SECRET_VARIABLES) expect(appSettings.has(name)).toBe(false);
    expect(appSettings.get('APPLICATIONINSIGHTS_AUTHENTICATION_STRING')).toBe('Authorization=AAD');
    const insights = one('Microsoft.Insights/components');
    expect(prop(insights, insights.resource.properties.DisableLocalAuth)).toBe(true);
  });

  it('is HTTPS only with TLS 1.2, FTPS off and basic publishing credentials off for ftp and scm', () => {
    expect(site.resource.properties.httpsOnly).toBe(true);
    expect(site.resource.properties.siteConfig).toMatchObject({
      minTlsVersion: '1.2',
      ftpsState: 'Disabled',
    });
    const policies = ofType('Microsoft.Web/sites/basicPublishingCredentialsPolicies');
    expect(policies.map((p) => String(prop(p, p.resource.name)).match(/'(ftp|scm)'/)?.[1]).sort()).toEqual([
      'ftp',
      'scm',
    ]);
    for (const p of policies) expect(p.resource.properties.allow).toBe(false);
  });
});

describeCompiled('compiled template: storage', () => {
  const accounts = ofType('Microsoft.Storage/storageAccounts');

  it('has exactly the runtime account and the lake, both keyless, TLS 1.2, no public blobs', () => {
    expect(accounts.map((a) => a.module).sort()).toEqual(['lake-storage', 'runtime-storage']);
    for (const a of accounts) {
      expect(a.resource.properties).toMatchObject({
        allowSharedKeyAccess: false,
        allowBlobPublicAccess: false,
        minimumTlsVersion: 'TLS1_2',
        supportsHttpsTrafficOnly: true,
        defaultToOAuthAuthentication: true,
      });
    }
  });

  it('the lake has a hierarchical namespace and a private `bronze` filesystem; the runtime account has none', () => {
    const hns = Object.fromEntries(accounts.map((a) => [a.module, a.resource.properties.isHnsEnabled]));
    expect(hns).toEqual({ 'lake-storage': true, 'runtime-storage': false });
    const bronze = ofType('Microsoft.Storage/storageAccounts/blobServices/containers').find(
      (p) => p.module === 'lake-storage',
    )!;
    expect(prop(bronze, bronze.resource.name)).toMatch(/'default', 'bronze'\)$/);
  });
});

describeCompiled('compiled template: role assignments', () => {
  const assignments = ofType('Microsoft.Authorization/roleAssignments').map((p) => ({
    role: String(prop(p, p.resource.properties.roleDefinitionId)).match(/'([0-9a-f-]{36})'/)?.[1],
    scope: String(prop(p, p.resource.scope ?? '[resourceGroup().id]')),
    principal: String(prop(p, p.resource.properties.principalId)),
    condition: p.resource.condition === undefined ? undefined : String(prop(p, p.resource.condition)),
    module: p.module,
  }));
  const forApp = assignments.filter((a) => a.principal.includes("'Microsoft.Web/sites'"));

  it('all live in the role-assignments module', () => {
    expect(assignments.length).toBeGreaterThan(0);
    expect(new Set(assignments.map((a) => a.module))).toEqual(new Set(['role-assignments']));
  });

  it('give the app identity Blob Data Contributor on the `bronze` filesystem only, not the lake account', () => {
    const lake = forApp.filter((a) => a.scope.includes("'dlsww{0}'"));
    expect(lake).toHaveLength(1);
    expect(lake[0]!.role).toBe(ROLE.storageBlobDataContributor);
    expect(lake[0]!.scope).toMatch(
      /^resourceId\('Microsoft\.Storage\/storageAccounts\/blobServices\/containers', .*'dlsww\{0\}'.*, 'default', 'bronze'\)$/,
    );
  });

  it('give the app identity Blob Data Owner, Queue and Table Data Contributor on the runtime account', () => {
    const runtime = forApp.filter((a) => a.scope.includes("'stww{0}'"));
    expect(runtime.every((a) => a.scope.startsWith("resourceId('Microsoft.Storage/storageAccounts', "))).toBe(
      true,
    );
    expect(runtime.map((a) => a.role).sort()).toEqual(
      [ROLE.storageBlobDataOwner, ROLE.storageQueueDataContributor, ROLE.storageTableDataContributor].sort(),
    );
  });

  it('give the app identity Secrets User on the vault and Metrics Publisher on App Insights, nothing more', () => {
    expect(forApp).toHaveLength(6);
    const elsewhere = forApp.filter((a) => !a.scope.includes("'dlsww{0}'") && !a.scope.includes("'stww{0}'"));
    expect(elsewhere.map((a) => [a.role, a.scope.match(/resourceId\('([^']+)'/)?.[1]]).sort()).toEqual(
      [
        [ROLE.keyVaultSecretsUser, 'Microsoft.KeyVault/vaults'],
        [ROLE.monitoringMetricsPublisher, 'Microsoft.Insights/components'],
      ].sort(),
    );
    for (const a of forApp) expect(a.condition).toBeUndefined();
  });

  it('give the deployer and the CI principal narrow roles, only when their ids are given', () => {
    const others = assignments.filter((a) => !forApp.includes(a));
    expect(others.map((a) => [a.role, a.condition]).sort()).toEqual(
      [
        [ROLE.keyVaultSecretsOfficer, "not(empty(''))"],
        [ROLE.websiteContributor, "not(empty(''))"],
        [ROLE.reader, "not(empty(''))"],
      ].sort(),
    );
  });

  it('never grant Owner, Contributor, User Access Administrator or Storage Account Contributor', () => {
    for (const a of assignments) expect(BROAD_ROLES).not.toContain(a.role);
  });
});

describeCompiled('compiled template: monitoring, Key Vault, budget, parameters', () => {
  it('sends the Key Vault AuditEvent log to the Log Analytics workspace', () => {
    const diag = one('Microsoft.Insights/diagnosticSettings');
    expect(diag.module).toBe('keyvault');
    expect(diag.resource.scope).toBe("[resourceId('Microsoft.KeyVault/vaults', parameters('name'))]");
    expect(diag.resource.properties.logs).toEqual([{ category: 'AuditEvent', enabled: true }]);
    expect(prop(diag, diag.resource.properties.workspaceId)).toMatch(
      /'monitoring'.*outputs\.workspaceId\.value/,
    );
  });

  it('caps the workspace at 0.15 GB a day and e-mails the alert address when the cap stops ingestion', () => {
    const workspace = one('Microsoft.OperationalInsights/workspaces');
    expect(prop(workspace, workspace.resource.properties.workspaceCapping.dailyQuotaGb)).toBe("json('0.15')");
    const rule = one('Microsoft.Insights/scheduledQueryRules');
    const query: string = rule.resource.properties.criteria.allOf[0].query;
    expect(query).toContain('_LogOperation');
    expect(query).toContain('OverQuota');
    expect(prop(rule, rule.resource.properties.scopes[0])).toMatch(
      /Microsoft\.OperationalInsights\/workspaces/,
    );
    const group = one('Microsoft.Insights/actionGroups');
    expect(prop(group, group.resource.properties.emailReceivers[0].emailAddress)).toBe(
      "parameters('alertEmail')",
    );
  });

  it('takes the budget start date, amount and a name of at most 63 characters from parameters', () => {
    const budget = one('Microsoft.Consumption/budgets');
    expect(prop(budget, budget.resource.properties.timePeriod.startDate)).toBe(
      "parameters('budgetStartDate')",
    );
    expect(template.parameters?.budgetStartDate?.defaultValue).toBeUndefined();
    expect(prop(budget, budget.resource.properties.amount)).toBe(84);
    expect(prop(budget, budget.resource.name)).toBe(
      "take(format('budget-ww-{0}', parameters('environmentName')), 63)",
    );
  });

  it('marks `location` as an azd location parameter', () => {
    expect(template.parameters?.location?.metadata).toMatchObject({ azd: { type: 'location' } });
  });

  it('gets every required parameter from main.parameters.json and sets no unknown one', () => {
    const file = JSON.parse(fs.readFileSync(path.join(ROOT, 'infra', 'main.parameters.json'), 'utf8'));
    const given = new Set(Object.keys(file.parameters));
    const params = Object.entries(template.parameters ?? {});
    const required = params.filter(([, p]) => p.defaultValue === undefined).map(([n]) => n);
    expect(required.filter((n) => !given.has(n))).toEqual([]);
    expect([...given].filter((n) => !(template.parameters ?? {})[n])).toEqual([]);
    expect(file.parameters.budgetStartDate.value).toBe('${BUDGET_START_DATE}');
  });

  it('outputs what azd and the postdeploy hook read, and the task hub of host.json', () => {
    const host = JSON.parse(fs.readFileSync(path.join(ROOT, 'host.json'), 'utf8'));
    expect(template.outputs?.DURABLE_TASK_HUB_NAME?.value).toBe("[variables('taskHubName')]");
    expect(template.variables?.taskHubName).toBe(host.extensions.durableTask.hubName);
    const azureYaml = fs.readFileSync(path.join(ROOT, 'azure.yaml'), 'utf8');
    const used = new Set([...azureYaml.matchAll(/\$(?:env:)?\{?(AZURE_[A-Z_]+)/g)].map((m) => m[1]!));
    const provided = new Set([
      ...Object.keys(template.outputs ?? {}),
      'AZURE_SUBSCRIPTION_ID',
      'AZURE_ENV_NAME',
    ]);
    expect(used.size).toBeGreaterThan(2);
    expect([...used].filter((v) => !provided.has(v))).toEqual([]);
  });
});
