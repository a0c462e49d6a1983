// Flex Consumption (FC1) Function App, Node 22, Functions v4, system-assigned identity.
// The runtime and its version live in functionAppConfig, not in app settings (Flex rejects
// FUNCTIONS_WORKER_RUNTIME, FUNCTIONS_EXTENSION_VERSION and WEBSITE_RUN_FROM_PACKAGE). Code is read from
// a blob container of the runtime account with the app's own identity: no content share, no key.
param location string
param tags object
param name string
param planName string

param runtimeStorageAccountName string
@description('Blob container URL for deployment packages (no SAS: reached with the managed identity).')
param deploymentContainerUrl string
param instanceMemoryMB int
param maximumInstanceCount int
param lakeStorageAccountName string
param lakeFilesystemName string
param keyVaultUri string
param appInsightsConnectionString string

param ingestionSchedule string
@allowed([
  'none'
  'apikey'
  'oauth2'
])
param rteAuthMode string
param rteApiBaseUrl string
param rteMonthlyCallBudget int

resource plan 'Microsoft.Web/serverfarms@2024-11-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true // Linux
  }
}

resource site 'Microsoft.Web/sites@2024-11-01' = {
  name: name
  location: location
  tags: tags
  kind: 'functionapp,linux'
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    clientAffinityEnabled: false
    siteConfig: {
      minTlsVersion: '1.2'
      scmMinTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: deploymentContainerUrl
          authentication: {
            type: 'SystemAssignedIdentity'
          }
        }
      }
      scaleAndConcurrency: {
        instanceMemoryMB: instanceMemoryMB
        maximumInstanceCount: maximumInstanceCount
      }
      runtime: {
        name: 'node'
        version: '22'
      }
    }
  }
}

resource appSettings 'Microsoft.Web/sites/config@2024-11-01' = {
  parent: site
  name: 'appsettings'
  properties: {
    // Fail the host loudly if main.js cannot load, instead of running with zero functions.
    FUNCTIONS_NODE_BLOCK_ON_ENTRY_POINT_ERROR: 'true'
    // Identity-based host storage (and Durable task hub): no connection string, no key.
    AzureWebJobsStorage__accountName: runtimeStorageAccountName
    AzureWebJobsStorage__credential: 'managedidentity'
    // Endpoint + instrumentation key, not a storage credential; ingestion needs the Entra token below.
    APPLICATIONINSIGHTS_CONNECTION_STRING: appInsightsConnectionString
    APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'Authorization=AAD'
    INGESTION_SCHEDULE: ingestionSchedule
    RTE_API_BASE_URL: rteApiBaseUrl
    RTE_DATASETS: 'eco2mix-regional-tr,eco2mix-national-tr'
    RTE_REQUEST_TIMEOUT_MS: '30000'
    RTE_AUTH_MODE: rteAuthMode
    RTE_OAUTH_TOKEN_URL: 'https://digital.iservices.rte-france.com/token/oauth'
    // Secret NAMES in Key Vault, never secret values.
    RTE_API_KEY_SECRET_NAME: 'rte-api-key'
    RTE_CLIENT_ID_SECRET_NAME: 'rte-client-id'
    RTE_CLIENT_SECRET_SECRET_NAME: 'rte-client-secret'
    KEY_VAULT_URL: keyVaultUri
    SECRET_CACHE_TTL_SECONDS: '3600'
    STORAGE_ACCOUNT_NAME: lakeStorageAccountName
    LAKE_FILESYSTEM: lakeFilesystemName
    INGESTION_LOOKBACK_HOURS: '3'
    INGESTION_MAX_RUN_SPAN_DAYS: '7'
    INGESTION_MAX_BACKFILL_DAYS: '366'
    INGESTION_PARALLELISM: '4'
    RTE_MONTHLY_CALL_BUDGET: string(rteMonthlyCallBudget)
    INGESTION_GAP_HORIZON_HOURS: '24'
    INGESTION_GAP_GIVE_UP_DAYS: '14'
    INGESTION_GAP_SWEEP_HOUR_UTC: '4'
    INGESTION_GAP_SWEEP_MAX_CALLS: '20'
    INGESTION_HISTORY_RETENTION_DAYS: '30'
  }
}

// Basic (user/password) publishing credentials off for both FTP and the SCM site: azd and CI publish
// with Entra ID tokens.
resource ftpCredentials 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-11-01' = {
  parent: site
  name: 'ftp'
  properties: {
    allow: false
  }
}

resource scmCredentials 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-11-01' = {
  parent: site
  name: 'scm'
  properties: {
    allow: false
  }
}

output name string = site.name
output id string = site.id
output principalId string = site.identity.principalId
output defaultHostName string = site.properties.defaultHostName
