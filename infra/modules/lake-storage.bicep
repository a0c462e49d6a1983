// The Bronze lake: an ADLS Gen2 account (hierarchical namespace) with the `bronze` filesystem.
// Data lands under rte/production/YYYY/MM/DD/ and heartbeats under audit/ingestion/YYYY/MM/DD/.
// Only Entra ID: shared keys off, no public blob access, TLS 1.2, HTTPS only.
param location string
param tags object
param name string
param filesystemName string

resource lake 'Microsoft.Storage/storageAccounts@2025-01-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    accessTier: 'Hot'
    isHnsEnabled: true
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    allowCrossTenantReplication: false
    publicNetworkAccess: 'Enabled' // no private endpoints in this template
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2025-01-01' = {
  parent: lake
  name: 'default'
  properties: {
    containerDeleteRetentionPolicy: {
      enabled: true
      days: 7
    }
  }
}

// An ADLS Gen2 filesystem is a blob container on an HNS account.
resource bronze 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-01-01' = {
  parent: blobService
  name: filesystemName
  properties: {
    publicAccess: 'None'
  }
}

output name string = lake.name
output id string = lake.id
output dfsEndpoint string = lake.properties.primaryEndpoints.dfs
output filesystemName string = bronze.name
