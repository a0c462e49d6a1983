// Least-privilege roles. Built-in role definition ids (Azure built-in roles reference):
//   ba92f5b4-2d11-453d-a403-e96b0029c9fe  Storage Blob Data Contributor
//   b7e6dc6d-f1e8-4753-8033-0f276bb0955b  Storage Blob Data Owner
//   974c5e8b-45b9-4653-ba55-5f855dd0fb88  Storage Queue Data Contributor
//   0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3  Storage Table Data Contributor
//   4633458b-17de-408a-b874-0445c86b69e6  Key Vault Secrets User
//   b86a8fe4-44ce-4948-aee5-eccb2c155cd7  Key Vault Secrets Officer
//   3913510d-42f4-4e42-8a64-420c390055eb  Monitoring Metrics Publisher
//   de139f84-1756-47ae-9be6-808fbbe84772  Website Contributor
//   acdd72a7-3385-48ef-bd42-f606fba81ae7  Reader
//
// Function App identity:
//   lake `bronze` filesystem  Storage Blob Data Contributor  (read/write Bronze files; no other container)
//   runtime account           Storage Blob Data Owner, Queue Data Contributor, Table Data Contributor
//                             (host storage + Durable task hub, as the Functions identity docs require;
//                             also covers the Flex deployment container)
//   key vault                 Key Vault Secrets User         (read secret values only)
//   application insights      Monitoring Metrics Publisher   (Entra ID telemetry ingestion)
// Deployer (azd user), optional: Secrets Officer on the vault (azd deploy itself needs only the
// subscription rights the deployer already has).
// CI principal, optional: Website Contributor on the app (publish), Reader on the resource group (azd
// finds the app by its azd-service-name tag).
param functionAppName string
param runtimeStorageAccountName string
param lakeStorageAccountName string
param lakeFilesystemName string
param keyVaultName string
param appInsightsName string
param deployerPrincipalId string = ''
@allowed([
  'User'
  'ServicePrincipal'
])
param deployerPrincipalType string = 'User'
param ciPrincipalId string = ''

var role = {
  blobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
  blobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  queueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  tableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  secretsUser: '4633458b-17de-408a-b874-0445c86b69e6'
  secretsOfficer: 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7'
  metricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
  websiteContributor: 'de139f84-1756-47ae-9be6-808fbbe84772'
  reader: 'acdd72a7-3385-48ef-bd42-f606fba81ae7'
}

resource lakeAccount 'Microsoft.Storage/storageAccounts@2025-01-01' existing = {
  name: lakeStorageAccountName

  resource blobService 'blobServices' existing = {
    name: 'default'

    resource bronze 'containers' existing = {
      name: lakeFilesystemName
    }
  }
}

resource runtimeAccount 'Microsoft.Storage/storageAccounts@2025-01-01' existing = {
  name: runtimeStorageAccountName
}

resource vault 'Microsoft.KeyVault/vaults@2024-11-01' existing = {
  name: keyVaultName
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: appInsightsName
}

resource functionApp 'Microsoft.Web/sites@2024-11-01' existing = {
  name: functionAppName
}

// ---- Function App (system-assigned identity) ----
// Assignment names come from the app's name (known at the start of the deployment), the principal id
// is read at deployment time. A deleted and re-created app of the same name needs its old assignments
// removed first (azd down removes them with the resource group).

var functionPrincipalId = functionApp.identity.principalId

resource lakeBlobDataContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(lakeAccount::blobService::bronze.id, functionAppName, role.blobDataContributor)
  scope: lakeAccount::blobService::bronze
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role.blobDataContributor)
    principalId: functionPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource runtimeBlobDataOwner 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(runtimeAccount.id, functionAppName, role.blobDataOwner)
  scope: runtimeAccount
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role.blobDataOwner)
    principalId: functionPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource runtimeQueueDataContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(runtimeAccount.id, functionAppName, role.queueDataContributor)
  scope: runtimeAccount
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role.queueDataContributor)
    principalId: functionPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource runtimeTableDataContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(runtimeAccount.id, functionAppName, role.tableDataContributor)
  scope: runtimeAccount
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role.tableDataContributor)
    principalId: functionPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource vaultSecretsUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, functionAppName, role.secretsUser)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role.secretsUser)
    principalId: functionPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource appInsightsMetricsPublisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(appInsights.id, functionAppName, role.metricsPublisher)
  scope: appInsights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role.metricsPublisher)
    principalId: functionPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// ---- Deployer (the person running azd), optional ----

resource deployerSecretsOfficer 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(deployerPrincipalId)) {
  name: guid(vault.id, deployerPrincipalId, role.secretsOfficer)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role.secretsOfficer)
    principalId: deployerPrincipalId
    principalType: deployerPrincipalType
  }
}

// ---- CI (GitHub Actions via OIDC), optional ----

resource ciWebsiteContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(ciPrincipalId)) {
  name: guid(functionApp.id, ciPrincipalId, role.websiteContributor)
  scope: functionApp
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role.websiteContributor)
    principalId: ciPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource ciReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(ciPrincipalId)) {
  name: guid(resourceGroup().id, ciPrincipalId, role.reader)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role.reader)
    principalId: ciPrincipalId
    principalType: 'ServicePrincipal'
  }
}
