// Log Analytics workspace + workspace-based Application Insights.
// Cost guard: a daily ingestion cap on the workspace (0.15 GB/day ~ 4.5 GB/month, inside the 5 GB/month
// free allowance per billing account), 30-day retention (included at no extra cost), and local (key) auth
// off on Application Insights so telemetry is only accepted with Entra ID tokens from the app's identity.
// When the cap stops ingestion (Application Insights data included, it lands in this workspace), the
// workspace logs an OverQuota operation event (_LogOperation): an hourly alert rule e-mails alertEmail.
param location string
param tags object
param logAnalyticsName string
param appInsightsName string

@description('Daily ingestion cap in GB as text (Bicep has no decimal literals); -1 for none.')
param dailyCapGb string

param retentionInDays int

@description('Receives the daily-cap alert.')
param alertEmail string

@description('Reject telemetry sent with only the instrumentation key (requires Monitoring Metrics Publisher on the app identity).')
param disableLocalAuth bool = true

resource workspace 'Microsoft.OperationalInsights/workspaces@2025-02-01' = {
  name: logAnalyticsName
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: retentionInDays
    workspaceCapping: {
      dailyQuotaGb: json(dailyCapGb)
    }
    features: {
      enableLogAccessUsingOnlyResourcePermissions: true
    }
  }
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: appInsightsName
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: workspace.id
    IngestionMode: 'LogAnalytics'
    DisableLocalAuth: disableLocalAuth
    publicNetworkAccessForIngestion: 'Enabled'
    publicNetworkAccessForQuery: 'Enabled'
  }
}

resource alertGroup 'Microsoft.Insights/actionGroups@2023-01-01' = {
  name: 'ag-${logAnalyticsName}'
  location: 'global'
  tags: tags
  properties: {
    groupShortName: 'wattwatch' // at most 12 characters
    enabled: true
    emailReceivers: [
      {
        name: 'owner'
        emailAddress: alertEmail
        useCommonAlertSchema: true
      }
    ]
  }
}

resource dailyCapAlert 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = {
  name: 'alert-daily-cap-${logAnalyticsName}'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'Log Analytics daily cap reached: telemetry (heartbeats included) is being dropped'
    description: 'The workspace hit its daily ingestion cap (logDailyCapGb); Application Insights data stops until the cap resets.'
    severity: 2
    enabled: true
    scopes: [
      workspace.id
    ]
    evaluationFrequency: 'PT1H'
    windowSize: 'PT1H'
    criteria: {
      allOf: [
        {
          // The cap event: Detail names the OverQuota ingestion status; either field matching is enough.
          query: '_LogOperation | where Detail contains "OverQuota" or Operation contains "Data collection stopped"'
          timeAggregation: 'Count'
          operator: 'GreaterThan'
          threshold: 0
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    autoMitigate: false
    actions: {
      actionGroups: [
        alertGroup.id
      ]
    }
  }
}

output appInsightsName string = appInsights.name
output appInsightsId string = appInsights.id
// Not a credential: an ingestion endpoint plus the instrumentation key, which with DisableLocalAuth
// cannot ingest on its own (Entra ID token required).
output appInsightsConnectionString string = appInsights.properties.ConnectionString
output workspaceId string = workspace.id
output workspaceCustomerId string = workspace.properties.customerId
