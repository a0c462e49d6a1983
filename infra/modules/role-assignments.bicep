// Least-privilege data-plane roles. Built-in role definition ids (Azure built-in roles reference):
//   ba92f5b4-2d11-453d-a403-e96b0029c9fe  Storage Blob Data Contributor
//   b7e6dc6d-f1e8-4753-8033-0f276bb0955b  Storage Blob Data Owner
//   974c5e8b-45b9-4653-ba55-5f855dd0fb88  Storage Queue Data Contributor
//   0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3  Storage Table Data Contributor
//   4633458b-17de-408a-b874-0445c86b69e6  Key Vault Secrets User
//   b86a8fe4-44ce-4948-aee5-eccb2c155cd7  Key Vault Secrets Officer
//   3913510d-42f4-4e42-8a64-420c390055eb  Monitoring Metrics Publisher
//   de139f84-1756-47ae-9be6-808fbbe84772  Website Contributor
//
// Function App identity:
//   lake account            Storage Blob Data Contributor  (read/write Bronze files; nothing else)
//   runtime account         Storage Blob Data Owner, Queue Data Contributor, Table Data Contributor
//                           (host storage + Durable task hub, as the Functions identity docs require;
//                           also covers reading the run-from-package zip)
//   key vault               Key Vault Secrets User         (read secret values only)
//   application insights    Monitoring Metrics Publisher   (Entra ID telemetry ingestion)
// Deployer (azd user), optional: Secrets Officer on the vault; Blob Data Contributor on `deployments` only.
// CI principal, optional: Blob Data Contributor on `deployments` only; Website Contributor on the app
// (restart + trigger sync after an upload).
param functionPrincipalId string
param functionAppName string
param runtimeStorageAccountName string
param deploymentContainerName string
param lakeStorageAccountName string
param keyVaultName string
param appInsightsName string
param deployerPrincipalId string = ''
@allowed([
  'User'
  'ServicePrincipal'
])
param deployerPrincipalType string = 'User'
param ciPrincipalId string = ''

resource lakeAccount 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: lakeStorageAccountName
}

resource runtimeAccount 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: runtimeStorageAccountName
}

resource runtimeBlobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' existing = {
  parent: runtimeAccount
  name: 'default'
}

resource deploymentContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' existing = {
  parent: runtimeBlobService
  name: deploymentContainerName
}

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' existing = {
  name: keyVaultName
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: appInsightsName
}

resource functionApp 'Microsoft.Web/sites@2023-12-01' existing = {
  name: functionAppName
}

// ---- Function App (system-assigned identity) ----

resource lakeBlobDataContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(lakeAccount.id, functionPrincipalId, 'ba92f5b4-2d11-453d-a403-e96b0029c9fe')
  scope: lakeAccount
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'ba92f5b4-2d11-453d-a403-e96b0029c9fe')
    principalId: functionPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource runtimeBlobDataOwner 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(runtimeAccount.id, functionPrincipalId, 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b')
  scope: runtimeAccount
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b')
    principalId: functionPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource runtimeQueueDataContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(runtimeAccount.id, functionPrincipalId, '974c5e8b-45b9-4653-ba55-5f855dd0fb88')
  scope: runtimeAccount
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '974c5e8b-45b9-4653-ba55-5f855dd0fb88')
    principalId: functionPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource runtimeTableDataContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(runtimeAccount.id, functionPrincipalId, '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3')
  scope: runtimeAccount
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3')
    principalId: functionPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource vaultSecretsUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, functionPrincipalId, '4633458b-17de-408a-b874-0445c86b69e6')
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '4633458b-17de-408a-b874-0445c86b69e6')
    principalId: functionPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource appInsightsMetricsPublisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(appInsights.id, functionPrincipalId, '3913510d-42f4-4e42-8a64-420c390055eb')
  scope: appInsights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '3913510d-42f4-4e42-8a64-420c390055eb')
    principalId: functionPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// ---- Deployer (the person running azd), optional ----

resource deployerSecretsOfficer 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(deployerPrincipalId)) {
  name: guid(vault.id, deployerPrincipalId, 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7')
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7')
    principalId: deployerPrincipalId
    principalType: deployerPrincipalType
  }
}

resource deployerPackageUploader 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(deployerPrincipalId)) {
  name: guid(deploymentContainer.id, deployerPrincipalId, 'ba92f5b4-2d11-453d-a403-e96b0029c9fe')
  scope: deploymentContainer
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'ba92f5b4-2d11-453d-a403-e96b0029c9fe')
    principalId: deployerPrincipalId
    principalType: deployerPrincipalType
  }
}

// ---- CI (GitHub Actions via OIDC), optional ----

resource ciPackageUploader 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(ciPrincipalId)) {
  name: guid(deploymentContainer.id, ciPrincipalId, 'ba92f5b4-2d11-453d-a403-e96b0029c9fe')
  scope: deploymentContainer
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'ba92f5b4-2d11-453d-a403-e96b0029c9fe')
    principalId: ciPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource ciWebsiteContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(ciPrincipalId)) {
  name: guid(functionApp.id, ciPrincipalId, 'de139f84-1756-47ae-9be6-808fbbe84772')
  scope: functionApp
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'de139f84-1756-47ae-9be6-808fbbe84772')
    principalId: ciPrincipalId
    principalType: 'ServicePrincipal'
  }
}
