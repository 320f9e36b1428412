// The hosting plan: Flex Consumption (FC1) by default, Linux Consumption (Y1)
// as the alternative.

param name string
param location string
param tags object
@allowed([
  'FC1'
  'Y1'
])
param sku string

var isFlex = sku == 'FC1'

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: name
  location: location
  tags: tags
  kind: 'functionapp'
  sku: isFlex ? { name: 'FC1', tier: 'FlexConsumption' } : { name: 'Y1', tier: 'Dynamic' }
  properties: isFlex ? { reserved: true } : { computeMode: 'Dynamic', reserved: true }
}

output id string = plan.id
