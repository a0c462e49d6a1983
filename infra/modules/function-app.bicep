// Linux Consumption (Y1/Dynamic) Function App, Node 20, Functions v4, system-assigned identity.
// Runs from a package URL in the runtime account's private `deployments` container, fetched with the
// system identity, so the app needs no Azure Files content share and therefore no
// WEBSITE_CONTENTAZUREFILECONNECTIONSTRING (a storage key). See the trade-off note in main.bicep.
param location string
param tags object
param name string
param planName string

param runtimeStorageAccountName string
@description('Blob URL of the deployment zip (no SAS: fetched with the managed identity).')
param packageUrl string
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

@description('At most this many instances: a cost guard (one Durable partition needs few workers).')
param functionAppScaleLimit int = 2

resource plan 'Microsoft.Web/serverfarms@2023-12-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'Y1'
    tier: 'Dynamic'
  }
  properties: {
    reserved: true // Linux
  }
}

resource site 'Microsoft.Web/sites@2023-12-01' = {
  name: name
  location: location
  tags: tags
  kind: 'functionapp,linux'
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    serverFarmId: plan.id
    reserved: true
    httpsOnly: true
    clientAffinityEnabled: false
    siteConfig: {
      linuxFxVersion: 'NODE|20'
      minTlsVersion: '1.2'
      scmMinTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
      functionAppScaleLimit: functionAppScaleLimit
      appSettings: [
        {
          name: 'FUNCTIONS_EXTENSION_VERSION'
          value: '~4'
        }
        {
          name: 'FUNCTIONS_WORKER_RUNTIME'
          value: 'node'
        }
        {
          // Fail the host loudly if main.js cannot load, instead of running with zero functions.
          name: 'FUNCTIONS_NODE_BLOCK_ON_ENTRY_POINT_ERROR'
          value: 'true'
        }
        {
          // Identity-based host storage (and Durable task hub): no connection string, no key.
          name: 'AzureWebJobsStorage__accountName'
          value: runtimeStorageAccountName
        }
        {
          name: 'AzureWebJobsStorage__credential'
          value: 'managedidentity'
        }
        {
          name: 'WEBSITE_RUN_FROM_PACKAGE'
          value: packageUrl
        }
        {
          name: 'WEBSITE_RUN_FROM_PACKAGE_BLOB_MI_RESOURCE_ID'
          value: 'SystemAssigned'
        }
        {
          // Endpoint + instrumentation key, not a storage credential; ingestion needs the Entra token below.
          name: 'APPLICATIONINSIGHTS_CONNECTION_STRING'
          value: appInsightsConnectionString
        }
        {
          name: 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING'
          value: 'Authorization=AAD'
        }
        {
          name: 'INGESTION_SCHEDULE'
          value: ingestionSchedule
        }
        {
          name: 'RTE_API_BASE_URL'
          value: rteApiBaseUrl
        }
        {
          name: 'RTE_DATASETS'
          value: 'eco2mix-regional-tr,eco2mix-national-tr'
        }
        {
          name: 'RTE_REQUEST_TIMEOUT_MS'
          value: '30000'
        }
        {
          name: 'RTE_AUTH_MODE'
          value: rteAuthMode
        }
        {
          name: 'RTE_OAUTH_TOKEN_URL'
          value: 'https://digital.iservices.rte-france.com/token/oauth'
        }
        {
          // Secret NAMES in Key Vault, never secret values.
          name: 'RTE_API_KEY_SECRET_NAME'
          value: 'rte-api-key'
        }
        {
          name: 'RTE_CLIENT_ID_SECRET_NAME'
          value: 'rte-client-id'
        }
        {
          name: 'RTE_CLIENT_SECRET_SECRET_NAME'
          value: 'rte-client-secret'
        }
        {
          name: 'KEY_VAULT_URL'
          value: keyVaultUri
        }
        {
          name: 'SECRET_CACHE_TTL_SECONDS'
          value: '3600'
        }
        {
          name: 'STORAGE_ACCOUNT_NAME'
          value: lakeStorageAccountName
        }
        {
          name: 'LAKE_FILESYSTEM'
          value: lakeFilesystemName
        }
        {
          name: 'INGESTION_LOOKBACK_HOURS'
          value: '3'
        }
        {
          name: 'INGESTION_MAX_RUN_SPAN_DAYS'
          value: '7'
        }
        {
          name: 'INGESTION_MAX_BACKFILL_DAYS'
          value: '366'
        }
        {
          name: 'INGESTION_PARALLELISM'
          value: '4'
        }
        {
          name: 'RTE_MONTHLY_CALL_BUDGET'
          value: string(rteMonthlyCallBudget)
        }
      ]
    }
  }
}

// Basic (user/password) publishing credentials off for both FTP and the SCM (Kudu) site.
resource ftpCredentials 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2023-12-01' = {
  parent: site
  name: 'ftp'
  properties: {
    allow: false
  }
}

resource scmCredentials 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2023-12-01' = {
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
