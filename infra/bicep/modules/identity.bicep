// The user-assigned managed identity the Function App runs as. Its name is
// also the PostgreSQL role the app logs in as (POSTGRES_USER), so each
// environment gets its own.

@description('Identity name; the PostgreSQL role has the same name.')
param name string
param location string
param tags object

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: name
  location: location
  tags: tags
}

output id string = identity.id
output name string = identity.name
output clientId string = identity.properties.clientId
@description('Object id of the identity\'s service principal: what pgaadauth maps the PostgreSQL role to.')
output principalId string = identity.properties.principalId
