// A private endpoint for one storage account's blob service in the
// endpoints subnet, registered in the privatelink.blob zone. The account
// may be in another resource group (an existing data account).

param name string
param location string
param tags object
param subnetId string
@description('Resource id of the storage account.')
param storageAccountId string
@description('Resource id of the privatelink.blob private DNS zone.')
param dnsZoneId string

resource endpoint 'Microsoft.Network/privateEndpoints@2024-05-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    subnet: {
      id: subnetId
    }
    privateLinkServiceConnections: [
      {
        name: name
        properties: {
          privateLinkServiceId: storageAccountId
          groupIds: [
            'blob'
          ]
        }
      }
    ]
  }
}

resource zoneGroup 'Microsoft.Network/privateEndpoints/privateDnsZoneGroups@2024-05-01' = {
  parent: endpoint
  name: 'default'
  properties: {
    privateDnsZoneConfigs: [
      {
        name: 'blob'
        properties: {
          privateDnsZoneId: dnsZoneId
        }
      }
    ]
  }
}
