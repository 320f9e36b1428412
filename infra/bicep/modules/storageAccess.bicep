// Role assignments for one principal on one storage account. Deployed into
// the account's resource group (the data account may live elsewhere).

@description('Storage account, in this deployment\'s resource group.')
param storageAccountName string
@description('Object id of the principal (the app identity).')
param principalId string
@description('Built-in role definition ids (GUIDs) to assign at the account scope.')
param roleDefinitionIds array

resource account 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource assignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for roleId in roleDefinitionIds: {
    name: guid(account.id, principalId, roleId)
    scope: account
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId)
      principalId: principalId
      // A new identity may not have replicated yet; the type skips the lookup.
      principalType: 'ServicePrincipal'
    }
  }
]
