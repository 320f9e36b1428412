package infra

import (
	"encoding/json"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"tilefunc/config"
)

// Most user connections (max_connections less the 15 the service keeps for
// replication and monitoring) of each Flexible Server compute size, as
// Azure documents them by default: "Limits in Azure Database for PostgreSQL
// flexible server", https://learn.microsoft.com/azure/postgresql/flexible-server/concepts-limits
// (table "Maximum connections"). A size not listed here is a problem:
// add its row.
var maxUserConnections = map[string]int{
	"Standard_B1ms": 35, "Standard_B2s": 414, "Standard_B2ms": 844, "Standard_B4ms": 1703,
	"Standard_B8ms": 3422, "Standard_B12ms": 4985, "Standard_B16ms": 4985, "Standard_B20ms": 4985,
	"Standard_D2s_v3": 844, "Standard_D2ds_v4": 844, "Standard_D2ds_v5": 844, "Standard_D2ads_v5": 844,
	"Standard_D4s_v3": 1703, "Standard_D4ds_v4": 1703, "Standard_D4ds_v5": 1703, "Standard_D4ads_v5": 1703,
	"Standard_D8s_v3": 3422, "Standard_D8ds_v4": 3422, "Standard_D8ds_v5": 3422, "Standard_D8ads_v5": 3422,
	"Standard_D16s_v3": 4985, "Standard_D16ds_v4": 4985, "Standard_D16ds_v5": 4985, "Standard_D16ads_v5": 4985,
	"Standard_E2s_v3": 1703, "Standard_E2ds_v4": 1703, "Standard_E2ds_v5": 1703, "Standard_E2ads_v5": 1703,
	"Standard_E4s_v3": 3422, "Standard_E4ds_v4": 3422, "Standard_E4ds_v5": 3422, "Standard_E4ads_v5": 3422,
}

// Linux Consumption scales out to 100 instances, whatever maximumInstanceCount
// says (reference: Azure Functions scale, /work/shared/reference/azure-functions.md §5).
const y1Instances = 100

// environment is what one parameter file deploys: each parameter's value,
// the file's or else main.bicep's default.
type environment struct {
	label string
	file  parameterFile
	main  bicepFile
}

var azdDefault = regexp.MustCompile(`^\$\{[A-Z_]+=(.*)\}$`)

// value is the parameter's value as text: strings unquoted, azd's
// ${NAME=default} as its default, "" when neither the file nor main.bicep
// gives one.
func (e environment) value(name string) string {
	if p, ok := e.file.Parameters[name]; ok {
		v := stringValue(p.Value)
		if m := azdDefault.FindStringSubmatch(v); m != nil {
			return m[1]
		}
		return v
	}
	if p, ok := e.main.Params[name]; ok && p.Default != nil {
		return strings.Trim(*p.Default, "'")
	}
	return ""
}

func (e environment) bool(name string) bool { return e.value(name) == "true" }

func (e environment) int(name string) int {
	n, _ := strconv.Atoi(e.value(name))
	return n
}

// maxConnSize is DB_MAX_CONN_SIZE as the app gets it: the tuning parameter's,
// or config's default.
func (e environment) maxConnSize() int {
	var tuning map[string]string
	_ = json.Unmarshal([]byte(e.value("tuning")), &tuning)
	v := tuning["DB_MAX_CONN_SIZE"]
	if v == "" {
		for _, s := range config.Settings {
			if s.Name == "DB_MAX_CONN_SIZE" {
				v = s.Default
			}
		}
	}
	n, _ := strconv.Atoi(v)
	return n
}

func environmentsOf(r *report, dir string, main bicepFile) []environment {
	var out []environment
	for _, env := range environments {
		label := "parameters/" + env + ".parameters.json"
		if pf, ok := readParameterFile(r, filepath.Join(dir, label)); ok {
			out = append(out, environment{label, pf, main})
		}
	}
	if pf, ok := readParameterFile(r, filepath.Join(dir, "main.parameters.json")); ok {
		out = append(out, environment{"main.parameters.json", pf, main})
	}
	return out
}

// checkEnvironments: what every parameter file must hold together, and prod
// locked down (dev may open what its parameters say).
func checkEnvironments(r *report, dir string, main bicepFile) {
	for _, e := range environmentsOf(r, dir, main) {
		private := e.bool("privateNetworking")
		if e.value("planSku") == "Y1" && private {
			r.add("%s: planSku Y1 with privateNetworking: Linux Consumption has no VNet integration, so the app could reach neither PostgreSQL nor storage", e.label)
		}
		if !private && !e.bool("postgresAllowAzureServices") {
			r.add("%s: public PostgreSQL without postgresAllowAzureServices: the app has no fixed outbound address, so it could not log in", e.label)
		}
		if ha := e.value("postgresHighAvailability"); ha != "Disabled" && e.value("postgresSkuTier") == "Burstable" {
			r.add("%s: postgresHighAvailability %s on a Burstable server: high availability needs GeneralPurpose or MemoryOptimized", e.label, ha)
		}
		checkConnectionBudget(r, e)
		if strings.HasPrefix(e.label, "parameters/prod.") {
			checkProd(r, e)
		}
	}
}

// checkConnectionBudget: every instance at its pool's full size stays within
// the server's user connections.
func checkConnectionBudget(r *report, e environment) {
	sku := e.value("postgresSkuName")
	limit, ok := maxUserConnections[sku]
	if !ok {
		r.add("%s: postgresSkuName %q is not in the max_connections table (environments_test.go): add its row from Azure's limits page", e.label, sku)
		return
	}
	instances := e.int("maximumInstanceCount")
	if e.value("planSku") == "Y1" {
		instances = y1Instances
	}
	pool := e.maxConnSize()
	if instances <= 0 || pool <= 0 {
		r.add("%s: cannot read maximumInstanceCount (%q) or DB_MAX_CONN_SIZE", e.label, e.value("maximumInstanceCount"))
		return
	}
	if budget := instances * pool; budget > limit {
		r.add("%s: connection budget: %d instances x DB_MAX_CONN_SIZE %d = %d connections, over %s's %d user connections: lower one, or take a larger size",
			e.label, instances, pool, budget, sku, limit)
	}
}

func checkProd(r *report, e environment) {
	want := map[string]string{
		"planSku":                    "FC1",
		"privateNetworking":          "true",
		"postgresAllowAzureServices": "false",
		"postgresHighAvailability":   "ZoneRedundant",
		"alertsEnabled":              "true",
	}
	for name, v := range want {
		if got := e.value(name); got != v {
			r.add("%s: %s is %q, want %s (production is locked down)", e.label, name, got, v)
		}
	}
	if rules := strings.TrimSpace(e.value("postgresFirewallRules")); rules != "" && rules != "[]" {
		r.add("%s: postgresFirewallRules %s: production admits no address", e.label, rules)
	}
	if days := e.int("postgresBackupRetentionDays"); days < 30 {
		r.add("%s: postgresBackupRetentionDays %d: production keeps at least 30 days of point-in-time restore", e.label, days)
	}
}
