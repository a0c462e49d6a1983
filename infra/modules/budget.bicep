// Monthly cost budget on this resource group, with e-mail alerts at 80% of actual spend, 100% of actual
// spend and 100% of forecast spend. Amounts are in the billing account's currency.
// The start date cannot change once the budget exists, so it comes from a value set once
// (azd env BUDGET_START_DATE), never from the deployment date.
@maxLength(63)
param name string
@minValue(1)
param amount int
@description('First day of the budget period, yyyy-MM-01.')
param startDate string
param contactEmails string[]

resource budget 'Microsoft.Consumption/budgets@2024-08-01' = {
  name: name
  properties: {
    category: 'Cost'
    amount: amount
    timeGrain: 'Monthly'
    timePeriod: {
      startDate: startDate
    }
    notifications: {
      actual80: {
        enabled: true
        operator: 'GreaterThanOrEqualTo'
        threshold: 80
        thresholdType: 'Actual'
        contactEmails: contactEmails
      }
      actual100: {
        enabled: true
        operator: 'GreaterThanOrEqualTo'
        threshold: 100
        thresholdType: 'Actual'
        contactEmails: contactEmails
      }
      forecast100: {
        enabled: true
        operator: 'GreaterThanOrEqualTo'
        threshold: 100
        thresholdType: 'Forecasted'
        contactEmails: contactEmails
      }
    }
  }
}

output name string = budget.name
