// The Function App running the tilefunc custom handler, as the user-assigned
// runtime identity, on the plan from plan.bicep; a second identity, the
// deployment identity, only writes (Flex) or reads (Y1) the package. Basic
// (FTP and SCM password) publishing is off, its logs go to Log Analytics
// and, on Flex, its outbound traffic can go through a VNet subnet. Flex Consumption takes its runtime,
// scale and package location from functionAppConfig and rejects the
// FUNCTIONS_WORKER_RUNTIME / FUNCTIONS_EXTENSION_VERSION / WEBSITE_RUN_FROM_PACKAGE
// settings; Linux Consumption needs exactly those settings instead.

import { appTuning } from '../types.bicep'

param name string
param location string
param tags object
@allowed([
  'FC1'
  'Y1'
])
param planSku string
param planId string

@description('Resource id of the runtime identity: the app\'s AZURE_CLIENT_ID, its database role and host storage.')
param identityId string
@description('Name of the identity: the PostgreSQL role (POSTGRES_USER).')
param identityName string
param identityClientId string
@description('Resource id of the deployment identity: the only one that may write the package.')
param deploymentIdentityId string

@description('Host storage (AzureWebJobsStorage, reached with the identity) and the package container.')
param hostStorageAccountName string
param hostBlobEndpoint string
param deploymentContainerName string
@description('Y1 only: blob in the deployment container that WEBSITE_RUN_FROM_PACKAGE points at.')
param packageBlobName string

@description('The blob account tilefunc reads assets from (AZURE_STORAGE_ACCOUNT).')
param dataStorageAccountName string

param postgresHost string
param postgresDatabaseName string
param postgresPort int

param appInsightsConnectionString string
@description('Log Analytics workspace of the app\'s logs (FunctionAppLogs).')
param logAnalyticsWorkspaceId string
@description('Flex only: subnet (delegated to Microsoft.App/environments) of the VNet integration; empty for none.')
param vnetSubnetId string

@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int
param maximumInstanceCount int
param alwaysReadyInstances int
param httpPerInstanceConcurrency int

param tuning appTuning
@description('GDAL configuration options passed through as app settings; only GDAL_*, CPL_* and VSI_* names are kept.')
param gdalConfig object

var isFlex = planSku == 'FC1'

// What tilefunc needs in Azure (the seed guide's Step 7). DATABASE_URL,
// AZURE_STORAGE_CONNECTION_STRING and TILEFUNC_LOCAL_ASSET_DIRS are never set:
// the app logs in to PostgreSQL and Blob Storage with the identity only.
var tilefuncSettings = {
  USE_POSTGRES_MI: 'true'
  LOCAL_MODE: 'false'
  POSTGRES_HOST: postgresHost
  POSTGRES_DB: postgresDatabaseName
  POSTGRES_USER: identityName
  POSTGRES_PORT: string(postgresPort)
  // The server's certificate must chain to Azure's PostgreSQL roots and name
  // POSTGRES_HOST; the package carries the roots (scripts/package.sh).
  POSTGRES_SSLMODE: 'verify-full'
  POSTGRES_SSLROOTCERT: 'certs/azure-postgres-roots.pem'
  AZURE_CLIENT_ID: identityClientId
  USE_AZURE_AUTH: 'true'
  AZURE_STORAGE_ACCOUNT: dataStorageAccountName
}

// What the Functions host needs: its storage and Application Insights,
// both through the identity (no keys).
var hostSettings = {
  AzureWebJobsStorage__accountName: hostStorageAccountName
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId
  APPLICATIONINSIGHTS_CONNECTION_STRING: appInsightsConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
}

// Linux Consumption only (Flex rejects each of these).
var consumptionOnlySettings = {
  FUNCTIONS_WORKER_RUNTIME: 'custom'
  FUNCTIONS_EXTENSION_VERSION: '~4'
  WEBSITE_RUN_FROM_PACKAGE: '${hostBlobEndpoint}${deploymentContainerName}/${packageBlobName}'
  WEBSITE_RUN_FROM_PACKAGE_BLOB_MI_RESOURCE_ID: deploymentIdentityId
}

var gdalSettings = toObject(
  filter(
    items(gdalConfig),
    entry => startsWith(entry.key, 'GDAL_') || startsWith(entry.key, 'CPL_') || startsWith(entry.key, 'VSI_')
  ),
  entry => entry.key,
  entry => string(entry.value)
)

// Later objects win: nothing tuned can replace what tilefunc or the host needs.
var flexSettings = union(gdalSettings, tuning, hostSettings, tilefuncSettings)
var consumptionSettings = union(gdalSettings, tuning, hostSettings, tilefuncSettings, consumptionOnlySettings)

// One site for both plans: two conditional sites of the same name are not
// reliably deployed by ARM (Azure/bicep issues 1410, 11290). Properties that
// only one plan takes are null (left out) on the other.
resource site 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  tags: tags
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
      '${deploymentIdentityId}': {}
    }
  }
  properties: {
    serverFarmId: planId
    httpsOnly: true
    reserved: isFlex ? null : true
    // Linux Consumption has no VNet integration.
    virtualNetworkSubnetId: isFlex ? (empty(vnetSubnetId) ? null : vnetSubnetId) : null
    functionAppConfig: isFlex ? {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${hostBlobEndpoint}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: deploymentIdentityId
          }
        }
      }
      scaleAndConcurrency: {
        instanceMemoryMB: instanceMemoryMB
        maximumInstanceCount: maximumInstanceCount
        alwaysReady: alwaysReadyInstances > 0 ? [{ name: 'http', instanceCount: alwaysReadyInstances }] : []
        triggers: {
          http: {
            perInstanceConcurrency: httpPerInstanceConcurrency
          }
        }
      }
      runtime: {
        name: 'custom'
        version: '1.0'
      }
    } : null
    siteConfig: {
      linuxFxVersion: isFlex ? null : ''
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      appSettings: [for setting in items(isFlex ? flexSettings : consumptionSettings): { name: setting.key, value: setting.value }]
    }
  }
}

// No FTP, and no SCM (Kudu, zip deploy) with the publishing password:
// deployments sign in with Entra ID.
resource ftpCredentials 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: site
  name: 'ftp'
  properties: {
    allow: false
  }
}

resource scmCredentials 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: site
  name: 'scm'
  properties: {
    allow: false
  }
}

resource diagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: site
  properties: {
    workspaceId: logAnalyticsWorkspaceId
    logs: [
      {
        category: 'FunctionAppLogs'
        enabled: true
      }
    ]
  }
}

output id string = site.id
output name string = site.name
@description('Base URL of the API (host.json sets routePrefix "", so routes sit at the root).')
output url string = 'https://${site.properties.defaultHostName}'
