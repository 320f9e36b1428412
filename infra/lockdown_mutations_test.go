package infra

import "testing"

// Each mutation opens, or unwires, one part of the locked-down shape or one
// environment's decision; each must be caught (see mustCatch).
func TestLockdownChecksCatchBreakage(t *testing.T) {
	cases := []struct {
		name, file, old, new string
		want                 string
	}{
		// network
		{"app subnet not delegated to Microsoft.App", "modules/network.bicep",
			"serviceName: 'Microsoft.App/environments'", "serviceName: 'Microsoft.Web/serverFarms'", "subnet app is delegated"},
		{"postgres subnet not delegated", "modules/network.bicep",
			"serviceName: 'Microsoft.DBforPostgreSQL/flexibleServers'", "serviceName: 'Microsoft.Sql/servers'", "subnet postgres is delegated"},
		{"network under another condition", "main.bicep",
			"module network 'modules/network.bicep' = if (privateNetworking) {", "module network 'modules/network.bicep' = if (alertsEnabled) {", "network module deployed if (privateNetworking)"},
		{"postgres zone not linked", "modules/network.bicep",
			"  parent: postgresZone\n", "  parent: blobZone\n", "is not linked to the VNet"},
		{"postgres zone misnamed", "modules/network.bicep",
			"'${postgresServerName}.private.postgres.database.azure.com'", "'${postgresServerName}.postgres.example.com'", "private DNS zone <server>"},
		{"not locked down by default", "main.bicep",
			"param privateNetworking bool = true", "param privateNetworking bool = false", "privateNetworking must be a bool defaulting to true"},
		// storage
		{"storage public when private", "modules/storage.bicep",
			"publicNetworkAccess: privateOnly ? 'Disabled' : 'Enabled'", "publicNetworkAccess: 'Enabled'", "publicNetworkAccess is"},
		{"storage firewall allows", "modules/storage.bicep",
			"defaultAction: privateOnly ? 'Deny' : 'Allow'", "defaultAction: 'Allow'", "defaultAction"},
		{"storage module stays public", "main.bicep",
			"    privateOnly: privateNetworking\n", "    privateOnly: false\n", "privateOnly is"},
		{"endpoint not for blob", "modules/privateEndpoint.bicep",
			"            'blob'\n", "            'queue'\n", "groupIds"},
		{"no endpoint for the data account", "main.bicep",
			"    storageAccountId: resourceId(dataStorageGroup, 'Microsoft.Storage/storageAccounts', names.dataStorage)\n", "    storageAccountId: hostStorage.outputs.id\n", "for the account names.dataStorage"},
		// PostgreSQL
		{"private server with a public endpoint", "modules/postgres.bicep",
			"      publicNetworkAccess: 'Disabled'\n", "      publicNetworkAccess: 'Enabled'\n", "network.publicNetworkAccess"},
		{"firewall rules on a private server", "modules/postgres.bicep",
			"var allFirewallRules = privateAccess ? [] : concat(", "var allFirewallRules = concat(", "allFirewallRules"},
		{"log_connections off", "modules/postgres.bicep",
			"  name: 'log_connections'\n  properties: {\n    value: 'on'", "  name: 'log_connections'\n  properties: {\n    value: 'off'", "log_connections"},
		{"no PostgreSQLLogs", "modules/postgres.bicep",
			"category: 'PostgreSQLLogs'", "category: 'PostgreSQLFlexSessions'", "PostgreSQLLogs"},
		{"backup retention fixed", "modules/postgres.bicep",
			"      backupRetentionDays: backupRetentionDays", "      backupRetentionDays: 7", "backupRetentionDays"},
		{"server not in the delegated subnet", "main.bicep",
			"    delegatedSubnetId: privateNetworking ? network.outputs.postgresSubnetId : ''", "    delegatedSubnetId: ''", "delegatedSubnetId"},
		{"TLS not verified", "modules/functionApp.bicep",
			"POSTGRES_SSLMODE: 'verify-full'", "POSTGRES_SSLMODE: 'require'", "POSTGRES_SSLMODE"},
		{"CA bundle not the packaged one", "modules/functionApp.bicep",
			"POSTGRES_SSLROOTCERT: 'certs/azure-postgres-roots.pem'", "POSTGRES_SSLROOTCERT: 'certs/roots.pem'", "POSTGRES_SSLROOTCERT"},
		// Function App
		{"no VNet integration", "modules/functionApp.bicep",
			"virtualNetworkSubnetId: isFlex ? (empty(vnetSubnetId) ? null : vnetSubnetId) : null", "virtualNetworkSubnetId: null", "virtualNetworkSubnetId"},
		{"VNet subnet not wired", "main.bicep",
			"    vnetSubnetId: privateNetworking ? network.outputs.appSubnetId : ''", "    vnetSubnetId: ''", "vnetSubnetId"},
		{"scm basic credentials on", "modules/functionApp.bicep",
			"  name: 'scm'\n  properties: {\n    allow: false", "  name: 'scm'\n  properties: {\n    allow: true", "basicPublishingCredentialsPolicies scm"},
		{"ftp policy missing", "modules/functionApp.bicep",
			"  name: 'ftp'\n", "  name: 'ftps'\n", "basicPublishingCredentialsPolicies ftp"},
		{"no FunctionAppLogs", "modules/functionApp.bicep",
			"category: 'FunctionAppLogs'", "category: 'AppServiceHTTPLogs'", "FunctionAppLogs"},
		{"Flex deploys with the runtime identity", "modules/functionApp.bicep",
			"            userAssignedIdentityResourceId: deploymentIdentityId", "            userAssignedIdentityResourceId: identityId", "userAssignedIdentityResourceId"},
		{"deployment identity not assigned", "modules/functionApp.bicep",
			"      '${deploymentIdentityId}': {}\n", "", "not assigned deploymentIdentityId"},
		// identities and roles
		{"role on the account", "modules/storageAccess.bicep",
			"    scope: containers[i]\n", "    scope: account\n", "not to a blob container"},
		{"runtime identity on the deployment container", "main.bicep",
			"var hostRuntimeContainers = [\n", "var hostRuntimeContainers = [\n  'deployments'\n", "deployment container"},
		{"deployment role to the runtime identity", "main.bicep",
			"    principalId: deploymentIdentity.outputs.principalId\n", "    principalId: identity.outputs.principalId\n", "deployment identity"},
		{"deployment identity is the runtime one", "parameters/prod.parameters.json",
			`"id-tilefunc-prod-deploy"`, `"id-tilefunc-prod"`, "deploymentIdentityName"},
		// alerts
		{"alerts never deployed", "main.bicep",
			"module alerts 'modules/alerts.bicep' = if (alertsEnabled) {", "module alerts 'modules/alerts.bicep' = if (false) {", "alerts module"},
		{"token alert on another line", "modules/alerts.bicep",
			`contains "could not get an Entra token for PostgreSQL"`, `contains "could not get a token"`, "tokenFailures"},
		{"login alert on text the handler never logs", "modules/alerts.bicep",
			`contains "PostgreSQL refused the login of the role"`, `contains "PostgreSQL refused the login of the role" or Message contains "the server said no"`, "never logs"},
		{"5xx alert counts 4xx", "modules/alerts.bicep",
			"toint(ResultCode) >= 500", "toint(ResultCode) >= 400", "serverErrors"},
		{"memory alert on CPU", "modules/alerts.bicep",
			"metricName: 'MemoryWorkingSet'", "metricName: 'CpuTime'", "metricName"},
		{"log alerts to no action group", "modules/alerts.bicep",
			"        actionGroups: [\n          actionGroup\n", "        actionGroups: [\n          workspaceId\n", "actionGroups"},
		// environments
		{"prod opened", "parameters/prod.parameters.json",
			`"privateNetworking": { "value": true }`, `"privateNetworking": { "value": false }`, "production is locked down"},
		{"prod admits Azure services", "parameters/prod.parameters.json",
			`"postgresAllowAzureServices": { "value": false }`, `"postgresAllowAzureServices": { "value": true }`, "postgresAllowAzureServices is"},
		{"prod without zone redundancy", "parameters/prod.parameters.json",
			`"ZoneRedundant"`, `"Disabled"`, "postgresHighAvailability"},
		{"prod keeps a week of backups", "parameters/prod.parameters.json",
			`"postgresBackupRetentionDays": { "value": 35 }`, `"postgresBackupRetentionDays": { "value": 7 }`, "postgresBackupRetentionDays 7"},
		{"prod alerts off", "parameters/prod.parameters.json",
			`"alertsEnabled": { "value": true }`, `"alertsEnabled": { "value": false }`, "alertsEnabled"},
		{"prod over its connections", "parameters/prod.parameters.json",
			`"maximumInstanceCount": { "value": 100 }`, `"maximumInstanceCount": { "value": 200 }`, "prod.parameters.json: connection budget"},
		{"defaults over their connections", "main.bicep",
			"param postgresSkuName string = 'Standard_B2s'", "param postgresSkuName string = 'Standard_B1ms'", "main.parameters.json: connection budget"},
		{"size without a max_connections row", "parameters/dev.parameters.json",
			`"Standard_B2s"`, `"Standard_B3s"`, "not in the max_connections table"},
		{"high availability on Burstable", "parameters/staging.parameters.json",
			`"postgresHighAvailability": { "value": "Disabled" }`, `"postgresHighAvailability": { "value": "ZoneRedundant" }`, "Burstable"},
		{"Y1 with private networking", "parameters/staging.parameters.json",
			`"planSku": { "value": "FC1" }`, `"planSku": { "value": "Y1" }`, "planSku Y1 with privateNetworking"},
		{"open dev the app cannot reach", "parameters/dev.parameters.json",
			`"postgresAllowAzureServices": { "value": true }`, `"postgresAllowAzureServices": { "value": false }`, "could not log in"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			mustCatch(t, tc.file, tc.old, tc.new, tc.want)
		})
	}
}
