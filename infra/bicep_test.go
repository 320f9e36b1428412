package infra

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// What bicepcheck.mjs prints: the parse of every .bicep file under a folder.
type bicepModel struct {
	Root   string               `json:"root"`
	Files  map[string]bicepFile `json:"files"`
	Errors []string             `json:"errors"`
}

type bicepFile struct {
	Params    map[string]bicepParam             `json:"params"`
	Vars      map[string]string                 `json:"vars"`
	VarProps  map[string]map[string][]propValue `json:"varProps"`
	Types     map[string]bicepType              `json:"types"`
	Outputs   map[string]bicepOutput            `json:"outputs"`
	Imports   []string                          `json:"imports"`
	Resources []bicepResource                   `json:"resources"`
	Modules   []bicepModule                     `json:"modules"`
}

type bicepParam struct {
	Type       string   `json:"type"`
	Default    *string  `json:"default"`
	Decorators []string `json:"decorators"`
}

type bicepType struct {
	Props      []string `json:"props"`
	Decorators []string `json:"decorators"`
}

type bicepOutput struct {
	Type  string `json:"type"`
	Value string `json:"value"`
}

// A resource; Props maps dotted property paths to the values they may take
// (both branches of a ternary, each under its condition).
type bicepResource struct {
	Symbol      string                 `json:"symbol"`
	Type        string                 `json:"type"`
	APIVersion  string                 `json:"apiVersion"`
	Existing    bool                   `json:"existing"`
	Condition   *string                `json:"condition"`
	Loop        *string                `json:"loop"`
	Props       map[string][]propValue `json:"props"`
	Decorators  []string               `json:"decorators"`
	AppSettings *struct {
		Settings []appSetting    `json:"settings"`
		Dynamic  []dynamicSource `json:"dynamic"`
	} `json:"appSettings"`
}

// One app setting: its name, the source text of its value, and the ternary
// conditions it sits under.
type appSetting struct {
	Name  string   `json:"name"`
	Value string   `json:"value"`
	When  []string `json:"when"`
	Via   *string  `json:"via"`
}

// Settings whose names are not known before deployment (a parameter, a
// computed variable).
type dynamicSource struct {
	Source string   `json:"source"`
	When   []string `json:"when"`
}

type bicepModule struct {
	Symbol    string                 `json:"symbol"`
	Path      string                 `json:"path"`
	Condition *string                `json:"condition"`
	Props     map[string][]propValue `json:"props"`
}

// The source text of a value, and the ternary conditions it sits under.
type propValue struct {
	Value string   `json:"value"`
	When  []string `json:"when"`
}

// runBicepCheck parses every .bicep file under dir with bicepcheck.mjs.
// The error carries the script's stderr (the syntax errors) when it fails.
func runBicepCheck(t *testing.T, dir string) (bicepModel, error) {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatal("node is not installed: scripts/deps.sh needs Node.js >= 20 and npm")
	}
	cmd := exec.Command(node, "bicepcheck.mjs", dir)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, runErr := cmd.Output()
	if strings.Contains(stderr.String(), "ERR_MODULE_NOT_FOUND") || strings.Contains(stderr.String(), "Cannot find module") {
		t.Fatalf("web-tree-sitter or tree-sitter-bicep is not installed (run scripts/deps.sh, or npm ci):\n%s", stderr.String())
	}
	var m bicepModel
	if err := json.Unmarshal(out, &m); err != nil {
		return m, errors.Join(runErr, errors.New(stderr.String()), err)
	}
	if runErr != nil {
		return m, errors.Join(runErr, errors.New(stderr.String()))
	}
	return m, nil
}

// The tree as committed parses, and has every resource, parameter, output and
// app setting issue 5 asks for, consistent with config.Settings.
func TestBicepParsesAndMatchesConfig(t *testing.T) {
	m, err := runBicepCheck(t, "bicep")
	if err != nil {
		t.Fatalf("bicepcheck: %v", err)
	}
	if len(m.Files) < 9 {
		t.Errorf("bicepcheck read %d files, want main.bicep, types.bicep and 7 modules", len(m.Files))
	}
	for _, problem := range checkInfra("bicep", "../azure.yaml", m) {
		t.Error(problem)
	}
}

// Each mutation breaks one thing the checks guard; each must be caught. This
// is what keeps TestBicepParsesAndMatchesConfig from passing vacuously.
func TestBicepChecksCatchBreakage(t *testing.T) {
	cases := []struct {
		name, file, old, new string
		want                 string // in a problem, or in the parse error
	}{
		{"syntax error", "modules/postgres.bicep",
			"      passwordAuth: 'Disabled'\n", "      passwordAuth: 'Disabled'\n    }}\n", "postgres.bicep"},
		{"DATABASE_URL set", "modules/functionApp.bicep",
			"  USE_POSTGRES_MI: 'true'\n", "  USE_POSTGRES_MI: 'true'\n  DATABASE_URL: 'postgresql://x'\n", "DATABASE_URL"},
		{"connection string set", "modules/functionApp.bicep",
			"  USE_AZURE_AUTH: 'true'\n", "  USE_AZURE_AUTH: 'true'\n  AZURE_STORAGE_CONNECTION_STRING: 'x'\n", "AZURE_STORAGE_CONNECTION_STRING"},
		{"local asset dirs set", "modules/functionApp.bicep",
			"  LOCAL_MODE: 'false'\n", "  LOCAL_MODE: 'false'\n  TILEFUNC_LOCAL_ASSET_DIRS: '/tmp'\n", "TILEFUNC_LOCAL_ASSET_DIRS"},
		{"required setting missing", "modules/functionApp.bicep",
			"  POSTGRES_HOST: postgresHost\n", "", "POSTGRES_HOST"},
		{"managed identity off", "modules/functionApp.bicep",
			"  USE_POSTGRES_MI: 'true'\n", "  USE_POSTGRES_MI: 'false'\n", "USE_POSTGRES_MI"},
		{"role name is not the identity", "modules/functionApp.bicep",
			"  POSTGRES_USER: identityName\n", "  POSTGRES_USER: 'tilefunc'\n", "POSTGRES_USER"},
		{"Flex gets a Consumption-only setting", "modules/functionApp.bicep",
			"  AzureWebJobsStorage__credential: 'managedidentity'\n",
			"  AzureWebJobsStorage__credential: 'managedidentity'\n  FUNCTIONS_WORKER_RUNTIME: 'custom'\n", "FUNCTIONS_WORKER_RUNTIME"},
		{"Y1 without the custom worker", "modules/functionApp.bicep",
			"  FUNCTIONS_WORKER_RUNTIME: 'custom'\n", "", "FUNCTIONS_WORKER_RUNTIME"},
		{"Flex runtime not custom", "modules/functionApp.bicep",
			"        name: 'custom'\n", "        name: 'python'\n", "runtime"},
		{"old Web API version", "modules/plan.bicep",
			"Microsoft.Web/serverfarms@2024-04-01", "Microsoft.Web/serverfarms@2023-12-01", "2024-04-01"},
		{"shared keys on", "modules/storage.bicep",
			"allowSharedKeyAccess: false", "allowSharedKeyAccess: true", "allowSharedKeyAccess"},
		{"passwords on", "modules/postgres.bicep",
			"passwordAuth: 'Disabled'", "passwordAuth: 'Enabled'", "passwordAuth"},
		{"pgSTAC extension missing", "modules/postgres.bicep",
			"  'UNACCENT'\n", "", "unaccent"},
		{"no Entra administrator", "modules/postgres.bicep",
			"flexibleServers/administrators@", "flexibleServers/administratorz@", "administrators"},
		{"wrong reader role", "main.bicep",
			"2a2b9908-6ea1-4ae2-8e65-a410df84e7d1", "ba92f5b4-2d11-453d-a403-e96b0029c9fe", "Storage Blob Data Reader"},
		{"reader role on the host account", "main.bicep",
			"    storageAccountName: names.dataStorage\n", "    storageAccountName: hostStorage.outputs.name\n", "data account"},
		{"shared identity", "parameters/staging.parameters.json",
			`"id-tilefunc-staging"`, `"id-tilefunc-dev"`, "identityName"},
		{"unknown parameter in a file", "parameters/prod.parameters.json",
			`"planSku"`, `"planSKU"`, "planSKU"},
		{"output missing", "main.bicep",
			"output IDENTITY_OBJECT_ID string", "output IDENTITY_OID string", "IDENTITY_OBJECT_ID"},
		{"next command without the object id", "main.bicep",
			" --object-id ${identity.outputs.principalId}'", "'", "--object-id"},
		{"tuning not sealed", "types.bicep",
			"@sealed()\n", "", "sealed"},
		{"azd builds with the go language", "../../azure.yaml",
			"    language: custom\n", "    language: go\n", "language: custom"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			mustCatch(t, tc.file, tc.old, tc.new, tc.want)
		})
	}
}

// mustCatch replaces old by new in a copy of the Bicep tree (file is relative
// to infra/bicep) and fails unless the parse or a problem names want.
func mustCatch(t *testing.T, file, old, new, want string) {
	t.Helper()
	tmp := t.TempDir()
	dir := filepath.Join(tmp, "infra", "bicep")
	copyTree(t, "bicep", dir)
	yamlPath := filepath.Join(tmp, "azure.yaml")
	copyFile(t, "../azure.yaml", yamlPath)

	target := filepath.Join(dir, file)
	b, err := os.ReadFile(target)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), old) {
		t.Fatalf("%s no longer contains %q: update this mutation", file, old)
	}
	if err := os.WriteFile(target, []byte(strings.Replace(string(b), old, new, 1)), 0o644); err != nil {
		t.Fatal(err)
	}

	m, err := runBicepCheck(t, dir)
	if err != nil {
		if !strings.Contains(err.Error(), want) {
			t.Fatalf("parse failed, but not naming %q: %v", want, err)
		}
		t.Logf("caught: %v", err)
		return
	}
	problems := checkInfra(dir, yamlPath, m)
	for _, p := range problems {
		if strings.Contains(p, want) {
			t.Logf("caught: %s", p)
			return
		}
	}
	t.Errorf("mutation not caught: no problem mentions %q; problems: %q", want, problems)
}

func copyTree(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(to, rel), 0o755)
		}
		copyFile(t, p, filepath.Join(to, rel))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Fatal(err)
	}
}
