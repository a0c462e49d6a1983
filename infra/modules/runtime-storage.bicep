// The Functions runtime account: AzureWebJobsStorage (host locks, timer schedule status, function keys),
// the Durable Functions task hub (WattWatcherHub control/work-item queues, Instances/History tables, lease
// blobs), and the private `deployments` container holding the run-from-package zip.
// The app connects with its managed identity (AzureWebJobsStorage__accountName), so shared keys are off.
// No hierarchical namespace here: the Functions host storage must be a plain general-purpose v2 account.
param location string
param tags object
param name string
param deploymentContainerName string

@description('Shared Key (account key / SAS) authorization. Off: every client uses Entra ID.')
param allowSharedKeyAccess bool = false

resource account 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    accessTier: 'Hot'
    isHnsEnabled: false
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    allowBlobPublicAccess: false
    allowSharedKeyAccess: allowSharedKeyAccess
    defaultToOAuthAuthentication: true
    allowCrossTenantReplication: false
    publicNetworkAccess: 'Enabled' // the Consumption plan has no VNet integration
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: account
  name: 'default'
}

resource deployments 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: deploymentContainerName
  properties: {
    publicAccess: 'None'
  }
}

output name string = account.name
output id string = account.id
output blobEndpoint string = account.properties.primaryEndpoints.blob
