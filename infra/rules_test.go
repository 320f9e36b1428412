package infra

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// How each setting config reads is handled in Azure. Every name here must
// still be one config reads; a name config reads that is in none of these
// and has no default must be set by the Function App.
var (
	// The Functions host sets these itself.
	hostProvided = names("FUNCTIONS_CUSTOMHANDLER_PORT", "FUNCTIONS_HTTPWORKER_PORT")
	// Never in Azure: the identity replaces the password and the account key,
	// and an item must not reach the instance's files.
	forbiddenInAzure = names("DATABASE_URL", "AZURE_STORAGE_CONNECTION_STRING", "TILEFUNC_LOCAL_ASSET_DIRS")
	// Their default is wrong in Azure: the app sets exactly this value.
	azureValues = map[string]string{
		"USE_POSTGRES_MI": "'true'",
		"LOCAL_MODE":      "'false'",
		"USE_AZURE_AUTH":  "'true'",
		// TLS that checks the server: the roots are in the package.
		"POSTGRES_SSLMODE":     "'verify-full'",
		"POSTGRES_SSLROOTCERT": "'" + packagedRoots + "'",
	}
	// Where scripts/package.sh puts Azure PostgreSQL's root CAs in the package.
	packagedRoots = "certs/azure-postgres-roots.pem"
	// Wired from what the deployment makes: the expression in functionApp.bicep.
	azureWiring = map[string]string{
		"POSTGRES_HOST":         "postgresHost",
		"POSTGRES_DB":           "postgresDatabaseName",
		"POSTGRES_USER":         "identityName",
		"POSTGRES_PORT":         "string(postgresPort)",
		"AZURE_CLIENT_ID":       "identityClientId",
		"AZURE_STORAGE_ACCOUNT": "dataStorageAccountName",
	}
	// Unset means off, which is right in Azure (and it may be tuned).
	offWhenUnset = names("TILEFUNC_ALLOWED_HOSTS", "TITILER_DEFAULT_ATTRIBUTION", "TILEFUNC_REGISTER_KEY", "TILEFUNC_PUBLIC_URL", "TILEFUNC_PPROF_ADDR")

	// Settings that are the platform's, not tilefunc's.
	platformSettings = names(
		"AzureWebJobsStorage__accountName", "AzureWebJobsStorage__credential", "AzureWebJobsStorage__clientId",
		"APPLICATIONINSIGHTS_CONNECTION_STRING", "APPLICATIONINSIGHTS_AUTHENTICATION_STRING",
		"FUNCTIONS_WORKER_RUNTIME", "FUNCTIONS_EXTENSION_VERSION",
		"WEBSITE_RUN_FROM_PACKAGE", "WEBSITE_RUN_FROM_PACKAGE_BLOB_MI_RESOURCE_ID",
	)
	// Flex Consumption rejects these app settings.
	flexRejects = names(
		"FUNCTIONS_WORKER_RUNTIME", "FUNCTIONS_EXTENSION_VERSION", "WEBSITE_RUN_FROM_PACKAGE",
		"WEBSITE_CONTENTAZUREFILECONNECTIONSTRING", "WEBSITE_CONTENTSHARE",
		"SCM_DO_BUILD_DURING_DEPLOYMENT", "ENABLE_ORYX_BUILD",
	)

	// pgSTAC 0.9's first migration creates these extensions.
	pgstacExtensions = []string{"postgis", "btree_gist", "unaccent"}

	// Built-in role definition ids.
	storageBlobDataReader      = "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1"
	storageBlobDataOwner       = "b7e6dc6d-f1e8-4753-8033-0f276bb0955b"
	storageBlobDataContributor = "ba92f5b4-2d11-453d-a403-e96b0029c9fe"
	monitoringMetricsPublisher = "3913510d-42f4-4e42-8a64-420c390055eb"

	environments = []string{"dev", "staging", "prod"}
	// Given on the command line (they name a person or group of the tenant).
	commandLineParams = names("postgresAdminObjectId", "postgresAdminPrincipalName")

	modulesFiles = []string{"identity", "storage", "storageAccess", "monitoring", "plan", "functionApp", "postgres", "network", "privateEndpoint", "alerts"}
)

func names(ns ...string) map[string]bool {
	m := map[string]bool{}
	for _, n := range ns {
		m[n] = true
	}
	return m
}

type report struct{ problems []string }

func (r *report) add(format string, args ...any) {
	r.problems = append(r.problems, fmt.Sprintf(format, args...))
}

// checkInfra lists every way the Bicep tree at dir (its parse in m), its
// parameter files and azure.yaml fall short of issue 5 points 5-6.
func checkInfra(dir, azureYAML string, m bicepModel) []string {
	r := &report{}
	file := func(name string) bicepFile {
		f, ok := m.Files[name]
		if !ok {
			r.add("%s: missing", name)
		}
		return f
	}
	main := file("main.bicep")
	for _, mod := range modulesFiles {
		file("modules/" + mod + ".bicep")
	}
	fa := file("modules/functionApp.bicep")
	checkModulesUsed(r, main)
	checkResources(r, m)
	checkSites(r, fa)
	checkAppSettings(r, m, main, fa)
	checkPostgres(r, file("modules/postgres.bicep"))
	checkRoles(r, m, main)
	checkLockdown(r, m, main)
	checkParams(r, main)
	checkOutputs(r, main, file("modules/identity.bicep"))
	checkParameterFiles(r, dir, main)
	checkEnvironments(r, dir, main)
	checkAzureYAML(r, azureYAML)
	return r.problems
}

func module(f bicepFile, path string) []bicepModule {
	var out []bicepModule
	for _, mod := range f.Modules {
		if mod.Path == path {
			out = append(out, mod)
		}
	}
	return out
}

// prop is every value a path may take, joined with " | ".
func prop(props map[string][]propValue, path string) string {
	var vs []string
	for _, v := range props[path] {
		vs = append(vs, v.Value)
	}
	return strings.Join(vs, " | ")
}

// holds says whether conditions may all be true when isFlex has the given
// value: isFlex and !isFlex are decided, any other condition may go either way.
func holds(when []string, isFlex bool) bool {
	for _, c := range when {
		if (c == "isFlex" && !isFlex) || (c == "!isFlex" && isFlex) {
			return false
		}
	}
	return true
}

// planView is what properties are on one plan: the values whose conditions
// may hold, null (left out) dropped.
func planView(props map[string][]propValue, isFlex bool) map[string]string {
	out := map[string]string{}
	for path, vals := range props {
		var vs []string
		for _, v := range vals {
			if holds(v.When, isFlex) && v.Value != "null" {
				vs = append(vs, v.Value)
			}
		}
		if len(vs) > 0 {
			out[path] = strings.Join(vs, " | ")
		}
	}
	return out
}

func checkModulesUsed(r *report, main bicepFile) {
	for _, mod := range modulesFiles {
		if len(module(main, "modules/"+mod+".bicep")) == 0 {
			r.add("main.bicep: never deploys modules/%s.bicep", mod)
		}
	}
}

type located struct {
	file string
	res  bicepResource
}

func resourcesOf(m bicepModel, typ string) []located {
	var out []located
	files := make([]string, 0, len(m.Files))
	for name := range m.Files {
		files = append(files, name)
	}
	sort.Strings(files)
	for _, name := range files {
		for _, res := range m.Files[name].Resources {
			if res.Type == typ {
				out = append(out, located{name, res})
			}
		}
	}
	return out
}

// apiAtLeast compares the date part of two API versions.
func apiAtLeast(v, least string) bool {
	if len(v) < 10 {
		return false
	}
	return v[:10] >= least
}

func checkResources(r *report, m bicepModel) {
	required := []string{
		"Microsoft.ManagedIdentity/userAssignedIdentities",
		"Microsoft.Storage/storageAccounts",
		"Microsoft.Storage/storageAccounts/blobServices/containers",
		"Microsoft.OperationalInsights/workspaces",
		"Microsoft.Insights/components",
		"Microsoft.Web/serverfarms",
		"Microsoft.Web/sites",
		"Microsoft.DBforPostgreSQL/flexibleServers",
		"Microsoft.DBforPostgreSQL/flexibleServers/administrators",
		"Microsoft.DBforPostgreSQL/flexibleServers/configurations",
		"Microsoft.DBforPostgreSQL/flexibleServers/databases",
		"Microsoft.DBforPostgreSQL/flexibleServers/firewallRules",
		"Microsoft.Authorization/roleAssignments",
	}
	for _, typ := range required {
		if len(resourcesOf(m, typ)) == 0 {
			r.add("no %s resource", typ)
		}
	}
	for _, typ := range []string{"Microsoft.Web/serverfarms", "Microsoft.Web/sites"} {
		for _, l := range resourcesOf(m, typ) {
			if !apiAtLeast(l.res.APIVersion, "2024-04-01") {
				r.add("%s: %s@%s: Flex needs API version 2024-04-01 or later", l.file, typ, l.res.APIVersion)
			}
		}
	}
	for _, l := range resourcesOf(m, "Microsoft.Storage/storageAccounts") {
		if l.res.Existing {
			continue
		}
		if v := prop(l.res.Props, "properties.allowSharedKeyAccess"); v != "false" {
			r.add("%s: storage account %s: allowSharedKeyAccess is %q, want false", l.file, l.res.Symbol, v)
		}
		if v := prop(l.res.Props, "properties.allowBlobPublicAccess"); v != "false" {
			r.add("%s: storage account %s: allowBlobPublicAccess is %q, want false", l.file, l.res.Symbol, v)
		}
	}
	for _, l := range resourcesOf(m, "Microsoft.Web/serverfarms") {
		flex, y1 := planView(l.res.Props, true), planView(l.res.Props, false)
		if flex["sku.name"] != "'FC1'" || flex["sku.tier"] != "'FlexConsumption'" {
			r.add("%s: plan: no Flex Consumption sku (FC1/FlexConsumption) when isFlex: %q %q", l.file, flex["sku.name"], flex["sku.tier"])
		}
		if y1["sku.name"] != "'Y1'" || y1["sku.tier"] != "'Dynamic'" {
			r.add("%s: plan: no Linux Consumption sku (Y1/Dynamic) otherwise: %q %q", l.file, y1["sku.name"], y1["sku.tier"])
		}
		if y1["properties.reserved"] != "true" || flex["properties.reserved"] != "true" {
			r.add("%s: plan: not a Linux plan (properties.reserved)", l.file)
		}
	}
	for _, l := range resourcesOf(m, "Microsoft.Storage/storageAccounts/blobServices/containers") {
		if l.res.Existing {
			continue
		}
		if v := prop(l.res.Props, "properties.publicAccess"); v != "'None'" {
			r.add("%s: containers: publicAccess is %q, want 'None'", l.file, v)
		}
	}
}

func checkPostgres(r *report, pg bicepFile) {
	var server, admin, ext *bicepResource
	for i, res := range pg.Resources {
		switch {
		case res.Type == "Microsoft.DBforPostgreSQL/flexibleServers":
			server = &pg.Resources[i]
		case res.Type == "Microsoft.DBforPostgreSQL/flexibleServers/administrators":
			admin = &pg.Resources[i]
		case res.Type == "Microsoft.DBforPostgreSQL/flexibleServers/configurations" && prop(res.Props, "name") == "'azure.extensions'":
			ext = &pg.Resources[i]
		}
	}
	if server == nil {
		r.add("postgres.bicep: no flexibleServers resource")
		return
	}
	if v := prop(server.Props, "properties.authConfig.activeDirectoryAuth"); v != "'Enabled'" {
		r.add("postgres.bicep: authConfig.activeDirectoryAuth is %q, want 'Enabled'", v)
	}
	if v := prop(server.Props, "properties.authConfig.passwordAuth"); v != "'Disabled'" {
		r.add("postgres.bicep: authConfig.passwordAuth is %q, want 'Disabled'", v)
	}
	for _, p := range []string{"properties.administratorLogin", "properties.administratorLoginPassword"} {
		if _, ok := server.Props[p]; ok {
			r.add("postgres.bicep: %s set on an Entra-only server", p)
		}
	}
	if admin == nil {
		r.add("postgres.bicep: no Entra administrator (flexibleServers/administrators)")
	} else {
		if v := prop(admin.Props, "name"); v != "adminObjectId" {
			r.add("postgres.bicep: the administrator is named %q, want adminObjectId (its object id)", v)
		}
		for _, p := range []string{"properties.principalName", "properties.principalType", "properties.tenantId"} {
			if _, ok := admin.Props[p]; !ok {
				r.add("postgres.bicep: administrator has no %s", p)
			}
		}
	}
	if ext == nil {
		r.add("postgres.bicep: no azure.extensions configuration")
	} else {
		value := prop(ext.Props, "properties.value")
		list := strings.ToLower(value + " " + pg.Vars["pgstacExtensions"])
		for _, e := range pgstacExtensions {
			if !regexp.MustCompile(`'` + e + `'`).MatchString(list) {
				r.add("postgres.bicep: azure.extensions (%s) does not allow %s, which pgSTAC needs", value, e)
			}
		}
	}
}

func roleIn(main bicepFile, roleExpr, roleID string) bool {
	name, ok := strings.CutPrefix(roleExpr, "roles.")
	return ok && prop(main.VarProps["roles"], name) == "'"+roleID+"'"
}

func checkRoles(r *report, m bicepModel, main bicepFile) {
	access := module(main, "modules/storageAccess.bicep")
	// find is the storageAccess module that gives principal a role on the
	// containers of account.
	find := func(account, principal string) *bicepModule {
		for i, mod := range access {
			if prop(mod.Props, "params.storageAccountName") == account && prop(mod.Props, "params.principalId") == principal {
				return &access[i]
			}
		}
		return nil
	}
	role := func(mod *bicepModule) string { return prop(mod.Props, "params.roleDefinitionId") }
	const runtime, deployer = "identity.outputs.principalId", "deploymentIdentity.outputs.principalId"
	if data := find("names.dataStorage", runtime); data == nil {
		r.add("main.bicep: no storageAccess module giving the runtime identity (%s) a role on the data account (names.dataStorage)", runtime)
	} else {
		if !roleIn(main, role(data), storageBlobDataReader) {
			r.add("main.bicep: the runtime identity gets %s, not Storage Blob Data Reader (%s), on the data account", role(data), storageBlobDataReader)
		}
		if got := prop(data.Props, "params.containerNames"); !strings.Contains(got, "dataContainerName") {
			r.add("main.bicep: the data account role is not on the data container (dataContainerName): %s", got)
		}
	}
	if host := find("hostStorage.outputs.name", runtime); host == nil {
		r.add("main.bicep: no storageAccess module giving the runtime identity the Functions host's containers (AzureWebJobsStorage)")
	} else {
		if !roleIn(main, role(host), storageBlobDataOwner) {
			r.add("main.bicep: the runtime identity does not get Storage Blob Data Owner on the host's containers (AzureWebJobsStorage)")
		}
		got := prop(host.Props, "params.containerNames")
		for _, c := range []string{"'azure-webjobs-hosts'", "'azure-webjobs-secrets'"} {
			if !strings.Contains(got, c) {
				r.add("main.bicep: the runtime identity's host-account role is not on %s, which the Functions host writes: %s", c, got)
			}
		}
		if strings.Contains(got, "deploymentContainerName") || strings.Contains(got, "'deployments'") {
			r.add("main.bicep: the runtime identity gets a role on the deployment container: only the deployment identity may write the package")
		}
	}
	if dep := find("hostStorage.outputs.name", deployer); dep == nil {
		r.add("main.bicep: no storageAccess module giving the deployment identity (%s) the deployment container", deployer)
	} else {
		if !roleIn(main, role(dep), storageBlobDataContributor) && !roleIn(main, role(dep), storageBlobDataOwner) {
			r.add("main.bicep: the deployment identity gets %s on the deployment container, want Storage Blob Data Contributor or Owner", role(dep))
		}
		if got := prop(dep.Props, "params.containerNames"); strings.TrimSpace(strings.Trim(strings.TrimSpace(got), "[]")) != "deploymentContainerName" {
			r.add("main.bicep: the deployment identity's role is on %s, want the deployment container only", got)
		}
	}
	for _, mod := range access {
		if p := prop(mod.Props, "params.principalId"); p != runtime && p != deployer {
			r.add("main.bicep: storageAccess module %s gives a role to %s, neither the runtime nor the deployment identity", mod.Symbol, p)
		}
		if prop(mod.Props, "params.principalId") == deployer && prop(mod.Props, "params.storageAccountName") != "hostStorage.outputs.name" {
			r.add("main.bicep: storageAccess module %s gives the deployment identity a role outside the deployment container", mod.Symbol)
		}
	}
	checkContainerScopes(r, m)
	if mods := module(main, "modules/monitoring.bicep"); len(mods) == 1 {
		if !roleIn(main, prop(mods[0].Props, "params.publisherRoleId"), monitoringMetricsPublisher) {
			r.add("main.bicep: monitoring: publisherRoleId is not Monitoring Metrics Publisher")
		}
	}
	for _, l := range resourcesOf(m, "Microsoft.Authorization/roleAssignments") {
		if v := prop(l.res.Props, "properties.principalType"); v != "'ServicePrincipal'" {
			r.add("%s: role assignment %s: principalType %q, want 'ServicePrincipal'", l.file, l.res.Symbol, v)
		}
		if v := prop(l.res.Props, "properties.roleDefinitionId"); !strings.HasPrefix(v, "subscriptionResourceId('Microsoft.Authorization/roleDefinitions'") {
			r.add("%s: role assignment %s: roleDefinitionId %q", l.file, l.res.Symbol, v)
		}
	}
}

// checkContainerScopes: storageAccess.bicep scopes each assignment to a
// container, never to the account.
func checkContainerScopes(r *report, m bicepModel) {
	sa := m.Files["modules/storageAccess.bicep"]
	types := map[string]string{}
	for _, res := range sa.Resources {
		types[res.Symbol] = res.Type
	}
	n := 0
	for _, res := range sa.Resources {
		if res.Type != "Microsoft.Authorization/roleAssignments" {
			continue
		}
		n++
		scope := prop(res.Props, "scope")
		symbol, _, _ := strings.Cut(scope, "[")
		if types[symbol] != "Microsoft.Storage/storageAccounts/blobServices/containers" {
			r.add("storageAccess.bicep: role assignment %s is scoped to %q (%s), not to a blob container", res.Symbol, scope, types[symbol])
		}
	}
	if n == 0 {
		r.add("storageAccess.bicep: no role assignment")
	}
}
