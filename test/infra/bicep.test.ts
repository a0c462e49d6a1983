/**
 * Static checks of infra/*.bicep (no Bicep compiler on this machine): a comment-stripping,
 * string-aware brace matcher finds each `resource` and `module` block, and the assertions read the
 * properties that make the deployment keyless and least-privilege.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FORBIDDEN_SECRET_VARIABLES } from '../../shared/config';

const ROOT = path.resolve(__dirname, '..', '..');
const INFRA = path.join(ROOT, 'infra');

const ROLE = {
  storageBlobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe',
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b',
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88',
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3',
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6',
  keyVaultSecretsOfficer: 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7',
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb',
  websiteContributor: 'de139f84-1756-47ae-9be6-808fbbe84772',
} as const;
const BROAD_ROLES = [
  '8e3af657-a8ff-443c-a75c-2fe8c4bcb635', // Owner
  'b24988ac-6180-42a0-ab88-20f7382dd24c', // Contributor
  '17d1049b-9a84-46fb-8f53-869881c3d3ab', // Storage Account Contributor (can list keys)
  '18d7d88d-d35e-4fb5-a5c3-7773c20a72d9', // User Access Administrator
];

// ---------------------------------------------------------------------------------------------
// A small Bicep reader.

type Frame = { kind: 'code'; depth: number } | { kind: 'str' };

/** Removes // and /* *\/ comments outside string literals (keeps line breaks). */
function stripComments(text: string): string {
  let out = '';
  const stack: Frame[] = [{ kind: 'code', depth: 0 }];
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    const top = stack[stack.length - 1]!;
    if (top.kind === 'str') {
      out += c;
      if (c === '\\') out += text[++i] ?? '';
      else if (c === "'") stack.pop();
      else if (c === '$' && text[i + 1] === '{') {
        out += '{';
        i++;
        stack.push({ kind: 'code', depth: 1 });
      }
      continue;
    }
    if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
      out += '\n';
      continue;
    }
    if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 1;
      continue;
    }
    out += c;
    if (c === "'") stack.push({ kind: 'str' });
    else if (c === '{') top.depth++;
    else if (c === '}' && stack.length > 1 && --top.depth === 0) stack.pop();
  }
  return out;
}

/** Index of the `}` closing the `{` at `open`, skipping braces inside strings. */
function closingBrace(text: string, open: number): number {
  const stack: Frame[] = [{ kind: 'code', depth: 0 }];
  for (let i = open; i < text.length; i++) {
    const c = text[i]!;
    const top = stack[stack.length - 1]!;
    if (top.kind === 'str') {
      if (c === '\\') i++;
      else if (c === "'") stack.pop();
      else if (c === '$' && text[i + 1] === '{') {
        i++;
        stack.push({ kind: 'code', depth: 1 });
      }
      continue;
    }
    if (c === "'") stack.push({ kind: 'str' });
    else if (c === '{') top.depth++;
    else if (c === '}') {
      top.depth--;
      if (top.depth === 0) {
        if (stack.length === 1) return i;
        stack.pop();
      }
    }
  }
  throw new Error(`unbalanced braces from offset ${open}`);
}

interface Block {
  file: string;
  kind: 'resource' | 'module';
  symbol: string;
  type: string; // resource type, or module path
  existing: boolean;
  condition: string | null;
  body: string;
}

function blocks(file: string, text: string): Block[] {
  const found: Block[] = [];
  const re = /^[ \t]*(resource|module)\s+(\w+)\s+'([^']+)'\s+(existing\s+)?=\s*(?:if\s*\((.*)\)\s*)?\{/gm;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const open = m.index + m[0].length - 1;
    const close = closingBrace(text, open);
    found.push({
      file,
      kind: m[1] as 'resource' | 'module',
      symbol: m[2]!,
      type: m[1] === 'resource' ? m[3]!.split('@')[0]! : m[3]!,
      existing: Boolean(m[4]),
      condition: m[5] ?? null,
      body: text.slice(open, close + 1),
    });
  }
  return found;
}

/** Top-level `key: value` lines of the object literal that follows `key: {` in a block body. */
function objectEntries(body: string, key: string): Map<string, string> {
  const at = body.search(new RegExp(`\\b${key}:\\s*\\{`));
  if (at < 0) throw new Error(`no ${key} object`);
  const open = body.indexOf('{', at);
  const inner = body.slice(open + 1, closingBrace(body, open));
  const entries = new Map<string, string>();
  let depth = 0;
  for (const line of inner.split('\n')) {
    const m = /^\s*(\w+):\s*(.+?)\s*$/.exec(line);
    if (depth === 0 && m) entries.set(m[1]!, m[2]!);
    depth += (line.match(/[{[]/g) ?? []).length - (line.match(/[}\]]/g) ?? []).length;
  }
  return entries;
}

function prop(body: string, name: string): string | undefined {
  return new RegExp(`^\\s*${name}:\\s*(.+?)\\s*$`, 'm').exec(body)?.[1];
}

const files = new Map<string, string>();
for (const dir of [INFRA, path.join(INFRA, 'modules')]) {
  for (const f of fs.readdirSync(dir)) {
    if (f.endsWith('.bicep'))
      files.set(path.relative(INFRA, path.join(dir, f)), fs.readFileSync(path.join(dir, f), 'utf8'));
  }
}
const code = new Map([...files].map(([f, t]) => [f, stripComments(t)]));
const allBlocks = [...code].flatMap(([f, t]) => blocks(f, t));

function only(predicate: (b: Block) => boolean, what: string): Block {
  const hits = allBlocks.filter(predicate);
  if (hits.length !== 1) throw new Error(`expected exactly one ${what}, found ${hits.length}`);
  return hits[0]!;
}
const resourceOfType = (type: string, existing = false): Block =>
  only((b) => b.kind === 'resource' && b.type === type && b.existing === existing, type);
const moduleBlock = (symbol: string): Block =>
  only((b) => b.file === 'main.bicep' && b.kind === 'module' && b.symbol === symbol, `module ${symbol}`);

function codeOf(file: string): string {
  const t = code.get(file);
  if (t === undefined) throw new Error(`missing infra/${file}`);
  return t;
}

const site = resourceOfType('Microsoft.Web/sites');
const appSettings = new Map<string, string>();
for (const m of site.body.matchAll(/\{\s*name:\s*'([^']+)'\s*value:\s*([^\n]+?)\s*\}/g)) {
  if (appSettings.has(m[1]!)) throw new Error(`duplicate app setting ${m[1]}`);
  appSettings.set(m[1]!, m[2]!);
}
const functionAppParams = objectEntries(moduleBlock('functionApp').body, 'params');

/** Follows an app-setting value that is a function-app.bicep parameter back to what main.bicep passes. */
function suppliedByMain(setting: string): string | undefined {
  const v = appSettings.get(setting);
  return v === undefined ? undefined : functionAppParams.get(v);
}

// ---------------------------------------------------------------------------------------------

describe('bicep reader', () => {
  it('ignores braces and comment markers inside strings', () => {
    const text =
      "resource a 'T@1' = {\n  x: '${f('}')}//'\n  y: 1 // }\n}\nresource b 'U@2' existing = {\n}\n";
    const stripped = stripComments(text);
    expect(stripped).toContain("x: '${f('}')}//'");
    expect(stripped).not.toContain('// }');
    expect(blocks('t', stripped).map((b) => [b.symbol, b.type, b.existing])).toEqual([
      ['a', 'T', false],
      ['b', 'U', true],
    ]);
  });
});

describe('main.bicep', () => {
  const main = codeOf('main.bicep');

  it('targets the subscription and creates the resource group', () => {
    expect(main).toMatch(/^targetScope = 'subscription'$/m);
    expect(resourceOfType('Microsoft.Resources/resourceGroups').file).toBe('main.bicep');
  });

  it('exposes the outputs azd and the deploy hook use', () => {
    const outputs = [...main.matchAll(/^output (\w+) /gm)].map((m) => m[1]);
    expect(outputs).toEqual(
      expect.arrayContaining([
        'AZURE_LOCATION',
        'AZURE_TENANT_ID',
        'AZURE_RESOURCE_GROUP',
        'AZURE_FUNCTION_APP_NAME',
        'AZURE_FUNCTION_APP_URL',
        'AZURE_RUNTIME_STORAGE_ACCOUNT_NAME',
        'AZURE_DEPLOYMENT_CONTAINER',
        'AZURE_DEPLOYMENT_PACKAGE_BLOB',
        'AZURE_LAKE_STORAGE_ACCOUNT_NAME',
        'AZURE_KEY_VAULT_NAME',
        'AZURE_KEY_VAULT_URL',
        'APPLICATIONINSIGHTS_NAME',
        'DURABLE_TASK_HUB_NAME',
      ]),
    );
  });

  it('defaults names to a uniqueString token and the schedule to every 15 minutes', () => {
    expect(main).toContain(
      'var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))',
    );
    expect(main).toContain("param ingestionSchedule string = '0 */15 * * * *'");
    expect(main).toMatch(
      /@allowed\(\[\s*'none'\s*'apikey'\s*'oauth2'\s*\]\)\s*(@description\('[^']*'\)\s*)?param rteAuthMode string = 'none'/,
    );
  });

  it('uses the task hub named in host.json', () => {
    const host = JSON.parse(fs.readFileSync(path.join(ROOT, 'host.json'), 'utf8'));
    expect(main).toContain(`var taskHubName = '${host.extensions.durableTask.hubName}'`);
  });

  it('has a budget of 84 by default with 80% actual and 100% forecast alerts to the alert e-mail', () => {
    expect(main).toContain('param monthlyBudget int = 84');
    expect(main).toContain('param alertEmail string\n');
    const budgetModule = moduleBlock('budget');
    expect(budgetModule.condition).toBe('deployBudget');
    expect(objectEntries(budgetModule.body, 'params').get('amount')).toBe('monthlyBudget');
    expect(budgetModule.body).toMatch(/contactEmails: \[\s*alertEmail\s*\]/);
    const budget = resourceOfType('Microsoft.Consumption/budgets');
    expect(prop(budget.body, 'timeGrain')).toBe("'Monthly'");
    const notifications = objectEntries(budget.body, 'notifications');
    const thresholds = [...notifications.keys()].map((k) => {
      const n = objectEntries(budget.body, k);
      return [n.get('threshold'), n.get('thresholdType'), n.get('enabled'), n.get('contactEmails')];
    });
    expect(thresholds).toEqual(
      expect.arrayContaining([
        ['80', "'Actual'", 'true', 'contactEmails'],
        ['100', "'Forecasted'", 'true', 'contactEmails'],
      ]),
    );
  });

  it('every required parameter gets a value from main.parameters.json, and no unknown one is set', () => {
    const params = [...main.matchAll(/^param (\w+) (\w+)( = .*)?$/gm)];
    const declared = new Set(params.map((m) => m[1]));
    const required = params.filter((m) => m[3] === undefined).map((m) => m[1]);
    const file = JSON.parse(fs.readFileSync(path.join(INFRA, 'main.parameters.json'), 'utf8'));
    const supplied = Object.keys(file.parameters as object);
    expect(supplied.filter((p) => !declared.has(p))).toEqual([]);
    expect(required.filter((p) => !supplied.includes(p!))).toEqual([]);
  });
});

describe('function app', () => {
  it('runs on the Linux Consumption plan (Y1/Dynamic) with Node 20 and Functions v4', () => {
    const plan = resourceOfType('Microsoft.Web/serverfarms');
    expect(objectEntries(plan.body, 'sku')).toEqual(
      new Map([
        ['name', "'Y1'"],
        ['tier', "'Dynamic'"],
      ]),
    );
    expect(prop(plan.body, 'reserved')).toBe('true');
    expect(prop(site.body, 'kind')).toBe("'functionapp,linux'");
    expect(prop(site.body, 'linuxFxVersion')).toBe("'NODE|20'");
    expect(appSettings.get('FUNCTIONS_EXTENSION_VERSION')).toBe("'~4'");
    expect(appSettings.get('FUNCTIONS_WORKER_RUNTIME')).toBe("'node'");
  });

  it('has a system-assigned managed identity', () => {
    expect(objectEntries(site.body, 'identity')).toEqual(new Map([['type', "'SystemAssigned'"]]));
  });

  it('is HTTPS only with TLS 1.2, FTPS disabled and basic publishing credentials off for ftp and scm', () => {
    expect(prop(site.body, 'httpsOnly')).toBe('true');
    expect(prop(site.body, 'minTlsVersion')).toBe("'1.2'");
    expect(prop(site.body, 'scmMinTlsVersion')).toBe("'1.2'");
    expect(prop(site.body, 'ftpsState')).toBe("'Disabled'");
    const policies = allBlocks.filter(
      (b) => b.type === 'Microsoft.Web/sites/basicPublishingCredentialsPolicies',
    );
    expect(
      policies.map((p) => [prop(p.body, 'parent'), prop(p.body, 'name'), prop(p.body, 'allow')]).sort(),
    ).toEqual([
      [site.symbol, "'ftp'", 'false'],
      [site.symbol, "'scm'", 'false'],
    ]);
  });

  it('connects to host storage by identity and runs from a package fetched by the system identity', () => {
    expect(suppliedByMain('AzureWebJobsStorage__accountName')).toBe('runtimeStorage.outputs.name');
    expect(appSettings.get('AzureWebJobsStorage__credential')).toBe("'managedidentity'");
    expect(appSettings.get('WEBSITE_RUN_FROM_PACKAGE_BLOB_MI_RESOURCE_ID')).toBe("'SystemAssigned'");
    expect(suppliedByMain('WEBSITE_RUN_FROM_PACKAGE')).toBe(
      "'${runtimeStorage.outputs.blobEndpoint}${deploymentContainerName}/${packageBlobName}'",
    );
    for (const keyed of [
      'AzureWebJobsStorage',
      'WEBSITE_CONTENTAZUREFILECONNECTIONSTRING',
      'WEBSITE_CONTENTSHARE',
    ]) {
      expect(appSettings.has(keyed)).toBe(false);
    }
  });

  it('sets every setting the app reads, wired to the right resources', () => {
    const required = [
      'INGESTION_SCHEDULE',
      'RTE_API_BASE_URL',
      'RTE_DATASETS',
      'RTE_REQUEST_TIMEOUT_MS',
      'RTE_AUTH_MODE',
      'RTE_OAUTH_TOKEN_URL',
      'RTE_API_KEY_SECRET_NAME',
      'RTE_CLIENT_ID_SECRET_NAME',
      'RTE_CLIENT_SECRET_SECRET_NAME',
      'KEY_VAULT_URL',
      'SECRET_CACHE_TTL_SECONDS',
      'STORAGE_ACCOUNT_NAME',
      'LAKE_FILESYSTEM',
      'INGESTION_LOOKBACK_HOURS',
      'INGESTION_MAX_RUN_SPAN_DAYS',
      'INGESTION_MAX_BACKFILL_DAYS',
      'INGESTION_PARALLELISM',
      'RTE_MONTHLY_CALL_BUDGET',
      'AzureWebJobsStorage__accountName',
      'FUNCTIONS_WORKER_RUNTIME',
      'APPLICATIONINSIGHTS_CONNECTION_STRING',
    ];
    expect(required.filter((s) => !appSettings.has(s))).toEqual([]);
    expect(suppliedByMain('STORAGE_ACCOUNT_NAME')).toBe('lake.outputs.name');
    expect(suppliedByMain('LAKE_FILESYSTEM')).toBe('lake.outputs.filesystemName');
    expect(suppliedByMain('KEY_VAULT_URL')).toBe('keyVault.outputs.uri');
    expect(suppliedByMain('INGESTION_SCHEDULE')).toBe('ingestionSchedule');
    expect(suppliedByMain('RTE_AUTH_MODE')).toBe('rteAuthMode');
    expect(suppliedByMain('APPLICATIONINSIGHTS_CONNECTION_STRING')).toBe(
      'monitoring.outputs.appInsightsConnectionString',
    );
    expect(appSettings.get('RTE_DATASETS')).toBe("'eco2mix-regional-tr,eco2mix-national-tr'");
  });

  it('sets every environment variable shared/config.ts reads, except local-only ones', () => {
    const source = fs.readFileSync(path.join(ROOT, 'shared', 'config.ts'), 'utf8');
    const read = new Set<string>();
    for (const m of source.matchAll(
      /\b(?:str|int|url)\('([A-Z][A-Z0-9_]+)'|\benv(?:\.|\[')([A-Z][A-Z0-9_]+)/g,
    )) {
      read.add((m[1] ?? m[2])!);
    }
    const platformOrLocal = new Set([
      'WEBSITE_INSTANCE_ID', // set by the platform
      'WEBSITE_SITE_NAME', // set by the platform
      'LOCAL_LAKE_DIR', // local lake only
      'LOCAL_SECRETS_FILE', // local secrets only
      'LAKE_DFS_ENDPOINT', // derived from STORAGE_ACCOUNT_NAME in Azure
    ]);
    expect(read.size).toBeGreaterThan(10);
    expect([...read].filter((v) => !platformOrLocal.has(v) && !appSettings.has(v))).toEqual([]);
  });

  it('never sets a secret value, key or storage connection string as an app setting', () => {
    for (const name of FORBIDDEN_SECRET_VARIABLES) expect(appSettings.has(name)).toBe(false);
    const secretLooking = [...appSettings.keys()].filter((n) =>
      /KEY|SECRET|PASSWORD|TOKEN|CONNECTION|SAS/i.test(n),
    );
    // Each of these is an address, a TTL or a secret's NAME, except the App Insights connection string:
    // an ingestion endpoint + instrumentation key (not a storage or API credential), which with
    // DisableLocalAuth cannot ingest on its own (Entra ID auth required).
    expect(secretLooking.sort()).toEqual([
      'APPLICATIONINSIGHTS_CONNECTION_STRING',
      'KEY_VAULT_URL',
      'RTE_API_KEY_SECRET_NAME',
      'RTE_CLIENT_ID_SECRET_NAME',
      'RTE_CLIENT_SECRET_SECRET_NAME',
      'RTE_OAUTH_TOKEN_URL',
      'SECRET_CACHE_TTL_SECONDS',
    ]);
    expect(appSettings.get('APPLICATIONINSIGHTS_AUTHENTICATION_STRING')).toBe("'Authorization=AAD'");
    expect(prop(resourceOfType('Microsoft.Insights/components').body, 'DisableLocalAuth')).toBe(
      'disableLocalAuth',
    );
    expect(codeOf('modules/monitoring.bicep')).toContain('param disableLocalAuth bool = true');
    for (const value of appSettings.values())
      expect(value).not.toMatch(/AccountKey|SharedAccessSignature|sig=|listKeys/i);
  });

  it('has no listKeys, account keys, SAS or keyed connection strings anywhere in infra code', () => {
    for (const [file, text] of code) {
      expect([file, text]).not.toEqual([
        file,
        expect.stringMatching(/listKeys\(|listAccountSas|listServiceSas/i),
      ]);
      expect([file, text]).not.toEqual([
        file,
        expect.stringMatching(/AccountKey|DefaultEndpointsProtocol|SharedAccessSignature/),
      ]);
      expect([file, text]).not.toEqual([file, expect.stringMatching(/@secure\(\)/)]);
    }
  });
});

describe('storage accounts', () => {
  const accounts = allBlocks.filter((b) => b.type === 'Microsoft.Storage/storageAccounts' && !b.existing);
  const lake = only(
    (b) => b.file === 'modules/lake-storage.bicep' && b.type === 'Microsoft.Storage/storageAccounts',
    'lake',
  );
  const runtime = only(
    (b) => b.file === 'modules/runtime-storage.bicep' && b.type === 'Microsoft.Storage/storageAccounts',
    'runtime account',
  );

  it('are exactly the lake and the runtime account, both TLS 1.2, HTTPS only, no public blob access', () => {
    expect(accounts.map((a) => a.file).sort()).toEqual([
      'modules/lake-storage.bicep',
      'modules/runtime-storage.bicep',
    ]);
    for (const a of accounts) {
      expect(prop(a.body, 'minimumTlsVersion')).toBe("'TLS1_2'");
      expect(prop(a.body, 'supportsHttpsTrafficOnly')).toBe('true');
      expect(prop(a.body, 'allowBlobPublicAccess')).toBe('false');
      expect(prop(a.body, 'defaultToOAuthAuthentication')).toBe('true');
    }
  });

  it('disable shared key access (the runtime account through a parameter defaulting to false)', () => {
    expect(prop(lake.body, 'allowSharedKeyAccess')).toBe('false');
    expect(prop(runtime.body, 'allowSharedKeyAccess')).toBe('allowSharedKeyAccess');
    expect(codeOf('modules/runtime-storage.bicep')).toContain('param allowSharedKeyAccess bool = false');
  });

  it('the lake has a hierarchical namespace and a private bronze filesystem; the runtime account does not', () => {
    expect(prop(lake.body, 'isHnsEnabled')).toBe('true');
    expect(prop(runtime.body, 'isHnsEnabled')).toBe('false');
    const lakeFile = codeOf('modules/lake-storage.bicep');
    expect(lakeFile).toContain("param filesystemName string = 'bronze'");
    const container = only(
      (b) =>
        b.file === 'modules/lake-storage.bicep' &&
        b.type === 'Microsoft.Storage/storageAccounts/blobServices/containers',
      'bronze container',
    );
    const blobService = only(
      (b) =>
        b.file === 'modules/lake-storage.bicep' &&
        b.type === 'Microsoft.Storage/storageAccounts/blobServices',
      'lake blob service',
    );
    expect(prop(container.body, 'parent')).toBe(blobService.symbol);
    expect(prop(blobService.body, 'parent')).toBe(lake.symbol);
    expect(prop(container.body, 'name')).toBe('filesystemName');
    expect(prop(container.body, 'publicAccess')).toBe("'None'");
    expect(objectEntries(moduleBlock('lake').body, 'params').get('filesystemName')).toBe("'bronze'");
  });

  it('the runtime account has a private deployments container for the package', () => {
    const container = only(
      (b) =>
        b.file === 'modules/runtime-storage.bicep' &&
        b.type === 'Microsoft.Storage/storageAccounts/blobServices/containers',
      'deployments container',
    );
    expect(prop(container.body, 'publicAccess')).toBe("'None'");
    expect(codeOf('main.bicep')).toContain("var deploymentContainerName = 'deployments'");
    expect(codeOf('main.bicep')).toContain("var packageBlobName = 'watt-watcher.zip'");
  });
});

describe('key vault and monitoring', () => {
  it('Key Vault uses RBAC, soft delete and parameterised purge protection, with no access policies', () => {
    const vault = resourceOfType('Microsoft.KeyVault/vaults');
    expect(prop(vault.body, 'enableRbacAuthorization')).toBe('true');
    expect(prop(vault.body, 'enableSoftDelete')).toBe('true');
    expect(prop(vault.body, 'enablePurgeProtection')).toBe('enablePurgeProtection ? true : null');
    expect(prop(vault.body, 'softDeleteRetentionInDays')).toBe('softDeleteRetentionInDays');
    expect(vault.body).not.toContain('accessPolicies');
    expect(codeOf('main.bicep')).toContain('param keyVaultEnablePurgeProtection bool = false');
  });

  it('Application Insights is workspace-based and the workspace has a daily cap parameter', () => {
    const ai = resourceOfType('Microsoft.Insights/components');
    const workspace = resourceOfType('Microsoft.OperationalInsights/workspaces');
    expect(prop(ai.body, 'WorkspaceResourceId')).toBe(`${workspace.symbol}.id`);
    expect(objectEntries(workspace.body, 'workspaceCapping').get('dailyQuotaGb')).toBe('json(dailyCapGb)');
    expect(objectEntries(moduleBlock('monitoring').body, 'params').get('dailyCapGb')).toBe('logDailyCapGb');
    expect(codeOf('main.bicep')).toContain("param logDailyCapGb string = '0.15'");
  });
});

describe('role assignments', () => {
  interface Assignment {
    symbol: string;
    role: string;
    scope: string;
    principal: string;
    principalType: string;
    condition: string | null;
    nameArgs: string;
  }
  const assignments: Assignment[] = allBlocks
    .filter((b) => b.type === 'Microsoft.Authorization/roleAssignments')
    .map((b) => {
      const role =
        /roleDefinitionId:\s*subscriptionResourceId\('Microsoft\.Authorization\/roleDefinitions', '([0-9a-f-]{36})'\)/.exec(
          b.body,
        );
      if (!role) throw new Error(`${b.symbol}: roleDefinitionId is not a literal built-in role id`);
      return {
        symbol: b.symbol,
        role: role[1]!,
        scope: prop(b.body, 'scope') ?? '(deployment scope)',
        principal: prop(b.body, 'principalId')!,
        principalType: prop(b.body, 'principalType')!,
        condition: b.condition,
        nameArgs: /name:\s*guid\((.*)\)\s*$/m.exec(b.body)?.[1] ?? '',
      };
    });
  const rolesFile = 'modules/role-assignments.bicep';
  /** What an `existing` scope symbol in role-assignments.bicep points at: its type and name parameter. */
  const scopeTarget = (symbol: string): [string, string] => {
    const b = only((x) => x.file === rolesFile && x.symbol === symbol && x.existing, `existing ${symbol}`);
    return [b.type, prop(b.body, 'name')!];
  };
  const rolesParams = objectEntries(moduleBlock('roles').body, 'params');

  it('all live in role-assignments.bicep with unique, deterministic names', () => {
    expect(
      allBlocks
        .filter((b) => b.type === 'Microsoft.Authorization/roleAssignments')
        .every((b) => b.file === rolesFile),
    ).toBe(true);
    for (const a of assignments) {
      expect(a.nameArgs).toBe(`${a.scope}.id, ${a.principal}, '${a.role}'`);
    }
    expect(new Set(assignments.map((a) => a.nameArgs)).size).toBe(assignments.length);
  });

  it('give the Function App identity exactly the six data roles, each on the right resource', () => {
    const fn = assignments.filter((a) => a.principal === 'functionPrincipalId');
    expect(fn.map((a) => [a.role, ...scopeTarget(a.scope)]).sort()).toEqual(
      [
        [ROLE.storageBlobDataContributor, 'Microsoft.Storage/storageAccounts', 'lakeStorageAccountName'],
        [ROLE.storageBlobDataOwner, 'Microsoft.Storage/storageAccounts', 'runtimeStorageAccountName'],
        [ROLE.storageQueueDataContributor, 'Microsoft.Storage/storageAccounts', 'runtimeStorageAccountName'],
        [ROLE.storageTableDataContributor, 'Microsoft.Storage/storageAccounts', 'runtimeStorageAccountName'],
        [ROLE.keyVaultSecretsUser, 'Microsoft.KeyVault/vaults', 'keyVaultName'],
        [ROLE.monitoringMetricsPublisher, 'Microsoft.Insights/components', 'appInsightsName'],
      ].sort(),
    );
    for (const a of fn) {
      expect(a.condition).toBeNull();
      expect(a.principalType).toBe("'ServicePrincipal'");
    }
  });

  it('resolve those scopes to the lake, runtime, vault and App Insights that main.bicep creates', () => {
    expect(rolesParams.get('functionPrincipalId')).toBe('functionApp.outputs.principalId');
    expect(rolesParams.get('lakeStorageAccountName')).toBe('lake.outputs.name');
    expect(rolesParams.get('runtimeStorageAccountName')).toBe('runtimeStorage.outputs.name');
    expect(rolesParams.get('keyVaultName')).toBe('keyVault.outputs.name');
    expect(rolesParams.get('appInsightsName')).toBe('monitoring.outputs.appInsightsName');
    expect(moduleBlock('lake').type).toBe('modules/lake-storage.bicep');
    expect(moduleBlock('runtimeStorage').type).toBe('modules/runtime-storage.bicep');
    expect(moduleBlock('keyVault').type).toBe('modules/keyvault.bicep');
    expect(moduleBlock('monitoring').type).toBe('modules/monitoring.bicep');
  });

  it('scope the deployer and CI roles narrowly, and only when their principal ids are given', () => {
    const others = assignments.filter((a) => a.principal !== 'functionPrincipalId');
    expect(others.map((a) => [a.principal, a.role, scopeTarget(a.scope)[0], a.condition]).sort()).toEqual(
      [
        [
          'deployerPrincipalId',
          ROLE.keyVaultSecretsOfficer,
          'Microsoft.KeyVault/vaults',
          '!empty(deployerPrincipalId)',
        ],
        [
          'deployerPrincipalId',
          ROLE.storageBlobDataContributor,
          'Microsoft.Storage/storageAccounts/blobServices/containers',
          '!empty(deployerPrincipalId)',
        ],
        [
          'ciPrincipalId',
          ROLE.storageBlobDataContributor,
          'Microsoft.Storage/storageAccounts/blobServices/containers',
          '!empty(ciPrincipalId)',
        ],
        ['ciPrincipalId', ROLE.websiteContributor, 'Microsoft.Web/sites', '!empty(ciPrincipalId)'],
      ].sort(),
    );
    expect(scopeTarget('deploymentContainer')[1]).toBe('deploymentContainerName');
    expect(rolesParams.get('deploymentContainerName')).toBe('deploymentContainerName');
  });

  it('never grant Owner, Contributor, User Access Administrator or Storage Account Contributor', () => {
    expect(assignments.filter((a) => BROAD_ROLES.includes(a.role))).toEqual([]);
    const everyGuid = [...code.values()].flatMap((t) => [
      ...t.matchAll(/'([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})'/g),
    ]);
    expect(everyGuid.map((m) => m[1]).filter((g) => !Object.values(ROLE).includes(g as never))).toEqual([]);
  });
});

describe('azd, CI and publish ignore files', () => {
  const azureYaml = fs.readFileSync(path.join(ROOT, 'azure.yaml'), 'utf8');
  const workflow = fs.readFileSync(path.join(ROOT, '.github', 'workflows', 'deploy.yml'), 'utf8');
  const outputs = new Set([...codeOf('main.bicep').matchAll(/^output (\w+) /gm)].map((m) => m[1]));

  it('azure.yaml provisions infra/main.bicep and uploads the package with Entra ID, never a key', () => {
    expect(azureYaml).toMatch(/^infra:\n\s+provider: bicep\n\s+path: infra\n\s+module: main$/m);
    expect(azureYaml).toContain('postprovision:');
    expect(azureYaml).toContain('npm run package -- --out watt-watcher.zip');
    expect(azureYaml.match(/az storage blob upload --auth-mode login/g)).toHaveLength(2);
    expect(azureYaml).not.toMatch(/--account-key|--sas-token|--connection-string|AZURE_STORAGE_KEY/);
  });

  it('azure.yaml only reads environment values that main.bicep outputs', () => {
    const used = new Set([...azureYaml.matchAll(/\$(?:env:)?\{?(AZURE_[A-Z_]+)/g)].map((m) => m[1]));
    expect(used.size).toBeGreaterThan(3);
    expect([...used].filter((v) => !outputs.has(v))).toEqual([]);
  });

  it('the workflow tests, packages and logs in with OIDC (no client secret) before uploading', () => {
    expect(workflow).toMatch(/permissions:\n\s+contents: read\n\s+id-token: write/);
    expect(workflow).toContain('node-version: 20');
    expect(workflow).toContain('cache: npm');
    const order = [
      'run: npm ci',
      'run: npm test',
      'run: npm run package',
      'uses: azure/login@',
      'az storage blob upload --auth-mode login',
    ];
    const positions = order.map((s) => workflow.indexOf(s));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(workflow).toMatch(/client-id: \$\{\{ vars\.AZURE_CLIENT_ID \}\}/);
    expect(workflow).not.toMatch(/client-secret|creds:|AZURE_CREDENTIALS|--account-key|publish-profile/);
  });

  it('.funcignore keeps tests, tooling, local settings and sources out of a func publish', () => {
    const lines = fs.readFileSync(path.join(ROOT, '.funcignore'), 'utf8').split('\n');
    for (const entry of [
      'test/',
      'tools/',
      'infra/',
      '.ci/',
      '.github/',
      'docs/',
      'coverage/',
      '.durable/',
      'data/',
      'local.settings.json',
      'local.secrets.json',
      '.env',
      '*.ts',
      'tsconfig*.json',
    ]) {
      expect(lines).toContain(entry);
    }
  });
});
