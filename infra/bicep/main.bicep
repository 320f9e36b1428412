// tilefunc in one resource group: the app's runtime and deployment
// identities, host and data storage, monitoring and alerts, the Functions
// plan and app, and an Entra-only PostgreSQL server. Locked down by default
// (privateNetworking): the app reaches PostgreSQL and storage through a VNet
// only, and neither has a public endpoint.
// Deploy with `azd up` (main.parameters.json) or with
// `az deployment group create -f main.bicep -p @parameters/<env>.parameters.json`.
// Then run the SQL step that the NEXT_COMMAND output prints.

targetScope = 'resourceGroup'

import { appTuning } from 'types.bicep'

// --- environment -----------------------------------------------------------

@description('Environment name (dev, staging, prod): part of every resource name and tag.')
@minLength(1)
@maxLength(12)
param environmentName string

@description('Region of every resource.')
param location string = resourceGroup().location

@description('Short lower-case application name used in resource names.')
@maxLength(10)
param appName string = 'tilefunc'

@description('User-assigned identity the app runs as; also its PostgreSQL role (POSTGRES_USER). One per environment.')
param identityName string

@description('User-assigned identity that writes (Flex) or reads (Y1) the package in the deployment container: the only one with access to it. One per environment.')
param deploymentIdentityName string

@description('Tags added to every resource.')
param tags object = {}

// --- hosting ---------------------------------------------------------------

@description('FC1: Flex Consumption (default). Y1: Linux Consumption, run from a package blob.')
@allowed([
  'FC1'
  'Y1'
])
param planSku string = 'FC1'

@description('Flex: memory of each instance in MB (512, 2048 or 4096; 2048 has 1 vCPU).')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('Flex: most instances the app scales out to. Times DB_MAX_CONN_SIZE, it must fit the server\'s max_connections (infra/budget_test.go).')
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 40

@description('Flex: instances kept warm for HTTP (0 = scale to zero; each one is billed while idle).')
@minValue(0)
@maxValue(1000)
param alwaysReadyInstances int = 0

@description('Flex: HTTP requests one instance takes at once before the platform adds instances.')
@minValue(1)
@maxValue(1000)
param httpPerInstanceConcurrency int = 8

@description('Y1: name of the package blob in the deployment container (WEBSITE_RUN_FROM_PACKAGE).')
param packageBlobName string = 'tilefunc.zip'

// --- network ---------------------------------------------------------------

@description('Lock the environment down: Flex VNet integration, PostgreSQL with private access (no public endpoint, no firewall rules), storage reached through private endpoints only. false leaves public endpoints behind Entra ID and the firewall rules: for dev, and for Y1, which has no VNet integration.')
param privateNetworking bool = true

@description('Address space of the VNet (privateNetworking).')
param vnetAddressPrefix string = '10.40.0.0/16'

@description('Subnet of the Flex VNet integration: one address per instance, so larger than maximumInstanceCount.')
param appSubnetPrefix string = '10.40.0.0/23'

@description('Subnet delegated to the PostgreSQL server.')
param postgresSubnetPrefix string = '10.40.2.0/24'

@description('Subnet of the storage private endpoints.')
param endpointSubnetPrefix string = '10.40.3.0/24'

// --- data ------------------------------------------------------------------

@description('Existing blob account holding the assets; empty creates one with a private container.')
param dataStorageAccountName string = ''

@description('Resource group of an existing data account (default: this one).')
param dataStorageResourceGroup string = resourceGroup().name

@description('Container of the assets: created in a new data account, must exist in an existing one. The app may read this container only.')
param dataContainerName string = 'data'

// --- PostgreSQL ------------------------------------------------------------

@description('Object id of the PostgreSQL Entra administrator (azd passes the signed-in principal).')
param postgresAdminObjectId string

@description('Name of that administrator: a user\'s UPN, or a group\'s or service principal\'s display name. It is the psql user name.')
param postgresAdminPrincipalName string

@description('Kind of that administrator.')
@allowed([
  'User'
  'Group'
  'ServicePrincipal'
])
param postgresAdminPrincipalType string = 'User'

@description('PostgreSQL major version.')
param postgresVersion string = '16'

@description('Compute size, e.g. Standard_B1ms (Burstable) or Standard_D2ds_v5 (GeneralPurpose).')
param postgresSkuName string = 'Standard_B2s'

@description('Compute tier matching postgresSkuName.')
@allowed([
  'Burstable'
  'GeneralPurpose'
  'MemoryOptimized'
])
param postgresSkuTier string = 'Burstable'

@description('Storage in GB (grows automatically).')
param postgresStorageSizeGB int = 32

@description('High availability mode (ZoneRedundant or SameZone need GeneralPurpose or MemoryOptimized).')
@allowed([
  'Disabled'
  'SameZone'
  'ZoneRedundant'
])
param postgresHighAvailability string = 'Disabled'

@description('Days of point-in-time restore (7-35).')
@minValue(7)
@maxValue(35)
param postgresBackupRetentionDays int = 7

@description('Database holding pgSTAC (POSTGRES_DB).')
param postgresDatabaseName string = 'tilefunc'

@description('Without privateNetworking: admit connections from any Azure service (the 0.0.0.0 rule). Flex and Y1 apps without VNet integration have no fixed outbound address, so they need it. Ignored with privateNetworking (no firewall).')
param postgresAllowAzureServices bool = true

@description('Without privateNetworking: more IPv4 ranges to admit, e.g. the operator running the SQL step: [{ name, startIpAddress, endIpAddress }].')
param postgresFirewallRules array = []

@description('Extensions to allow-list besides postgis, btree_gist and unaccent (which pgSTAC needs).')
param postgresExtraExtensions array = []

@description('Privileges the one-time SQL step grants the app role: readonly, or register (search registration too).')
@allowed([
  'readonly'
  'register'
])
param sqlGrantsMode string = 'readonly'

// --- app -------------------------------------------------------------------

@description('tilefunc settings with defaults to override (pool size, pgSTAC search limits, Cache-Control, ...).')
param tuning appTuning = {}

@description('GDAL configuration options as app settings (GDAL_*, CPL_*, VSI_* only).')
param gdalConfig object = {}

@description('Days Log Analytics keeps logs.')
param logRetentionInDays int = 30

// --- alerts ------------------------------------------------------------------

@description('Alerts on Entra token and database login failures, the 5xx share and instance memory.')
param alertsEnabled bool = true

@description('Existing action group the alerts go to; empty creates one that mails alertEmails.')
param alertActionGroupId string = ''

@description('Addresses the created action group mails (with no address, alerts show in Azure Monitor only).')
param alertEmails array = []

@description('Share of 5xx answers over 15 minutes, in %, that fires an alert.')
@minValue(1)
@maxValue(100)
param alertServerErrorPercent int = 5

// --- names -----------------------------------------------------------------

var token = uniqueString(subscription().id, resourceGroup().id, environmentName)
var createDataAccount = empty(dataStorageAccountName)
var deploymentContainerName = 'deployments'
// What the Functions host keeps in AzureWebJobsStorage for HTTP functions:
// its locks and host id, and the function keys. Created here so the runtime
// identity's roles can be scoped to them.
var hostRuntimeContainers = [
  'azure-webjobs-hosts'
  'azure-webjobs-secrets'
]
var postgresPort = 5432
var baseTags = union(tags, { 'azd-env-name': environmentName, application: appName })

var env = toLower(environmentName)
var names = {
  hostStorage: take('st${token}', 24)
  dataStorage: createDataAccount ? take('stdata${token}', 24) : dataStorageAccountName
  logAnalytics: 'log-${appName}-${env}'
  appInsights: 'appi-${appName}-${env}'
  plan: 'plan-${appName}-${env}'
  site: 'func-${appName}-${env}-${token}'
  postgres: 'psql-${appName}-${env}-${token}'
  vnet: 'vnet-${appName}-${env}'
  alerts: '${appName}-${env}'
}

// Built-in role definition ids.
var roles = {
  // The runtime identity on the Functions host's containers (AzureWebJobsStorage).
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  // The deployment identity on the deployment container.
  storageBlobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
  // The runtime identity on the data container: tilefunc only reads assets.
  storageBlobDataReader: '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1'
  // Application Insights with local authentication off.
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
}

// --- resources -------------------------------------------------------------

module identity 'modules/identity.bicep' = {
  name: 'identity'
  params: {
    name: identityName
    location: location
    tags: baseTags
  }
}

module deploymentIdentity 'modules/identity.bicep' = {
  name: 'deployment-identity'
  params: {
    name: deploymentIdentityName
    location: location
    tags: baseTags
  }
}

module network 'modules/network.bicep' = if (privateNetworking) {
  name: 'network'
  params: {
    name: names.vnet
    location: location
    tags: baseTags
    addressPrefix: vnetAddressPrefix
    appSubnetPrefix: appSubnetPrefix
    postgresSubnetPrefix: postgresSubnetPrefix
    endpointSubnetPrefix: endpointSubnetPrefix
    postgresServerName: names.postgres
  }
}

module hostStorage 'modules/storage.bicep' = {
  name: 'host-storage'
  params: {
    name: names.hostStorage
    location: location
    tags: baseTags
    containerNames: concat([deploymentContainerName], hostRuntimeContainers)
    privateOnly: privateNetworking
  }
}

module dataStorage 'modules/storage.bicep' = if (createDataAccount) {
  name: 'data-storage'
  params: {
    name: names.dataStorage
    location: location
    tags: baseTags
    containerNames: [
      dataContainerName
    ]
    privateOnly: privateNetworking
  }
}

var dataStorageGroup = createDataAccount ? resourceGroup().name : dataStorageResourceGroup

module hostEndpoint 'modules/privateEndpoint.bicep' = if (privateNetworking) {
  name: 'host-storage-endpoint'
  params: {
    name: 'pe-${names.hostStorage}-blob'
    location: location
    tags: baseTags
    subnetId: privateNetworking ? network.outputs.endpointSubnetId : ''
    storageAccountId: hostStorage.outputs.id
    dnsZoneId: privateNetworking ? network.outputs.blobZoneId : ''
  }
}

// An existing data account gets an endpoint in this VNet too; its owner
// decides whether its public endpoint stays on.
module dataEndpoint 'modules/privateEndpoint.bicep' = if (privateNetworking) {
  name: 'data-storage-endpoint'
  params: {
    name: 'pe-${names.dataStorage}-blob'
    location: location
    tags: baseTags
    subnetId: privateNetworking ? network.outputs.endpointSubnetId : ''
    storageAccountId: resourceId(dataStorageGroup, 'Microsoft.Storage/storageAccounts', names.dataStorage)
    dnsZoneId: privateNetworking ? network.outputs.blobZoneId : ''
  }
  dependsOn: [
    dataStorage
  ]
}

// Every storage role is scoped to containers, none to an account: the
// runtime identity reads the data container and keeps the host's state; only
// the deployment identity touches the package.
module hostRuntimeAccess 'modules/storageAccess.bicep' = {
  name: 'host-runtime-access'
  params: {
    storageAccountName: hostStorage.outputs.name
    containerNames: hostRuntimeContainers
    principalId: identity.outputs.principalId
    roleDefinitionId: roles.storageBlobDataOwner
  }
}

module deploymentAccess 'modules/storageAccess.bicep' = {
  name: 'deployment-access'
  params: {
    storageAccountName: hostStorage.outputs.name
    containerNames: [
      deploymentContainerName
    ]
    principalId: deploymentIdentity.outputs.principalId
    roleDefinitionId: roles.storageBlobDataContributor
  }
}

module dataStorageAccess 'modules/storageAccess.bicep' = {
  name: 'data-storage-access'
  scope: resourceGroup(dataStorageGroup)
  params: {
    storageAccountName: names.dataStorage
    containerNames: [
      dataContainerName
    ]
    principalId: identity.outputs.principalId
    roleDefinitionId: roles.storageBlobDataReader
  }
  dependsOn: [
    dataStorage
  ]
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    logAnalyticsName: names.logAnalytics
    appInsightsName: names.appInsights
    location: location
    tags: baseTags
    retentionInDays: logRetentionInDays
    publisherPrincipalId: identity.outputs.principalId
    publisherRoleId: roles.monitoringMetricsPublisher
  }
}

module postgres 'modules/postgres.bicep' = {
  name: 'postgres'
  params: {
    name: names.postgres
    location: location
    tags: baseTags
    version: postgresVersion
    skuName: postgresSkuName
    skuTier: postgresSkuTier
    storageSizeGB: postgresStorageSizeGB
    highAvailability: postgresHighAvailability
    backupRetentionDays: postgresBackupRetentionDays
    databaseName: postgresDatabaseName
    adminObjectId: postgresAdminObjectId
    adminPrincipalName: postgresAdminPrincipalName
    adminPrincipalType: postgresAdminPrincipalType
    allowAzureServices: postgresAllowAzureServices
    firewallRules: postgresFirewallRules
    extraExtensions: postgresExtraExtensions
    delegatedSubnetId: privateNetworking ? network.outputs.postgresSubnetId : ''
    privateDnsZoneId: privateNetworking ? network.outputs.postgresZoneId : ''
    logAnalyticsWorkspaceId: monitoring.outputs.workspaceId
  }
}

module plan 'modules/plan.bicep' = {
  name: 'plan'
  params: {
    name: names.plan
    location: location
    tags: baseTags
    sku: planSku
  }
}

module functionApp 'modules/functionApp.bicep' = {
  name: 'function-app'
  params: {
    name: names.site
    location: location
    // azd deploys the service named tilefunc in azure.yaml to the site with this tag.
    tags: union(baseTags, { 'azd-service-name': 'tilefunc' })
    planSku: planSku
    planId: plan.outputs.id
    identityId: identity.outputs.id
    identityName: identity.outputs.name
    identityClientId: identity.outputs.clientId
    deploymentIdentityId: deploymentIdentity.outputs.id
    hostStorageAccountName: hostStorage.outputs.name
    hostBlobEndpoint: hostStorage.outputs.blobEndpoint
    deploymentContainerName: deploymentContainerName
    packageBlobName: packageBlobName
    dataStorageAccountName: names.dataStorage
    postgresHost: postgres.outputs.host
    postgresDatabaseName: postgres.outputs.databaseName
    postgresPort: postgresPort
    appInsightsConnectionString: monitoring.outputs.connectionString
    logAnalyticsWorkspaceId: monitoring.outputs.workspaceId
    vnetSubnetId: privateNetworking ? network.outputs.appSubnetId : ''
    instanceMemoryMB: instanceMemoryMB
    maximumInstanceCount: maximumInstanceCount
    alwaysReadyInstances: alwaysReadyInstances
    httpPerInstanceConcurrency: httpPerInstanceConcurrency
    tuning: tuning
    gdalConfig: gdalConfig
  }
  // The host must be able to reach and read its storage and the package when
  // it starts.
  dependsOn: [
    hostRuntimeAccess
    deploymentAccess
    dataStorageAccess
    hostEndpoint
    dataEndpoint
  ]
}

module alerts 'modules/alerts.bicep' = if (alertsEnabled) {
  name: 'alerts'
  params: {
    namePrefix: names.alerts
    location: location
    tags: baseTags
    workspaceId: monitoring.outputs.workspaceId
    siteId: functionApp.outputs.id
    // Y1 instances have 1.5 GB.
    instanceMemoryMB: planSku == 'FC1' ? instanceMemoryMB : 1536
    actionGroupId: alertActionGroupId
    alertEmails: alertEmails
    serverErrorPercent: alertServerErrorPercent
  }
}

// --- the one-time SQL step --------------------------------------------------

// The handler prints the SQL (role for the identity, mapped to its object id,
// and the grants for the mode); psql runs it as the Entra administrator with
// an Entra token as the password.
var sqlGrantsCommand = 'bin/handler sql grants --role ${identity.outputs.name} --mode ${sqlGrantsMode} --object-id ${identity.outputs.principalId}'
var psqlAsAdmin = 'PGPASSWORD="$(az account get-access-token --resource-type oss-rdbms --query accessToken -o tsv)" psql "host=${postgres.outputs.host} port=${postgresPort} dbname=${postgresDatabaseName} user=\'${postgresAdminPrincipalName}\' sslmode=require" -v ON_ERROR_STOP=1'

// --- outputs ----------------------------------------------------------------

@description('Base URL of the tile API.')
output FUNCTION_URL string = functionApp.outputs.url
output FUNCTION_APP_NAME string = functionApp.outputs.name
output IDENTITY_NAME string = identity.outputs.name
@description('The identity that deploys the package.')
output DEPLOYMENT_IDENTITY_NAME string = deploymentIdentity.outputs.name
@description('AZURE_CLIENT_ID of the app.')
output IDENTITY_CLIENT_ID string = identity.outputs.clientId
@description('Object id (principalId) of the identity: what the PostgreSQL role is mapped to.')
output IDENTITY_OBJECT_ID string = identity.outputs.principalId
output POSTGRES_HOST string = postgres.outputs.host
output POSTGRES_DB string = postgresDatabaseName
output POSTGRES_ADMIN string = postgresAdminPrincipalName
output DATA_STORAGE_ACCOUNT string = names.dataStorage
@description('Y1: upload the package here as packageBlobName, then restart the app.')
output DEPLOYMENT_CONTAINER_URL string = '${hostStorage.outputs.blobEndpoint}${deploymentContainerName}'
@description('The SQL the app role needs, printed by the handler.')
output SQL_GRANTS_COMMAND string = sqlGrantsCommand
@description('Run this once, from the repository root, signed in to az as the PostgreSQL Entra administrator; with privateNetworking, from a machine in the VNet (the server has no public endpoint).')
output NEXT_COMMAND string = '${sqlGrantsCommand} | ${psqlAsAdmin}'
