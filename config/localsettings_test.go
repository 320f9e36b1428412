package config_test

import (
	"encoding/json"
	"os"
	"testing"

	"tilefunc/config"
)

// local.settings.json.example holds every setting with a local value that
// Load accepts, plus what `func start` needs. The ports are the host's to set.
func TestLocalSettingsExampleListsEverySetting(t *testing.T) {
	b, err := os.ReadFile("../local.settings.json.example")
	if err != nil {
		t.Fatal(err)
	}
	var ls struct {
		IsEncrypted *bool
		Values      map[string]*string
	}
	if err := json.Unmarshal(b, &ls); err != nil {
		t.Fatal(err)
	}
	if ls.IsEncrypted == nil || *ls.IsEncrypted {
		t.Error("IsEncrypted must be false")
	}
	values := map[string]string{}
	for k, v := range ls.Values {
		if v == nil {
			t.Errorf("%s: values must be strings", k)
			continue
		}
		values[k] = *v
	}
	if values["FUNCTIONS_WORKER_RUNTIME"] != "Custom" || values["AzureWebJobsStorage"] != "UseDevelopmentStorage=true" {
		t.Errorf("FUNCTIONS_WORKER_RUNTIME=%q AzureWebJobsStorage=%q", values["FUNCTIONS_WORKER_RUNTIME"], values["AzureWebJobsStorage"])
	}
	hostSets := map[string]bool{"FUNCTIONS_CUSTOMHANDLER_PORT": true, "FUNCTIONS_HTTPWORKER_PORT": true}
	for _, s := range config.Settings {
		if _, ok := ls.Values[s.Name]; ok == hostSets[s.Name] {
			t.Errorf("%s: listed=%v, want %v", s.Name, ok, !hostSets[s.Name])
		}
	}
	if _, err := config.Load(func(k string) string { return values[k] }); err != nil {
		t.Errorf("Load refuses the example: %v", err)
	}
}
