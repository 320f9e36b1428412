// PostgreSQL Flexible Server that accepts Microsoft Entra tokens only
// (password authentication off), with one Entra administrator, the extensions
// pgSTAC needs allow-listed, the app database, connection logging sent to Log
// Analytics, and either private access (a delegated subnet, no public
// endpoint, no firewall rules) or a public endpoint behind firewall rules.

param name string
param location string
param tags object
param version string
param skuName string
@allowed([
  'Burstable'
  'GeneralPurpose'
  'MemoryOptimized'
])
param skuTier string
param storageSizeGB int
@allowed([
  'Disabled'
  'SameZone'
  'ZoneRedundant'
])
param highAvailability string
param databaseName string
@description('Days of point-in-time restore (7-35).')
@minValue(7)
@maxValue(35)
param backupRetentionDays int

@description('Object id of the Entra administrator (user, group or service principal).')
param adminObjectId string
@description('Its name as PostgreSQL knows it: a user\'s UPN, a group\'s or service principal\'s display name.')
param adminPrincipalName string
@allowed([
  'User'
  'Group'
  'ServicePrincipal'
])
param adminPrincipalType string

@description('Private access: the subnet delegated to Microsoft.DBforPostgreSQL/flexibleServers; empty for a public endpoint. Chosen at creation: it cannot be changed later.')
param delegatedSubnetId string
@description('With private access: the <name>.private.postgres.database.azure.com zone, linked to the VNet.')
param privateDnsZoneId string
@description('Log Analytics workspace of the server\'s logs (PostgreSQLLogs).')
param logAnalyticsWorkspaceId string

@description('Public endpoint only: add the 0.0.0.0 rule that admits connections from any Azure service.')
param allowAzureServices bool
@description('More IPv4 ranges to admit: [{ name, startIpAddress, endIpAddress }].')
param firewallRules array
@description('Extensions to allow-list besides those pgSTAC needs.')
param extraExtensions array

// pgSTAC 0.9's first migration creates these (pypgstac's migrations/pgstac.0.9.*.sql).
var pgstacExtensions = [
  'POSTGIS'
  'BTREE_GIST'
  'UNACCENT'
]

var azureServicesRule = [
  {
    name: 'AllowAllAzureServicesAndResourcesWithinAzureIps'
    startIpAddress: '0.0.0.0'
    endIpAddress: '0.0.0.0'
  }
]
var privateAccess = !empty(delegatedSubnetId)
// A server with private access has no firewall rules.
var allFirewallRules = privateAccess ? [] : concat(allowAzureServices ? azureServicesRule : [], firewallRules)

resource server 'Microsoft.DBforPostgreSQL/flexibleServers@2024-08-01' = {
  name: name
  location: location
  tags: tags
  sku: {
    name: skuName
    tier: skuTier
  }
  properties: {
    version: version
    createMode: 'Default'
    authConfig: {
      activeDirectoryAuth: 'Enabled'
      passwordAuth: 'Disabled'
      tenantId: tenant().tenantId
    }
    storage: {
      storageSizeGB: storageSizeGB
      autoGrow: 'Enabled'
    }
    backup: {
      backupRetentionDays: backupRetentionDays
      geoRedundantBackup: 'Disabled'
    }
    highAvailability: {
      mode: highAvailability
    }
    network: privateAccess ? {
      publicNetworkAccess: 'Disabled'
      delegatedSubnetResourceId: delegatedSubnetId
      privateDnsZoneArmResourceId: privateDnsZoneId
    } : {
      publicNetworkAccess: 'Enabled'
    }
  }
}

// The server accepts one change at a time: databases, firewall rules, the
// extension allow-list, the logging parameters and the administrator go in
// that order, one by one.
resource database 'Microsoft.DBforPostgreSQL/flexibleServers/databases@2024-08-01' = {
  parent: server
  name: databaseName
  properties: {
    charset: 'UTF8'
    collation: 'en_US.utf8'
  }
}

@batchSize(1)
resource rules 'Microsoft.DBforPostgreSQL/flexibleServers/firewallRules@2024-08-01' = [
  for rule in allFirewallRules: {
    parent: server
    name: rule.name
    properties: {
      startIpAddress: rule.startIpAddress
      endIpAddress: rule.endIpAddress
    }
    dependsOn: [
      database
    ]
  }
]

resource extensions 'Microsoft.DBforPostgreSQL/flexibleServers/configurations@2024-08-01' = {
  parent: server
  name: 'azure.extensions'
  properties: {
    value: join(union(pgstacExtensions, extraExtensions), ',')
    source: 'user-override'
  }
  dependsOn: [
    rules
  ]
}

// Every login and logout in PostgreSQLLogs (the seed's "Monitor Database
// Access"): who connected, from where, and failed logins.
resource logConnections 'Microsoft.DBforPostgreSQL/flexibleServers/configurations@2024-08-01' = {
  parent: server
  name: 'log_connections'
  properties: {
    value: 'on'
    source: 'user-override'
  }
  dependsOn: [
    extensions
  ]
}

resource logDisconnections 'Microsoft.DBforPostgreSQL/flexibleServers/configurations@2024-08-01' = {
  parent: server
  name: 'log_disconnections'
  properties: {
    value: 'on'
    source: 'user-override'
  }
  dependsOn: [
    logConnections
  ]
}

resource admin 'Microsoft.DBforPostgreSQL/flexibleServers/administrators@2024-08-01' = {
  parent: server
  name: adminObjectId
  properties: {
    principalName: adminPrincipalName
    principalType: adminPrincipalType
    tenantId: tenant().tenantId
  }
  dependsOn: [
    logDisconnections
  ]
}

resource diagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: server
  properties: {
    workspaceId: logAnalyticsWorkspaceId
    logs: [
      {
        category: 'PostgreSQLLogs'
        enabled: true
      }
    ]
    metrics: [
      {
        category: 'AllMetrics'
        enabled: true
      }
    ]
  }
}

output name string = server.name
output host string = server.properties.fullyQualifiedDomainName
output databaseName string = database.name
