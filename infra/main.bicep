// Watt Watcher: everything `azd provision` creates, in one resource group (subscription scope, so the
// template owns its resource group: the azd convention).
//
// Keyless: a Flex Consumption (FC1) Function App, Node 22, reaches the runtime storage account, its own
// deployment container, the ADLS Gen2 lake, Key Vault and Application Insights with its system-assigned
// managed identity. Shared Key is disabled on both storage accounts; no key, SAS or storage connection
// string appears anywhere. `azd deploy` (azure.yaml, `host: function`) publishes the esbuild bundle to the
// deployment container through the Flex publish endpoint with the signed-in user's Entra token.
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('azd environment name: part of the resource group name and of the unique name suffix.')
param environmentName string

@minLength(1)
@description('Azure region for every resource. It must offer Flex Consumption, and an Azure for Students subscription allows only a few regions (docs/DEPLOY.md).')
@metadata({
  azd: {
    type: 'location'
  }
})
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

@allowed([
  512
  2048
  4096
])
@description('Flex Consumption instance memory (MB). The app needs about 250 MB.')
param instanceMemoryMB int = 512

@minValue(1)
@maxValue(1000)
@description('Flex Consumption maximum instance count: a cost guard (one Durable partition needs few workers).')
param maximumInstanceCount int = 2

@minValue(1)
@description('Monthly cost budget for the resource group, in the billing currency.')
param monthlyBudget int = 84

@minLength(3)
@description('E-mail address for budget and daily-cap alerts (azd: BUDGET_ALERT_EMAIL).')
param alertEmail string

@minLength(10)
@maxLength(10)
@description('First day of the budget period, yyyy-MM-01, set once (azd env BUDGET_START_DATE): a budget\'s start date cannot change.')
param budgetStartDate string

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
var serviceName = 'ingestion' // services.ingestion in azure.yaml: azd finds the app by this tag
var taskHubName = 'WattWatcherHub' // extensions.durableTask.hubName in host.json
var lakeFilesystemName = 'bronze'

var names = {
  resourceGroup: !empty(resourceGroupName) ? resourceGroupName : 'rg-${environmentName}'
  functionApp: !empty(functionAppName) ? functionAppName : 'func-ww-${resourceToken}'
  plan: !empty(appServicePlanName) ? appServicePlanName : 'plan-ww-${resourceToken}'
  runtimeStorage: !empty(runtimeStorageAccountName) ? runtimeStorageAccountName : 'stww${resourceToken}'
  lakeStorage: !empty(lakeStorageAccountName) ? lakeStorageAccountName : 'dlsww${resourceToken}'
  keyVault: !empty(keyVaultName) ? keyVaultName : 'kv-ww-${resourceToken}'
  logAnalytics: !empty(logAnalyticsName) ? logAnalyticsName : 'log-ww-${resourceToken}'
  appInsights: !empty(appInsightsName) ? appInsightsName : 'appi-ww-${resourceToken}'
  // Budget names: at most 63 characters.
  budget: take('budget-ww-${environmentName}', 63)
  // Blob container names: 3-63 lowercase letters, digits and hyphens.
  deploymentContainer: 'app-package-${resourceToken}'
}

resource rg 'Microsoft.Resources/resourceGroups@2025-04-01' = {
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
    alertEmail: alertEmail
  }
}

module runtimeStorage 'modules/runtime-storage.bicep' = {
  name: 'runtime-storage'
  scope: rg
  params: {
    location: location
    tags: tags
    name: names.runtimeStorage
    deploymentContainerName: names.deploymentContainer
  }
}

module lake 'modules/lake-storage.bicep' = {
  name: 'lake-storage'
  scope: rg
  params: {
    location: location
    tags: tags
    name: names.lakeStorage
    filesystemName: lakeFilesystemName
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
    workspaceId: monitoring.outputs.workspaceId
  }
}

module functionApp 'modules/function-app.bicep' = {
  name: 'function-app'
  scope: rg
  params: {
    location: location
    tags: union(tags, { 'azd-service-name': serviceName })
    name: names.functionApp
    planName: names.plan
    runtimeStorageAccountName: runtimeStorage.outputs.name
    deploymentContainerUrl: '${runtimeStorage.outputs.blobEndpoint}${names.deploymentContainer}'
    instanceMemoryMB: instanceMemoryMB
    maximumInstanceCount: maximumInstanceCount
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

// Names known at the start of the deployment (not module outputs) keep What-If precise; dependsOn
// orders the assignments after the resources they target.
module roles 'modules/role-assignments.bicep' = {
  name: 'role-assignments'
  scope: rg
  dependsOn: [
    functionApp
    runtimeStorage
    lake
    keyVault
    monitoring
  ]
  params: {
    functionAppName: names.functionApp
    runtimeStorageAccountName: names.runtimeStorage
    lakeStorageAccountName: names.lakeStorage
    lakeFilesystemName: lakeFilesystemName
    keyVaultName: names.keyVault
    appInsightsName: names.appInsights
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

// Outputs become azd environment values (azd env get-values) and feed the postdeploy hook.
output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name
output AZURE_FUNCTION_APP_URL string = 'https://${functionApp.outputs.defaultHostName}'
output AZURE_RUNTIME_STORAGE_ACCOUNT_NAME string = runtimeStorage.outputs.name
output AZURE_DEPLOYMENT_CONTAINER string = names.deploymentContainer
output AZURE_LAKE_STORAGE_ACCOUNT_NAME string = lake.outputs.name
output AZURE_LAKE_FILESYSTEM string = lake.outputs.filesystemName
output AZURE_KEY_VAULT_NAME string = keyVault.outputs.name
output AZURE_KEY_VAULT_URL string = keyVault.outputs.uri
output APPLICATIONINSIGHTS_NAME string = monitoring.outputs.appInsightsName
output AZURE_LOG_ANALYTICS_WORKSPACE_ID string = monitoring.outputs.workspaceCustomerId
output DURABLE_TASK_HUB_NAME string = taskHubName
