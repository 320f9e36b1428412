// Alerts to one action group: the handler's log lines for Entra token and
// database login failures, failed logins in the server's own log, the share
// of 5xx answers, and instance memory. Log alerts query the Log Analytics
// workspace that the diagnostic settings and Application Insights write to.

param namePrefix string
param location string
param tags object
param workspaceId string
@description('The Function App: its memory metric.')
param siteId string
@description('Memory of one Flex instance in MB: the memory alert fires at 85 % of it.')
param instanceMemoryMB int
@description('An existing action group; empty creates one that mails alertEmails.')
param actionGroupId string
param alertEmails array
@description('Percentage of 5xx answers over 15 minutes that fires the 5xx alert.')
param serverErrorPercent int

resource group 'Microsoft.Insights/actionGroups@2023-01-01' = if (empty(actionGroupId)) {
  name: '${namePrefix}-alerts'
  location: 'global'
  tags: tags
  properties: {
    groupShortName: take(replace(namePrefix, '-', ''), 12)
    enabled: true
    emailReceivers: [
      for (address, i) in alertEmails: {
        name: 'email-${i}'
        emailAddress: address
        useCommonAlertSchema: true
      }
    ]
  }
}

var actionGroup = empty(actionGroupId) ? group.id : actionGroupId

// The handler logs each of these on stdout, which the Functions host
// forwards to FunctionAppLogs: "database not ready" carries the identity's
// error ("could not get an Entra token for PostgreSQL ...", identity/) and
// request errors the pool's ("no Entra token for PostgreSQL", "PostgreSQL
// refused the login of the role", pgstac/pool.go).
var logAlerts = {
  tokenFailures: {
    description: 'tilefunc could not get an Entra token for PostgreSQL (managed identity not assigned, wrong AZURE_CLIENT_ID, endpoint down).'
    severity: 1
    query: 'FunctionAppLogs | where Message contains "could not get an Entra token for PostgreSQL" or Message contains "no Entra token for PostgreSQL"'
  }
  databaseLoginFailures: {
    description: 'PostgreSQL refused tilefunc\'s login (role missing or not mapped to the identity\'s object id).'
    severity: 1
    query: 'FunctionAppLogs | where Message contains "PostgreSQL refused the login of the role"'
  }
  serverLoginFailures: {
    description: 'The PostgreSQL server logged failed logins (any client).'
    severity: 2
    query: 'AzureDiagnostics | where ResourceProvider == "MICROSOFT.DBFORPOSTGRESQL" and Category == "PostgreSQLLogs" | where Message contains "authentication failed"'
  }
  serverErrors: {
    description: 'More than ${serverErrorPercent} % of the answers over 15 minutes were 5xx (at least 20 requests).'
    severity: 2
    query: 'AppRequests | summarize total = count(), failed = countif(toint(ResultCode) >= 500) | where total >= 20 and 100.0 * failed / total > ${serverErrorPercent}'
  }
}

resource rules 'Microsoft.Insights/scheduledQueryRules@2023-03-15-preview' = [
  for alert in items(logAlerts): {
    name: '${namePrefix}-${alert.key}'
    location: location
    tags: tags
    kind: 'LogAlert'
    properties: {
      description: alert.value.description
      severity: alert.value.severity
      enabled: true
      scopes: [
        workspaceId
      ]
      evaluationFrequency: 'PT5M'
      windowSize: 'PT15M'
      criteria: {
        allOf: [
          {
            query: alert.value.query
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
      actions: {
        actionGroups: [
          actionGroup
        ]
      }
    }
  }
]

resource memory 'Microsoft.Insights/metricAlerts@2018-03-01' = {
  name: '${namePrefix}-instanceMemory'
  location: 'global'
  tags: tags
  properties: {
    description: 'An instance used more than 85 % of its ${instanceMemoryMB} MB for 15 minutes.'
    severity: 2
    enabled: true
    scopes: [
      siteId
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    criteria: {
      'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria'
      allOf: [
        {
          criterionType: 'StaticThresholdCriterion'
          name: 'memory-working-set'
          metricName: 'MemoryWorkingSet'
          metricNamespace: 'Microsoft.Web/sites'
          dimensions: [
            {
              name: 'Instance'
              operator: 'Include'
              values: [
                '*'
              ]
            }
          ]
          operator: 'GreaterThan'
          threshold: instanceMemoryMB * 1024 * 1024 * 85 / 100
          timeAggregation: 'Average'
        }
      ]
    }
    actions: [
      {
        actionGroupId: actionGroup
      }
    ]
  }
}
