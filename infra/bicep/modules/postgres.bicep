// PostgreSQL Flexible Server that accepts Microsoft Entra tokens only
// (password authentication off), with one Entra administrator, the extensions
// pgSTAC needs allow-listed, the app database and its firewall rules.

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

@description('Add the 0.0.0.0 rule that admits connections from any Azure service.')
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
var allFirewallRules = concat(allowAzureServices ? azureServicesRule : [], firewallRules)

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
      backupRetentionDays: 7
      geoRedundantBackup: 'Disabled'
    }
    highAvailability: {
      mode: highAvailability
    }
    network: {
      publicNetworkAccess: 'Enabled'
    }
  }
}

// The server accepts one change at a time: databases, firewall rules, the
// extension allow-list and the administrator go in that order, one by one.
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

resource admin 'Microsoft.DBforPostgreSQL/flexibleServers/administrators@2024-08-01' = {
  parent: server
  name: adminObjectId
  properties: {
    principalName: adminPrincipalName
    principalType: adminPrincipalType
    tenantId: tenant().tenantId
  }
  dependsOn: [
    extensions
  ]
}

output name string = server.name
output host string = server.properties.fullyQualifiedDomainName
output databaseName string = database.name
