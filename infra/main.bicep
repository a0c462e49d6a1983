// Watt Watcher: everything `azd provision` creates, in one resource group.
// Subscription scope so the template owns its resource group (the azd template convention).
//
// Keyless by design: the Function App reaches the runtime storage account, the ADLS Gen2 lake, Key Vault
// and Application Insights with its SYSTEM-ASSIGNED managed identity. No storage key, SAS or storage
// connection string appears in any app setting.
//
// Trade-off (documented in docs/DEPLOY.md): a Linux Consumption app normally keeps its code on an Azure
// Files content share, configured with WEBSITE_CONTENTAZUREFILECONNECTIONSTRING, which is a storage
// account KEY (Azure Files has no identity-based connection for this). We drop the content share and run
// from a package URL instead: the zip lives in the private `deployments` container of the runtime account,
// WEBSITE_RUN_FROM_PACKAGE points at its blob URL, and the platform fetches it with the system identity
// (WEBSITE_RUN_FROM_PACKAGE_BLOB_MI_RESOURCE_ID = SystemAssigned). Costs of that choice: no portal
// editing, no file-system log streaming (use Application Insights), a restart + trigger sync after each
// upload, and no `zipdeploy`/`func publish`/`azd deploy` push (they need a storage key on Linux Consumption).
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('azd environment name: part of the resource group name and of the unique name suffix.')
param environmentName string

@minLength(1)
@description('Azure region for every resource.')
param location string

@description('Resource names. Empty means derived from the environment (uniqueString suffix).')
param resourceGroupName string = ''
param functionAppName string = ''
param appServicePlanName string = ''
param runtimeStorageAccountName string = ''
param lakeStorageAccountName string = ''
param keyVaultName string = ''
param logAnalyticsName string = ''
param appInsightsName string = ''

@description('NCRONTAB (six fields, seconds first) for the ingestion timer: INGESTION_SCHEDULE.')
param ingestionSchedule string = '0 */15 * * * *'

@allowed([
  'none'
  'apikey'
  'oauth2'
])
@description('RTE_AUTH_MODE: none (public ODRE API), apikey or oauth2 (secrets in Key Vault).')
param rteAuthMode string = 'none'

@description('RTE_API_BASE_URL.')
param rteApiBaseUrl string = 'https://odre.opendatasoft.com'

@description('RTE_MONTHLY_CALL_BUDGET: the API calls the app allows itself per month.')
param rteMonthlyCallBudget int = 50000

@description('Monthly cost budget for the resource group, in the billing currency (USD assumed).')
param monthlyBudget int = 84

@minLength(3)
@description('E-mail address for budget alerts (azd: BUDGET_ALERT_EMAIL).')
param alertEmail string

@description('First day of the budget period (yyyy-MM-dd, first of a month). Pin it if a later re-provision is refused for changing it.')
param budgetStartDate string = utcNow('yyyy-MM-01')

@description('Create the Consumption budget (some offer types, e.g. some CSP subscriptions, do not support it).')
param deployBudget bool = true

@description('Log Analytics daily ingestion cap in GB (a decimal number as text); -1 for none.')
param logDailyCapGb string = '0.15'

@minValue(30)
@maxValue(730)
param logRetentionDays int = 30

@description('Key Vault purge protection: recommended for production; it cannot be turned off once on.')
param keyVaultEnablePurgeProtection bool = false

@minValue(7)
@maxValue(90)
param keyVaultSoftDeleteRetentionDays int = 7

@description('Object id of the person or principal running azd (AZURE_PRINCIPAL_ID); empty to skip its roles.')
param principalId string = ''

@allowed([
  'User'
  'ServicePrincipal'
])
param principalType string = 'User'

@description('Object id of the CI (GitHub OIDC) service principal; empty to skip its roles.')
param ciPrincipalId string = ''

var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = {
  'azd-env-name': environmentName
  project: 'watt-watcher'
}
var taskHubName = 'WattWatcherHub' // extensions.durableTask.hubName in host.json
var deploymentContainerName = 'deployments'
var packageBlobName = 'watt-watcher.zip'

var names = {
  resourceGroup: !empty(resourceGroupName) ? resourceGroupName : 'rg-${environmentName}'
  functionApp: !empty(functionAppName) ? functionAppName : 'func-ww-${resourceToken}'
  plan: !empty(appServicePlanName) ? appServicePlanName : 'plan-ww-${resourceToken}'
  runtimeStorage: !empty(runtimeStorageAccountName) ? runtimeStorageAccountName : 'stww${resourceToken}'
  lakeStorage: !empty(lakeStorageAccountName) ? lakeStorageAccountName : 'dlsww${resourceToken}'
  keyVault: !empty(keyVaultName) ? keyVaultName : 'kv-ww-${resourceToken}'
  logAnalytics: !empty(logAnalyticsName) ? logAnalyticsName : 'log-ww-${resourceToken}'
  appInsights: !empty(appInsightsName) ? appInsightsName : 'appi-ww-${resourceToken}'
  budget: 'budget-ww-${environmentName}'
}

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: names.resourceGroup
  location: location
  tags: tags
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    location: location
    tags: tags
    logAnalyticsName: names.logAnalytics
    appInsightsName: names.appInsights
    dailyCapGb: logDailyCapGb
    retentionInDays: logRetentionDays
  }
}

module runtimeStorage 'modules/runtime-storage.bicep' = {
  name: 'runtime-storage'
  scope: rg
  params: {
    location: location
    tags: tags
    name: names.runtimeStorage
    deploymentContainerName: deploymentContainerName
  }
}

module lake 'modules/lake-storage.bicep' = {
  name: 'lake-storage'
  scope: rg
  params: {
    location: location
    tags: tags
    name: names.lakeStorage
    filesystemName: 'bronze'
  }
}

module keyVault 'modules/keyvault.bicep' = {
  name: 'keyvault'
  scope: rg
  params: {
    location: location
    tags: tags
    name: names.keyVault
    enablePurgeProtection: keyVaultEnablePurgeProtection
    softDeleteRetentionInDays: keyVaultSoftDeleteRetentionDays
  }
}

module functionApp 'modules/function-app.bicep' = {
  name: 'function-app'
  scope: rg
  params: {
    location: location
    tags: tags
    name: names.functionApp
    planName: names.plan
    runtimeStorageAccountName: runtimeStorage.outputs.name
    packageUrl: '${runtimeStorage.outputs.blobEndpoint}${deploymentContainerName}/${packageBlobName}'
    lakeStorageAccountName: lake.outputs.name
    lakeFilesystemName: lake.outputs.filesystemName
    keyVaultUri: keyVault.outputs.uri
    appInsightsConnectionString: monitoring.outputs.appInsightsConnectionString
    ingestionSchedule: ingestionSchedule
    rteAuthMode: rteAuthMode
    rteApiBaseUrl: rteApiBaseUrl
    rteMonthlyCallBudget: rteMonthlyCallBudget
  }
}

module roles 'modules/role-assignments.bicep' = {
  name: 'role-assignments'
  scope: rg
  params: {
    functionPrincipalId: functionApp.outputs.principalId
    functionAppName: functionApp.outputs.name
    runtimeStorageAccountName: runtimeStorage.outputs.name
    deploymentContainerName: deploymentContainerName
    lakeStorageAccountName: lake.outputs.name
    keyVaultName: keyVault.outputs.name
    appInsightsName: monitoring.outputs.appInsightsName
    deployerPrincipalId: principalId
    deployerPrincipalType: principalType
    ciPrincipalId: ciPrincipalId
  }
}

module budget 'modules/budget.bicep' = if (deployBudget) {
  name: 'budget'
  scope: rg
  params: {
    name: names.budget
    amount: monthlyBudget
    startDate: budgetStartDate
    contactEmails: [
      alertEmail
    ]
  }
}

// Outputs become azd environment values (azd env get-values) and feed the postprovision hook.
output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name
output AZURE_FUNCTION_APP_URL string = 'https://${functionApp.outputs.defaultHostName}'
output AZURE_RUNTIME_STORAGE_ACCOUNT_NAME string = runtimeStorage.outputs.name
output AZURE_DEPLOYMENT_CONTAINER string = deploymentContainerName
output AZURE_DEPLOYMENT_PACKAGE_BLOB string = packageBlobName
output AZURE_LAKE_STORAGE_ACCOUNT_NAME string = lake.outputs.name
output AZURE_LAKE_FILESYSTEM string = lake.outputs.filesystemName
output AZURE_KEY_VAULT_NAME string = keyVault.outputs.name
output AZURE_KEY_VAULT_URL string = keyVault.outputs.uri
output APPLICATIONINSIGHTS_NAME string = monitoring.outputs.appInsightsName
output AZURE_LOG_ANALYTICS_WORKSPACE_ID string = monitoring.outputs.workspaceCustomerId
output DURABLE_TASK_HUB_NAME string = taskHubName
