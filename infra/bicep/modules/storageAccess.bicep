// One role for one principal on blob containers of one storage account,
// each assignment scoped to its container, never to the account. Deployed
// into the account's resource group (the data account may live elsewhere).

@description('Storage account, in this deployment\'s resource group.')
param storageAccountName string
@description('Existing containers of that account.')
param containerNames array
@description('Object id of the principal (a user-assigned identity).')
param principalId string
@description('Built-in role definition id (a GUID).')
param roleDefinitionId string

resource account 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' existing = {
  parent: account
  name: 'default'
}

resource containers 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' existing = [
  for container in containerNames: {
    parent: blobService
    name: container
  }
]

resource assignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for (container, i) in containerNames: {
    name: guid(containers[i].id, principalId, roleDefinitionId)
    scope: containers[i]
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleDefinitionId)
      principalId: principalId
      // A new identity may not have replicated yet; the type skips the lookup.
      principalType: 'ServicePrincipal'
    }
  }
]
