package infra

import (
	"slices"
	"strings"

	"tilefunc/config"
)

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
		fac + "deployment.storage.authentication.userAssignedIdentityResourceId": "deploymentIdentityId",
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
	if got := y1.settings["WEBSITE_RUN_FROM_PACKAGE_BLOB_MI_RESOURCE_ID"]; got != "deploymentIdentityId" {
		r.add("functionApp.bicep: Y1 site: WEBSITE_RUN_FROM_PACKAGE_BLOB_MI_RESOURCE_ID is %q, want deploymentIdentityId (the package is read with the deployment identity)", got)
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
		"deploymentIdentityId":       "deploymentIdentity.outputs.id",
		"logAnalyticsWorkspaceId":    "monitoring.outputs.workspaceId",
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
