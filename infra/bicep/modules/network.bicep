// The virtual network of a locked-down environment: the Function App's
// outbound traffic (Flex Consumption VNet integration), the PostgreSQL
// server's delegated subnet and the storage accounts' private endpoints,
// with the private DNS zones that resolve the servers' public names to
// private addresses inside it.

param name string
param location string
param tags object
param addressPrefix string
@description('Flex Consumption integration subnet, delegated to Microsoft.App/environments.')
param appSubnetPrefix string
@description('PostgreSQL private access subnet, delegated to Microsoft.DBforPostgreSQL/flexibleServers.')
param postgresSubnetPrefix string
@description('Subnet of the storage private endpoints.')
param endpointSubnetPrefix string
@description('The PostgreSQL server: its private DNS zone is <name>.private.postgres.database.azure.com.')
param postgresServerName string

// Subnets inline, not as child resources: a redeployment of a VNet without
// its subnets would try to delete them.
resource vnet 'Microsoft.Network/virtualNetworks@2024-05-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    addressSpace: {
      addressPrefixes: [
        addressPrefix
      ]
    }
    subnets: [
      {
        name: 'app'
        properties: {
          addressPrefix: appSubnetPrefix
          delegations: [
            {
              name: 'flex-consumption'
              properties: {
                serviceName: 'Microsoft.App/environments'
              }
            }
          ]
        }
      }
      {
        name: 'postgres'
        properties: {
          addressPrefix: postgresSubnetPrefix
          delegations: [
            {
              name: 'postgres-flexible-server'
              properties: {
                serviceName: 'Microsoft.DBforPostgreSQL/flexibleServers'
              }
            }
          ]
        }
      }
      {
        name: 'endpoints'
        properties: {
          addressPrefix: endpointSubnetPrefix
          privateEndpointNetworkPolicies: 'Disabled'
        }
      }
    ]
  }
}

// PostgreSQL private access: the server registers its address here; its
// public name resolves to it through this zone inside the VNet.
resource postgresZone 'Microsoft.Network/privateDnsZones@2024-06-01' = {
  name: '${postgresServerName}.private.postgres.database.azure.com'
  location: 'global'
  tags: tags
}

resource postgresZoneLink 'Microsoft.Network/privateDnsZones/virtualNetworkLinks@2024-06-01' = {
  parent: postgresZone
  name: '${name}-link'
  location: 'global'
  tags: tags
  properties: {
    registrationEnabled: false
    virtualNetwork: {
      id: vnet.id
    }
  }
}

// Blob private endpoints of both accounts register in this zone.
resource blobZone 'Microsoft.Network/privateDnsZones@2024-06-01' = {
  name: 'privatelink.blob.${environment().suffixes.storage}'
  location: 'global'
  tags: tags
}

resource blobZoneLink 'Microsoft.Network/privateDnsZones/virtualNetworkLinks@2024-06-01' = {
  parent: blobZone
  name: '${name}-link'
  location: 'global'
  tags: tags
  properties: {
    registrationEnabled: false
    virtualNetwork: {
      id: vnet.id
    }
  }
}

output appSubnetId string = resourceId('Microsoft.Network/virtualNetworks/subnets', vnet.name, 'app')
output postgresSubnetId string = resourceId('Microsoft.Network/virtualNetworks/subnets', vnet.name, 'postgres')
output endpointSubnetId string = resourceId('Microsoft.Network/virtualNetworks/subnets', vnet.name, 'endpoints')
// A module's outputs are read once all of it is deployed: whatever uses
// these ids waits for the zone links too.
output postgresZoneId string = postgresZone.id
output blobZoneId string = blobZone.id
