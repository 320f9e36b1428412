package infra

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"

	"tilefunc/config"
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
	}
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
	offWhenUnset = names("TILEFUNC_ALLOWED_HOSTS")

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
	monitoringMetricsPublisher = "3913510d-42f4-4e42-8a64-420c390055eb"

	environments = []string{"dev", "staging", "prod"}
	// Given on the command line (they name a person or group of the tenant).
	commandLineParams = names("postgresAdminObjectId", "postgresAdminPrincipalName")

	modulesFiles = []string{"identity", "storage", "storageAccess", "monitoring", "plan", "functionApp", "postgres"}
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
	checkParams(r, main)
	checkOutputs(r, main, file("modules/identity.bicep"))
	checkParameterFiles(r, dir, main)
	checkAzureYAML(r, azureYAML, main)
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
		if v := prop(l.res.Props, "properties.publicAccess"); v != "'None'" {
			r.add("%s: containers: publicAccess is %q, want 'None'", l.file, v)
		}
	}
}

// siteSettings is the static app settings of the site on one plan.
func siteSettings(r *report, res bicepResource, isFlex bool) map[string]string {
	out := map[string]string{}
	if res.AppSettings == nil {
		r.add("site %s: no siteConfig.appSettings", res.Symbol)
		return out
	}
	for _, s := range res.AppSettings.Settings {
		for _, c := range s.When {
			if c != "isFlex" && c != "!isFlex" {
				r.add("site %s: app setting %s under a condition other than the plan: %q", res.Symbol, s.Name, c)
			}
		}
		if holds(s.When, isFlex) {
			out[s.Name] = s.Value
		}
	}
	return out
}

// A plan's view of the site in functionApp.bicep.
type siteView struct {
	label    string
	props    map[string]string
	settings map[string]string
}

// site is the one Microsoft.Web/sites of functionApp.bicep, as each plan
// sees it.
func site(r *report, fa bicepFile) (res bicepResource, flex, y1 siteView, ok bool) {
	for _, x := range fa.Resources {
		if x.Type != "Microsoft.Web/sites" {
			continue
		}
		if ok {
			r.add("functionApp.bicep: more than one Microsoft.Web/sites (ARM does not reliably deploy two conditional resources of one name)")
			continue
		}
		if x.Condition != nil {
			r.add("functionApp.bicep: the site is deployed only if (%s)", *x.Condition)
		}
		res, ok = x, true
	}
	if !ok {
		r.add("functionApp.bicep: no Microsoft.Web/sites")
		return
	}
	flex = siteView{"Flex site", planView(res.Props, true), siteSettings(r, res, true)}
	y1 = siteView{"Y1 site", planView(res.Props, false), siteSettings(r, res, false)}
	return
}

func checkSites(r *report, fa bicepFile) {
	if v := fa.Vars["isFlex"]; v != "planSku == 'FC1'" {
		r.add("functionApp.bicep: isFlex is %q, want planSku == 'FC1'", v)
	}
	_, flex, y1, ok := site(r, fa)
	if !ok {
		return
	}
	const fac = "properties.functionAppConfig."
	wantFlex := map[string]string{
		fac + "runtime.name":                           "'custom'",
		fac + "runtime.version":                        "'1.0'",
		fac + "deployment.storage.type":                "'blobContainer'",
		fac + "deployment.storage.authentication.type": "'UserAssignedIdentity'",
		fac + "deployment.storage.authentication.userAssignedIdentityResourceId": "identityId",
		fac + "scaleAndConcurrency.instanceMemoryMB":                             "instanceMemoryMB",
		fac + "scaleAndConcurrency.maximumInstanceCount":                         "maximumInstanceCount",
		fac + "scaleAndConcurrency.triggers.http.perInstanceConcurrency":         "httpPerInstanceConcurrency",
	}
	for path, v := range wantFlex {
		if got := flex.props[path]; got != v {
			r.add("functionApp.bicep: Flex site: %s is %q, want %s (the Flex custom runtime)", path, got, v)
		}
	}
	if got := flex.props[fac+"scaleAndConcurrency.alwaysReady"]; !strings.Contains(got, "{ name: 'http', instanceCount: alwaysReadyInstances }") {
		r.add("functionApp.bicep: Flex site: alwaysReady %q does not keep alwaysReadyInstances warm for http", got)
	}
	for _, v := range []siteView{flex, y1} {
		for path, want := range map[string]string{"kind": "'functionapp,linux'", "identity.type": "'UserAssigned'", "properties.httpsOnly": "true"} {
			if got := v.props[path]; got != want {
				r.add("functionApp.bicep: %s: %s is %q, want %s", v.label, path, got, want)
			}
		}
	}
	for name := range flex.settings {
		if flexRejects[name] {
			r.add("functionApp.bicep: Flex site sets %s, which Flex Consumption rejects", name)
		}
	}

	for name, want := range map[string]string{"FUNCTIONS_WORKER_RUNTIME": "'custom'", "FUNCTIONS_EXTENSION_VERSION": "'~4'"} {
		if got := y1.settings[name]; got != want {
			r.add("functionApp.bicep: Y1 site: %s is %q, want %s", name, got, want)
		}
	}
	if got := y1.settings["WEBSITE_RUN_FROM_PACKAGE"]; !strings.Contains(got, "${packageBlobName}") {
		r.add("functionApp.bicep: Y1 site: WEBSITE_RUN_FROM_PACKAGE %q is not the package blob URL", got)
	}
	if got := y1.settings["WEBSITE_RUN_FROM_PACKAGE_BLOB_MI_RESOURCE_ID"]; got != "identityId" {
		r.add("functionApp.bicep: Y1 site: WEBSITE_RUN_FROM_PACKAGE_BLOB_MI_RESOURCE_ID is %q, want identityId (the package is read with the identity)", got)
	}
	if got := y1.props["properties.siteConfig.linuxFxVersion"]; got != "''" {
		r.add("functionApp.bicep: Y1 site: linuxFxVersion is %q, want '' (the custom stack)", got)
	}
	if got := y1.props["properties.reserved"]; got != "true" {
		r.add("functionApp.bicep: Y1 site: reserved is %q, want true (Linux)", got)
	}
	for path := range y1.props {
		if strings.HasPrefix(path, fac) {
			r.add("functionApp.bicep: Y1 site has %s (functionAppConfig is Flex only)", path)
		}
	}
}

func checkAppSettings(r *report, m bicepModel, main, fa bicepFile) {
	res, flex, y1, ok := site(r, fa)
	if !ok {
		return
	}
	known := map[string]config.Setting{}
	for _, s := range config.Settings {
		known[s.Name] = s
	}
	for _, group := range []map[string]bool{hostProvided, forbiddenInAzure, offWhenUnset, names(keys(azureValues)...), names(keys(azureWiring)...)} {
		for name := range group {
			if _, ok := known[name]; !ok {
				r.add("infra test: %s is no longer in config.Settings: update rules_test.go", name)
			}
		}
	}

	tuning := m.Files["types.bicep"].Types["appTuning"]
	for _, site := range []siteView{flex, y1} {
		for _, s := range config.Settings {
			value, set := site.settings[s.Name]
			switch {
			case forbiddenInAzure[s.Name]:
				if set {
					r.add("functionApp.bicep: %s sets %s, which must never be set in Azure", site.label, s.Name)
				}
			case hostProvided[s.Name]:
				if set {
					r.add("functionApp.bicep: %s sets %s, which the Functions host provides", site.label, s.Name)
				}
			case azureValues[s.Name] != "":
				if value != azureValues[s.Name] {
					r.add("functionApp.bicep: %s: %s is %q, want %s", site.label, s.Name, value, azureValues[s.Name])
				}
			case azureWiring[s.Name] != "":
				if value != azureWiring[s.Name] {
					r.add("functionApp.bicep: %s: %s is %q, want %s", site.label, s.Name, value, azureWiring[s.Name])
				}
			case s.Default == "" && !offWhenUnset[s.Name] && !set:
				r.add("functionApp.bicep: %s never sets %s, which config reads and which has no default", site.label, s.Name)
			}
		}
		for name := range site.settings {
			if _, ok := known[name]; !ok && !platformSettings[name] {
				r.add("functionApp.bicep: %s sets %s, which is neither a setting config reads nor a Functions platform setting", site.label, name)
			}
		}
		for _, req := range []string{"AzureWebJobsStorage__accountName", "AzureWebJobsStorage__clientId", "APPLICATIONINSIGHTS_CONNECTION_STRING"} {
			if _, ok := site.settings[req]; !ok {
				r.add("functionApp.bicep: %s: no %s (host storage and telemetry through the identity)", site.label, req)
			}
		}
		if v := site.settings["AzureWebJobsStorage__credential"]; v != "'managedidentity'" {
			r.add("functionApp.bicep: %s: AzureWebJobsStorage__credential is %q, want 'managedidentity'", site.label, v)
		}
		if _, ok := site.settings["AzureWebJobsStorage"]; ok {
			r.add("functionApp.bicep: %s sets AzureWebJobsStorage (a connection string with a key)", site.label)
		}
	}

	// Settings whose names come from parameters: only the sealed tuning type
	// and the filtered GDAL options.
	for _, d := range res.AppSettings.Dynamic {
		if d.Source != "param tuning" && d.Source != "var gdalSettings" {
			r.add("functionApp.bicep: site %s: app settings from %q cannot be checked", res.Symbol, d.Source)
		}
	}
	if g := fa.Vars["gdalSettings"]; !strings.Contains(g, "'GDAL_'") || !strings.Contains(g, "'CPL_'") || !strings.Contains(g, "'VSI_'") {
		r.add("functionApp.bicep: gdalSettings does not keep only GDAL_*, CPL_*, VSI_* names: %s", g)
	}
	if !slices.Contains(tuning.Decorators, "sealed()") {
		r.add("types.bicep: appTuning is not @sealed(), so a parameter file could set any app setting")
	}
	if len(tuning.Props) == 0 {
		r.add("types.bicep: no appTuning type")
	}
	for _, name := range tuning.Props {
		s, ok := known[name]
		switch {
		case !ok:
			r.add("types.bicep: appTuning.%s is not a setting config reads", name)
		case forbiddenInAzure[name] || hostProvided[name] || azureValues[name] != "" || azureWiring[name] != "":
			r.add("types.bicep: appTuning.%s may not be tuned: Bicep sets or forbids it", name)
		case s.Default == "" && !offWhenUnset[name]:
			r.add("types.bicep: appTuning.%s has no default, so it cannot be optional", name)
		}
	}
	if p := main.Params["tuning"]; p.Type != "appTuning" {
		r.add("main.bicep: param tuning is %q, want appTuning", p.Type)
	}
	if p := fa.Params["tuning"]; p.Type != "appTuning" {
		r.add("functionApp.bicep: param tuning is %q, want appTuning", p.Type)
	}

	// What the settings above are wired to in main.bicep.
	mods := module(main, "modules/functionApp.bicep")
	if len(mods) != 1 {
		r.add("main.bicep: want one functionApp module, have %d", len(mods))
		return
	}
	wiring := map[string]string{
		"identityName":               "identity.outputs.name",
		"identityClientId":           "identity.outputs.clientId",
		"identityId":                 "identity.outputs.id",
		"dataStorageAccountName":     "names.dataStorage",
		"hostStorageAccountName":     "hostStorage.outputs.name",
		"postgresHost":               "postgres.outputs.host",
		"postgresDatabaseName":       "postgres.outputs.databaseName",
		"planSku":                    "planSku",
		"instanceMemoryMB":           "instanceMemoryMB",
		"maximumInstanceCount":       "maximumInstanceCount",
		"alwaysReadyInstances":       "alwaysReadyInstances",
		"httpPerInstanceConcurrency": "httpPerInstanceConcurrency",
		"tuning":                     "tuning",
	}
	for param, want := range wiring {
		if got := prop(mods[0].Props, "params."+param); got != want {
			r.add("main.bicep: functionApp module: %s is %q, want %s", param, got, want)
		}
	}
	if got := prop(mods[0].Props, "params.tags"); !strings.Contains(got, "'azd-service-name': 'tilefunc'") {
		r.add("main.bicep: the Function App has no azd-service-name tag for the tilefunc service: %s", got)
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
	find := func(account string) *bicepModule {
		for i, mod := range access {
			if prop(mod.Props, "params.storageAccountName") == account {
				return &access[i]
			}
		}
		return nil
	}
	roleExprs := func(mod *bicepModule) []string {
		s := prop(mod.Props, "params.roleDefinitionIds")
		return regexp.MustCompile(`roles\.\w+`).FindAllString(s, -1)
	}
	has := func(mod *bicepModule, roleID string) bool {
		for _, e := range roleExprs(mod) {
			if roleIn(main, e, roleID) {
				return true
			}
		}
		return false
	}
	if data := find("names.dataStorage"); data == nil {
		r.add("main.bicep: no storageAccess module on the data account (names.dataStorage)")
	} else {
		if !has(data, storageBlobDataReader) {
			r.add("main.bicep: the identity does not get Storage Blob Data Reader (%s) on the data account", storageBlobDataReader)
		}
		if len(roleExprs(data)) != 1 {
			r.add("main.bicep: the identity gets more than reading on the data account: %q", roleExprs(data))
		}
		if got := prop(data.Props, "params.principalId"); got != "identity.outputs.principalId" {
			r.add("main.bicep: the data account role goes to %q, not the identity", got)
		}
	}
	if host := find("hostStorage.outputs.name"); host == nil {
		r.add("main.bicep: no storageAccess module on the host (deployment) account")
	} else {
		if !has(host, storageBlobDataOwner) {
			r.add("main.bicep: the identity does not get Storage Blob Data Owner on the host account (AzureWebJobsStorage, Flex deployment container)")
		}
		if got := prop(host.Props, "params.principalId"); got != "identity.outputs.principalId" {
			r.add("main.bicep: the host account roles go to %q, not the identity", got)
		}
	}
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

func checkParams(r *report, main bicepFile) {
	p, ok := main.Params["planSku"]
	if !ok || p.Default == nil || *p.Default != "'FC1'" {
		r.add("main.bicep: param planSku must default to 'FC1'")
	} else if d := strings.Join(p.Decorators, " "); !strings.Contains(d, "'FC1'") || !strings.Contains(d, "'Y1'") {
		r.add("main.bicep: param planSku must allow 'FC1' and 'Y1': %s", d)
	}
	for _, name := range []string{"instanceMemoryMB", "maximumInstanceCount", "alwaysReadyInstances", "httpPerInstanceConcurrency"} {
		if p, ok := main.Params[name]; !ok || p.Type != "int" {
			r.add("main.bicep: no int parameter %s", name)
		}
	}
	for _, name := range []string{"environmentName", "identityName", "postgresAdminObjectId", "postgresAdminPrincipalName"} {
		if p, ok := main.Params[name]; !ok {
			r.add("main.bicep: no parameter %s", name)
		} else if p.Default != nil {
			r.add("main.bicep: parameter %s has a default; each environment must give its own", name)
		}
	}
	if p := main.Params["sqlGrantsMode"]; !strings.Contains(strings.Join(p.Decorators, " "), "'readonly'") || !strings.Contains(strings.Join(p.Decorators, " "), "'register'") {
		r.add("main.bicep: param sqlGrantsMode must allow 'readonly' and 'register'")
	}
}

func checkOutputs(r *report, main, identity bicepFile) {
	want := map[string]string{
		"FUNCTION_URL":       "functionApp.outputs.url",
		"IDENTITY_CLIENT_ID": "identity.outputs.clientId",
		"IDENTITY_OBJECT_ID": "identity.outputs.principalId",
	}
	for name, v := range want {
		if o, ok := main.Outputs[name]; !ok || o.Value != v {
			r.add("main.bicep: output %s is %q, want %s", name, o.Value, v)
		}
	}
	if v := identity.Outputs["principalId"].Value; v != "identity.properties.principalId" {
		r.add("identity.bicep: output principalId is %q", v)
	}
	if v := identity.Outputs["clientId"].Value; v != "identity.properties.clientId" {
		r.add("identity.bicep: output clientId is %q", v)
	}
	next, ok := main.Outputs["NEXT_COMMAND"]
	if !ok {
		r.add("main.bicep: no NEXT_COMMAND output")
		return
	}
	cmd := main.Vars["sqlGrantsCommand"]
	if !strings.Contains(next.Value, "${sqlGrantsCommand}") {
		r.add("main.bicep: NEXT_COMMAND %s does not run sqlGrantsCommand", next.Value)
	}
	for _, part := range []string{"handler sql grants", "--role ${identity.outputs.name}", "--mode ${sqlGrantsMode}", "--object-id ${identity.outputs.principalId}"} {
		if !strings.Contains(cmd, part) {
			r.add("main.bicep: sqlGrantsCommand %s lacks %q", cmd, part)
		}
	}
}

type parameterFile struct {
	Parameters map[string]struct {
		Value json.RawMessage `json:"value"`
	} `json:"parameters"`
}

func readParameterFile(r *report, path string) (parameterFile, bool) {
	var pf parameterFile
	b, err := os.ReadFile(path)
	if err == nil {
		err = json.Unmarshal(b, &pf)
	}
	if err != nil {
		r.add("%s: %v", path, err)
		return pf, false
	}
	return pf, true
}

func stringValue(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return string(raw)
	}
	return s
}

func checkParameterFiles(r *report, dir string, main bicepFile) {
	check := func(label string, pf parameterFile, exempt map[string]bool) {
		for name := range pf.Parameters {
			if _, ok := main.Params[name]; !ok {
				r.add("%s: sets %s, which main.bicep does not declare", label, name)
			}
		}
		for name, p := range main.Params {
			if _, ok := pf.Parameters[name]; !ok && p.Default == nil && !exempt[name] {
				r.add("%s: does not set %s, which has no default", label, name)
			}
		}
	}
	identities := map[string]string{}
	for _, env := range environments {
		label := "parameters/" + env + ".parameters.json"
		pf, ok := readParameterFile(r, filepath.Join(dir, label))
		if !ok {
			continue
		}
		check(label, pf, commandLineParams)
		if got := stringValue(pf.Parameters["environmentName"].Value); got != env {
			r.add("%s: environmentName is %q", label, got)
		}
		id := stringValue(pf.Parameters["identityName"].Value)
		if other, dup := identities[id]; dup {
			r.add("%s: identityName %q is also %s's: each environment needs its own identity", label, id, other)
		}
		identities[id] = env
		if mode := stringValue(pf.Parameters["sqlGrantsMode"].Value); env == "prod" && mode != "readonly" {
			r.add("%s: sqlGrantsMode %q: production grants read-only (the seed's security section)", label, mode)
		}
	}
	label := "main.parameters.json"
	if pf, ok := readParameterFile(r, filepath.Join(dir, label)); ok {
		check(label, pf, nil)
		if id := stringValue(pf.Parameters["identityName"].Value); !strings.Contains(id, "${AZURE_ENV_NAME}") {
			r.add("%s: identityName %q is the same in every azd environment", label, id)
		}
	}
}

func checkAzureYAML(r *report, path string, main bicepFile) {
	b, err := os.ReadFile(path)
	if err != nil {
		r.add("azure.yaml: %v", err)
		return
	}
	y := string(b)
	for _, want := range []string{
		`(?m)^services:\n  tilefunc:\n`,
		`(?m)^    host: function$`,
		`(?m)^    language: custom$`,
		`(?m)^    dist: \S+`,
		`(?m)^      prepackage:\n(        \w+: .*\n)*        run: make package$`,
		`(?m)^  path: infra/bicep$`,
		`(?m)^  module: main$`,
	} {
		if !regexp.MustCompile(want).MatchString(y) {
			r.add("azure.yaml: nothing matches %s (service tilefunc: host: function, language: custom, dist, prepackage run: make package; infra at infra/bicep)", want)
		}
	}
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
