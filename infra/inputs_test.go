package infra

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

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
	for _, name := range []string{"environmentName", "identityName", "deploymentIdentityName", "postgresAdminObjectId", "postgresAdminPrincipalName"} {
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
		for _, param := range []string{"identityName", "deploymentIdentityName"} {
			id := stringValue(pf.Parameters[param].Value)
			if other, dup := identities[id]; dup {
				r.add("%s: %s %q is also %s: each environment needs its own identities, and the deployment identity is not the runtime one", label, param, id, other)
			}
			identities[id] = env + "'s " + param
		}
		if mode := stringValue(pf.Parameters["sqlGrantsMode"].Value); env == "prod" && mode != "readonly" {
			r.add("%s: sqlGrantsMode %q: production grants read-only (the seed's security section)", label, mode)
		}
	}
	label := "main.parameters.json"
	if pf, ok := readParameterFile(r, filepath.Join(dir, label)); ok {
		check(label, pf, nil)
		for _, param := range []string{"identityName", "deploymentIdentityName"} {
			if id := stringValue(pf.Parameters[param].Value); !strings.Contains(id, "${AZURE_ENV_NAME}") {
				r.add("%s: %s %q is the same in every azd environment", label, param, id)
			}
		}
		if stringValue(pf.Parameters["identityName"].Value) == stringValue(pf.Parameters["deploymentIdentityName"].Value) {
			r.add("%s: deploymentIdentityName is identityName: the deployment identity is not the runtime one", label)
		}
	}
}

// checkAzureYAML: the service tilefunc (the azd-service-name tag checkAppSettings
// wants on the site) is a custom-language function built by make package.
func checkAzureYAML(r *report, path string) {
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
