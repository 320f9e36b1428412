package infra

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// The locked-down shape (issue 13 part 3): what privateNetworking turns on,
// what is on whatever the parameters say, and what each parameter file
// decides. Each check has a mutation in TestLockdownChecksCatchBreakage.

// under is every value a path takes where cond is among its conditions,
// joined with " | ".
func under(props map[string][]propValue, path, cond string) string {
	var vs []string
	for _, v := range props[path] {
		for _, c := range v.When {
			if c == cond {
				vs = append(vs, v.Value)
				break
			}
		}
	}
	return strings.Join(vs, " | ")
}

// resource is the one resource of a type in a file whose name is name ("" for
// any).
func resource(f bicepFile, typ, name string) *bicepResource {
	for i, res := range f.Resources {
		if res.Type == typ && (name == "" || prop(res.Props, "name") == name) {
			return &f.Resources[i]
		}
	}
	return nil
}

// element is the prefix of the array element at path whose key has value
// want: "properties.subnets[1]" for the subnet named 'postgres'.
func element(props map[string][]propValue, path, key, want string) string {
	for i := 0; ; i++ {
		el := path + "[" + strconv.Itoa(i) + "]"
		if _, ok := props[el]; !ok && !hasPrefix(props, el+".") {
			return ""
		}
		if prop(props, el+"."+key) == want {
			return el
		}
	}
}

func hasPrefix(props map[string][]propValue, prefix string) bool {
	for path := range props {
		if strings.HasPrefix(path, prefix) {
			return true
		}
	}
	return false
}

// Where an alert sends its notifications: actionGroup, which is the given
// action group or the created one.
const alertActions = "group.id | actionGroupId"

func checkLockdown(r *report, m bicepModel, main bicepFile) {
	if p, ok := main.Params["privateNetworking"]; !ok || p.Type != "bool" || p.Default == nil || *p.Default != "true" {
		r.add("main.bicep: param privateNetworking must be a bool defaulting to true (locked down unless a parameter file opens it)")
	}
	checkNetwork(r, m.Files["modules/network.bicep"], main)
	checkPrivateStorage(r, m, main)
	checkPrivatePostgres(r, m.Files["modules/postgres.bicep"], main)
	checkSiteLockdown(r, m.Files["modules/functionApp.bicep"], main)
	checkAlerts(r, m.Files["modules/alerts.bicep"], main)
}

func checkNetwork(r *report, net, main bicepFile) {
	mods := module(main, "modules/network.bicep")
	if len(mods) != 1 || mods[0].Condition == nil || *mods[0].Condition != "privateNetworking" {
		r.add("main.bicep: want one network module deployed if (privateNetworking)")
	}
	vnet := resource(net, "Microsoft.Network/virtualNetworks", "")
	if vnet == nil {
		r.add("network.bicep: no Microsoft.Network/virtualNetworks")
		return
	}
	for subnet, delegation := range map[string]string{"app": "Microsoft.App/environments", "postgres": "Microsoft.DBforPostgreSQL/flexibleServers", "endpoints": ""} {
		el := element(vnet.Props, "properties.subnets", "name", "'"+subnet+"'")
		if el == "" {
			r.add("network.bicep: the VNet has no subnet %s (inline, so that a redeployment keeps it)", subnet)
			continue
		}
		got := prop(vnet.Props, el+".properties.delegations[0].properties.serviceName")
		if want := "'" + delegation + "'"; delegation != "" && got != want {
			r.add("network.bicep: subnet %s is delegated to %q, want %s", subnet, got, want)
		}
		if delegation == "" && got != "" {
			r.add("network.bicep: subnet %s (private endpoints) is delegated to %s", subnet, got)
		}
		if want := "resourceId('Microsoft.Network/virtualNetworks/subnets', vnet.name, '" + subnet + "')"; !strings.Contains(outputsText(net), want) {
			r.add("network.bicep: no output gives the id of subnet %s", subnet)
		}
	}
	zones := map[string]string{}
	for _, res := range net.Resources {
		if res.Type == "Microsoft.Network/privateDnsZones" {
			zones[res.Symbol] = prop(res.Props, "name")
		}
	}
	pgZone, blobZone := "", ""
	for symbol, name := range zones {
		switch {
		case name == "'${postgresServerName}.private.postgres.database.azure.com'" || name == "'privatelink.postgres.database.azure.com'":
			pgZone = symbol
		case strings.HasPrefix(name, "'privatelink.blob."):
			blobZone = symbol
		}
	}
	if pgZone == "" {
		r.add("network.bicep: no private DNS zone <server>.private.postgres.database.azure.com (or privatelink.postgres.database.azure.com): %v", zones)
	}
	if blobZone == "" {
		r.add("network.bicep: no privatelink.blob private DNS zone: %v", zones)
	}
	for _, zone := range []string{pgZone, blobZone} {
		linked := false
		for _, res := range net.Resources {
			if res.Type == "Microsoft.Network/privateDnsZones/virtualNetworkLinks" && prop(res.Props, "parent") == zone &&
				prop(res.Props, "properties.virtualNetwork.id") == vnet.Symbol+".id" {
				linked = true
			}
		}
		if zone != "" && !linked {
			r.add("network.bicep: private DNS zone %s is not linked to the VNet, so names do not resolve to private addresses in it", zones[zone])
		}
	}
	if len(mods) == 1 {
		if got := prop(mods[0].Props, "params.postgresServerName"); got != "names.postgres" {
			r.add("main.bicep: network module: postgresServerName is %q, want names.postgres (the zone is named after the server)", got)
		}
	}
}

func outputsText(f bicepFile) string {
	var b strings.Builder
	for _, o := range f.Outputs {
		b.WriteString(o.Value + "\n")
	}
	return b.String()
}

func checkPrivateStorage(r *report, m bicepModel, main bicepFile) {
	st := m.Files["modules/storage.bicep"]
	if acct := resource(st, "Microsoft.Storage/storageAccounts", ""); acct == nil {
		r.add("storage.bicep: no storage account")
	} else {
		if got := under(acct.Props, "properties.publicNetworkAccess", "privateOnly"); got != "'Disabled'" {
			r.add("storage.bicep: publicNetworkAccess is %q when privateOnly, want 'Disabled'", got)
		}
		if got := under(acct.Props, "properties.networkAcls.defaultAction", "privateOnly"); got != "'Deny'" {
			r.add("storage.bicep: networkAcls.defaultAction is %q when privateOnly, want 'Deny'", got)
		}
	}
	for _, mod := range module(main, "modules/storage.bicep") {
		if got := prop(mod.Props, "params.privateOnly"); got != "privateNetworking" {
			r.add("main.bicep: storage module %s: privateOnly is %q, want privateNetworking", mod.Symbol, got)
		}
	}
	pe := m.Files["modules/privateEndpoint.bicep"]
	endpoint := resource(pe, "Microsoft.Network/privateEndpoints", "")
	if endpoint == nil {
		r.add("privateEndpoint.bicep: no Microsoft.Network/privateEndpoints")
	} else if got := prop(endpoint.Props, "properties.privateLinkServiceConnections[0].properties.groupIds"); !strings.Contains(got, "'blob'") {
		r.add("privateEndpoint.bicep: the endpoint's groupIds %q lack 'blob'", got)
	}
	if zg := resource(pe, "Microsoft.Network/privateEndpoints/privateDnsZoneGroups", ""); zg == nil || prop(zg.Props, "properties.privateDnsZoneConfigs[0].properties.privateDnsZoneId") != "dnsZoneId" {
		r.add("privateEndpoint.bicep: the endpoint does not register in the private DNS zone (privateDnsZoneGroups with dnsZoneId)")
	}
	endpoints := module(main, "modules/privateEndpoint.bicep")
	for _, account := range []string{"hostStorage.outputs.id", "names.dataStorage)"} {
		found := false
		for _, mod := range endpoints {
			if strings.Contains(prop(mod.Props, "params.storageAccountId"), account) && mod.Condition != nil && *mod.Condition == "privateNetworking" &&
				under(mod.Props, "params.subnetId", "privateNetworking") == "network.outputs.endpointSubnetId" &&
				under(mod.Props, "params.dnsZoneId", "privateNetworking") == "network.outputs.blobZoneId" {
				found = true
			}
		}
		if !found {
			r.add("main.bicep: no private endpoint, if (privateNetworking), in network.outputs.endpointSubnetId and the blob zone, for the account %s", strings.TrimSuffix(account, ")"))
		}
	}
}

func checkPrivatePostgres(r *report, pg, main bicepFile) {
	server := resource(pg, "Microsoft.DBforPostgreSQL/flexibleServers", "")
	if server == nil {
		return // checkPostgres says so
	}
	if v := pg.Vars["privateAccess"]; v != "!empty(delegatedSubnetId)" {
		r.add("postgres.bicep: privateAccess is %q, want !empty(delegatedSubnetId)", v)
	}
	for path, want := range map[string]string{
		"properties.network.publicNetworkAccess":         "'Disabled'",
		"properties.network.delegatedSubnetResourceId":   "delegatedSubnetId",
		"properties.network.privateDnsZoneArmResourceId": "privateDnsZoneId",
	} {
		if got := under(server.Props, path, "privateAccess"); got != want {
			r.add("postgres.bicep: with private access, %s is %q, want %s", path, got, want)
		}
	}
	if v := pg.Vars["allFirewallRules"]; !strings.HasPrefix(v, "privateAccess ? [] :") {
		r.add("postgres.bicep: allFirewallRules %q: a server with private access must get no firewall rule (privateAccess ? [] : ...)", v)
	}
	for path, want := range map[string]string{
		"properties.backup.backupRetentionDays": "backupRetentionDays",
		"properties.highAvailability.mode":      "highAvailability",
	} {
		if got := prop(server.Props, path); got != want {
			r.add("postgres.bicep: %s is %q, want the parameter %s", path, got, want)
		}
	}
	for _, name := range []string{"log_connections", "log_disconnections"} {
		c := resource(pg, "Microsoft.DBforPostgreSQL/flexibleServers/configurations", "'"+name+"'")
		if c == nil || prop(c.Props, "properties.value") != "'on'" || c.Condition != nil {
			r.add("postgres.bicep: no configuration %s = 'on' (the seed's Monitor Database Access)", name)
		}
	}
	checkDiagnostics(r, "postgres.bicep", pg, server.Symbol, "PostgreSQLLogs")

	mods := module(main, "modules/postgres.bicep")
	if len(mods) != 1 {
		return
	}
	for param, want := range map[string]string{
		"delegatedSubnetId": "network.outputs.postgresSubnetId",
		"privateDnsZoneId":  "network.outputs.postgresZoneId",
	} {
		if got := under(mods[0].Props, "params."+param, "privateNetworking"); got != want {
			r.add("main.bicep: postgres module: %s is %q with privateNetworking, want %s", param, got, want)
		}
		if got := under(mods[0].Props, "params."+param, "!privateNetworking"); got != "''" {
			r.add("main.bicep: postgres module: %s is %q without privateNetworking, want ''", param, got)
		}
	}
	for param, want := range map[string]string{
		"backupRetentionDays":     "postgresBackupRetentionDays",
		"highAvailability":        "postgresHighAvailability",
		"logAnalyticsWorkspaceId": "monitoring.outputs.workspaceId",
	} {
		if got := prop(mods[0].Props, "params."+param); got != want {
			r.add("main.bicep: postgres module: %s is %q, want %s", param, got, want)
		}
	}
}

// checkDiagnostics: a diagnostic setting on the resource symbol sends the
// log category to the workspace.
func checkDiagnostics(r *report, label string, f bicepFile, symbol, category string) {
	for _, res := range f.Resources {
		if res.Type != "Microsoft.Insights/diagnosticSettings" || prop(res.Props, "scope") != symbol || res.Condition != nil {
			continue
		}
		el := element(res.Props, "properties.logs", "category", "'"+category+"'")
		if el != "" && prop(res.Props, el+".enabled") == "true" && prop(res.Props, "properties.workspaceId") == "logAnalyticsWorkspaceId" {
			return
		}
	}
	r.add("%s: no diagnostic setting sending %s of %s to logAnalyticsWorkspaceId", label, category, symbol)
}

func checkSiteLockdown(r *report, fa, main bicepFile) {
	res, flex, y1, ok := site(r, fa)
	if !ok {
		return
	}
	if got := flex.props["properties.virtualNetworkSubnetId"]; got != "vnetSubnetId" {
		r.add("functionApp.bicep: Flex site: virtualNetworkSubnetId is %q, want vnetSubnetId", got)
	}
	if got := y1.props["properties.virtualNetworkSubnetId"]; got != "" {
		r.add("functionApp.bicep: Y1 site: virtualNetworkSubnetId is %q: Linux Consumption has no VNet integration", got)
	}
	for _, id := range []string{"identityId", "deploymentIdentityId"} {
		if _, ok := res.Props["identity.userAssignedIdentities.'${"+id+"}'"]; !ok {
			r.add("functionApp.bicep: the site is not assigned %s", id)
		}
	}
	for _, name := range []string{"AZURE_CLIENT_ID", "AzureWebJobsStorage__clientId"} {
		if got := flex.settings[name]; got != "identityClientId" {
			r.add("functionApp.bicep: %s is %q, want identityClientId (the runtime identity, not the deployment one)", name, got)
		}
	}
	for _, policy := range []string{"ftp", "scm"} {
		p := resource(fa, "Microsoft.Web/sites/basicPublishingCredentialsPolicies", "'"+policy+"'")
		if p == nil || p.Condition != nil || prop(p.Props, "parent") != res.Symbol || prop(p.Props, "properties.allow") != "false" {
			r.add("functionApp.bicep: no basicPublishingCredentialsPolicies %s of the site with allow: false (basic publishing credentials stay on)", policy)
		}
	}
	checkDiagnostics(r, "functionApp.bicep", fa, res.Symbol, "FunctionAppLogs")
	if mods := module(main, "modules/functionApp.bicep"); len(mods) == 1 {
		if got := under(mods[0].Props, "params.vnetSubnetId", "privateNetworking"); got != "network.outputs.appSubnetId" {
			r.add("main.bicep: functionApp module: vnetSubnetId is %q with privateNetworking, want network.outputs.appSubnetId", got)
		}
	}
}

// The texts the FunctionAppLogs alerts look for must be what the handler
// logs: each is searched for in the handler's Go sources.
var handlerSources = []string{"../identity", "../pgstac", "../handler", "../cmd/handler"}

func handlerLogs(text string) bool {
	for _, dir := range handlerSources {
		files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			if b, err := os.ReadFile(f); err == nil && strings.Contains(string(b), text) {
				return true
			}
		}
	}
	return false
}

func checkAlerts(r *report, al, main bicepFile) {
	mods := module(main, "modules/alerts.bicep")
	if len(mods) != 1 || mods[0].Condition == nil || *mods[0].Condition != "alertsEnabled" {
		r.add("main.bicep: want one alerts module deployed if (alertsEnabled)")
		return
	}
	for param, want := range map[string]string{
		"workspaceId":   "monitoring.outputs.workspaceId",
		"siteId":        "functionApp.outputs.id",
		"actionGroupId": "alertActionGroupId",
		"alertEmails":   "alertEmails",
	} {
		if got := prop(mods[0].Props, "params."+param); got != want {
			r.add("main.bicep: alerts module: %s is %q, want %s", param, got, want)
		}
	}
	if v := al.Vars["actionGroup"]; v != "empty(actionGroupId) ? group.id : actionGroupId" {
		r.add("alerts.bicep: actionGroup is %q, want the given action group or the one created", v)
	}
	queries := al.VarProps["logAlerts"]
	literal := regexp.MustCompile(`contains "([^"]+)"`)
	for name, want := range map[string]string{
		"tokenFailures":         "could not get an Entra token for PostgreSQL",
		"databaseLoginFailures": "PostgreSQL refused the login of the role",
		"serverLoginFailures":   `Category == "PostgreSQLLogs"`,
		"serverErrors":          "toint(ResultCode) >= 500",
	} {
		q := prop(queries, name+".query")
		if !strings.Contains(q, want) {
			r.add("alerts.bicep: logAlerts.%s query %s does not look for %s", name, q, want)
		}
		if !strings.HasPrefix(strings.Trim(q, "'"), "FunctionAppLogs") {
			continue
		}
		for _, m := range literal.FindAllStringSubmatch(q, -1) {
			if !handlerLogs(m[1]) {
				r.add("alerts.bicep: logAlerts.%s looks for %q, which the handler never logs (identity/, pgstac/, handler/, cmd/handler/)", name, m[1])
			}
		}
	}
	rules := resource(al, "Microsoft.Insights/scheduledQueryRules", "")
	if rules == nil || rules.Loop == nil || !strings.Contains(*rules.Loop, "items(logAlerts)") {
		r.add("alerts.bicep: no scheduledQueryRules for each of logAlerts")
	} else {
		for path, want := range map[string]string{
			"properties.scopes[0]":                  "workspaceId",
			"properties.criteria.allOf[0].query":    "alert.value.query",
			"properties.actions.actionGroups[0]":    alertActions,
			"properties.criteria.allOf[0].operator": "'GreaterThan'",
			"properties.enabled":                    "true",
		} {
			if got := prop(rules.Props, path); got != want {
				r.add("alerts.bicep: scheduledQueryRules: %s is %q, want %s", path, got, want)
			}
		}
	}
	memory := resource(al, "Microsoft.Insights/metricAlerts", "")
	if memory == nil {
		r.add("alerts.bicep: no metric alert on instance memory")
		return
	}
	for path, want := range map[string]string{
		"properties.scopes[0]":                    "siteId",
		"properties.criteria.allOf[0].metricName": "'MemoryWorkingSet'",
		"properties.actions[0].actionGroupId":     alertActions,
	} {
		if got := prop(memory.Props, path); got != want {
			r.add("alerts.bicep: memory alert: %s is %q, want %s", path, got, want)
		}
	}
	if got := prop(memory.Props, "properties.criteria.allOf[0].threshold"); !strings.Contains(got, "instanceMemoryMB") {
		r.add("alerts.bicep: memory alert threshold %q is not relative to instanceMemoryMB", got)
	}
}
