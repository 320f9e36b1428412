package config_test

import (
	"reflect"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"

	"tilefunc/config"
)

func env(kv map[string]string) func(string) string {
	return func(k string) string { return kv[k] }
}

func TestDefaults(t *testing.T) {
	c, err := config.Load(env(map[string]string{"DATABASE_URL": "postgresql://u:p@localhost:5432/db"}))
	if err != nil {
		t.Fatal(err)
	}
	if all := "public, max-age=3600"; c.Addr != "127.0.0.1:8080" || c.CacheControl != (config.CacheControl{Documents: all, Images: all, Service: all}) {
		t.Fatalf("addr %q cache %q", c.Addr, c.CacheControl)
	}
	s := c.Search
	if s.ScanLimit != 10000 || s.ItemsLimit != 100 || s.TimeLimit.Seconds() != 5 || !s.ExitWhenFull || !s.SkipCovered {
		t.Fatalf("search defaults %+v, want titiler-pgstac's 10000/100/5s/true/true", s)
	}
}

// CORS allows any origin and GET, POST, OPTIONS unless told otherwise, as
// titiler-pgstac; lists are comma-separated, spaces ignored.
// TITILER_PGSTAC_API_CACHECONTROL is every class's Cache-Control, as
// titiler-pgstac's one setting; a class's own setting overrides it.
func TestCacheControlOfEachClass(t *testing.T) {
	c, err := config.Load(env(map[string]string{
		"DATABASE_URL":                    "postgresql://u:p@localhost:5432/db",
		"TITILER_PGSTAC_API_CACHECONTROL": "private, max-age=10",
		"TILEFUNC_CACHECONTROL_IMAGES":    "public, max-age=86400",
	}))
	if err != nil {
		t.Fatal(err)
	}
	want := config.CacheControl{Documents: "private, max-age=10", Images: "public, max-age=86400", Service: "private, max-age=10"}
	if c.CacheControl != want {
		t.Fatalf("%+v, want %+v", c.CacheControl, want)
	}
}

func TestCORSSettings(t *testing.T) {
	const db = "postgresql://u:p@localhost:5432/db"
	c, err := config.Load(env(map[string]string{"DATABASE_URL": db}))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(c.CORSOrigins, []string{"*"}) || !reflect.DeepEqual(c.CORSMethods, []string{"GET", "POST", "OPTIONS"}) {
		t.Fatalf("defaults: origins %q methods %q", c.CORSOrigins, c.CORSMethods)
	}
	c, err = config.Load(env(map[string]string{
		"DATABASE_URL":                          db,
		"TITILER_PGSTAC_API_CORS_ORIGINS":       "https://a.example, https://b.example",
		"TITILER_PGSTAC_API_CORS_ALLOW_METHODS": "get, options",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(c.CORSOrigins, []string{"https://a.example", "https://b.example"}) || !reflect.DeepEqual(c.CORSMethods, []string{"GET", "OPTIONS"}) {
		t.Fatalf("set: origins %q methods %q", c.CORSOrigins, c.CORSMethods)
	}
}

// The map pages' basemap is OpenStreetMap's, with its attribution, unless
// set otherwise or off.
func TestViewerBasemap(t *testing.T) {
	const db = "postgresql://u:p@localhost:5432/db"
	for _, c := range []struct {
		set, attribution map[string]string
		url, text        string
	}{
		{nil, nil, "https://tile.openstreetmap.org/{z}/{x}/{y}.png", "© OpenStreetMap contributors"},
		{map[string]string{"TILEFUNC_VIEWER_BASEMAP": "off"}, nil, "", ""},
		{map[string]string{"TILEFUNC_VIEWER_BASEMAP": "https://t.example/{z}/{x}/{y}.png"}, nil, "https://t.example/{z}/{x}/{y}.png", ""},
		{map[string]string{"TILEFUNC_VIEWER_BASEMAP": "https://t.example/{z}/{x}/{y}.png"}, map[string]string{"TILEFUNC_VIEWER_BASEMAP_ATTRIBUTION": "© Example"}, "https://t.example/{z}/{x}/{y}.png", "© Example"},
	} {
		kv := map[string]string{"DATABASE_URL": db}
		for _, m := range []map[string]string{c.set, c.attribution} {
			for k, v := range m {
				kv[k] = v
			}
		}
		cfg, err := config.Load(env(kv))
		if err != nil {
			t.Fatal(err)
		}
		if cfg.ViewerBasemap != c.url || cfg.ViewerBasemapAttribution != c.text {
			t.Errorf("%v: basemap %q %q, want %q %q", kv, cfg.ViewerBasemap, cfg.ViewerBasemapAttribution, c.url, c.text)
		}
	}
}

func TestFunctionsHostPortWins(t *testing.T) {
	c, err := config.Load(env(map[string]string{
		"DATABASE_URL":                 "postgresql://u:p@localhost/db",
		"FUNCTIONS_CUSTOMHANDLER_PORT": "41234",
		"TILEFUNC_ADDR":                "0.0.0.0:9000",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:41234" {
		t.Fatalf("addr %q, want the host's port on loopback", c.Addr)
	}
}

// Each bad setting stops start-up with one line that names it.
func TestBadSettingsNameTheSetting(t *testing.T) {
	const url = "postgresql://u:s3cret@localhost/db"
	cases := []struct {
		env  map[string]string
		name string
	}{
		{map[string]string{}, "DATABASE_URL"},
		{map[string]string{"DATABASE_URL": "mysql://u:s3cret@x/db"}, "DATABASE_URL"},
		{map[string]string{"DATABASE_URL": url, "USE_POSTGRES_MI": "true", "POSTGRES_HOST": "h", "POSTGRES_DB": "d", "POSTGRES_USER": "u"}, "DATABASE_URL"},
		{map[string]string{"USE_POSTGRES_MI": "true", "POSTGRES_HOST": "h"}, "POSTGRES_DB"},
		{map[string]string{"DATABASE_URL": url, "USE_POSTGRES_MI": "maybe"}, "USE_POSTGRES_MI"},
		{map[string]string{"DATABASE_URL": url, "FUNCTIONS_CUSTOMHANDLER_PORT": "http"}, "FUNCTIONS_CUSTOMHANDLER_PORT"},
		{map[string]string{"DATABASE_URL": url, "DB_MAX_CONN_SIZE": "0"}, "DB_MAX_CONN_SIZE"},
		{map[string]string{"DATABASE_URL": url, "DB_MIN_CONN_SIZE": "20"}, "DB_MIN_CONN_SIZE"},
		{map[string]string{"DATABASE_URL": url, "TITILER_PGSTAC_SEARCH_SCAN_LIMIT": "lots"}, "TITILER_PGSTAC_SEARCH_SCAN_LIMIT"},
		{map[string]string{"DATABASE_URL": url, "USE_AZURE_AUTH": "true"}, "AZURE_STORAGE_ACCOUNT"},
		{map[string]string{"DATABASE_URL": url, "TILEFUNC_CACHECONTROL_IMAGES": "max-age=60\r\nSet-Cookie: a=b"}, "TILEFUNC_CACHECONTROL_IMAGES"},
		{map[string]string{"DATABASE_URL": url, "TILEFUNC_VIEWER_BASEMAP": "https://tiles.example/{z}/{x}.png?key=s3cret"}, "TILEFUNC_VIEWER_BASEMAP"},
		{map[string]string{"DATABASE_URL": url, "TILEFUNC_VIEWER_BASEMAP": "file:///{z}/{x}/{y}.png"}, "TILEFUNC_VIEWER_BASEMAP"},
	}
	for _, c := range cases {
		_, err := config.Load(env(c.env))
		if err == nil {
			t.Fatalf("%v: want an error naming %s", c.env, c.name)
		}
		msg := err.Error()
		if !strings.Contains(msg, c.name) || strings.Contains(msg, "\n") {
			t.Fatalf("%v: error %q should be one line naming %s", c.env, msg, c.name)
		}
		if strings.Contains(msg, "s3cret") {
			t.Fatalf("error %q shows the password", msg)
		}
	}
}

// Metrics and traces are off unless switched on, as in titiler-pgstac; a
// malformed switch or collector URL stops start-up with one line naming it,
// never the URL (it may hold a password).
func TestTelemetrySettings(t *testing.T) {
	const db = "postgresql://u:p@localhost:5432/db"
	c, err := config.Load(env(map[string]string{"DATABASE_URL": db, "OTEL_EXPORTER_OTLP_ENDPOINT": "not a url"}))
	if err != nil || c.Metrics || c.Telemetry {
		t.Fatalf("defaults: metrics %v telemetry %v err %v (the endpoint is only read with telemetry on)", c.Metrics, c.Telemetry, err)
	}
	c, err = config.Load(env(map[string]string{"DATABASE_URL": db, "TITILER_PGSTAC_API_METRICS_ENABLED": "TRUE",
		"TITILER_PGSTAC_API_TELEMETRY_ENABLED": "true", "OTEL_EXPORTER_OTLP_ENDPOINT": "https://otel.example:4318"}))
	if err != nil || !c.Metrics || !c.Telemetry {
		t.Fatalf("switched on: metrics %v telemetry %v err %v", c.Metrics, c.Telemetry, err)
	}
	for _, bad := range []struct {
		name string // the setting the error must name
		set  map[string]string
	}{
		{"TITILER_PGSTAC_API_METRICS_ENABLED", map[string]string{"TITILER_PGSTAC_API_METRICS_ENABLED": "yes please"}},
		{"TITILER_PGSTAC_API_TELEMETRY_ENABLED", map[string]string{"TITILER_PGSTAC_API_TELEMETRY_ENABLED": "maybe"}},
		{"OTEL_EXPORTER_OTLP_ENDPOINT", map[string]string{"TITILER_PGSTAC_API_TELEMETRY_ENABLED": "true", "OTEL_EXPORTER_OTLP_ENDPOINT": "user:s3cret@collector:4318"}},
		{"OTEL_EXPORTER_OTLP_ENDPOINT", map[string]string{"TITILER_PGSTAC_API_TELEMETRY_ENABLED": "true", "OTEL_EXPORTER_OTLP_ENDPOINT": "grpc://collector:4317"}},
	} {
		bad.set["DATABASE_URL"] = db
		_, err := config.Load(env(bad.set))
		if err == nil || !strings.Contains(err.Error(), bad.name) || strings.Contains(err.Error(), "s3cret") || strings.Contains(err.Error(), "\n") {
			t.Errorf("%v: want one line naming %s, got %v", bad.set, bad.name, err)
		}
	}
}

// MOSAIC_CONCURRENCY defaults from GOMAXPROCS, which Go sets from the
// cgroup's CPU quota, not from the host's CPU count; TILEFUNC_RENDERS
// from MOSAIC_CONCURRENCY.
func TestConcurrencyFollowsGOMAXPROCS(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	c, err := config.Load(env(map[string]string{"DATABASE_URL": "postgresql://u:p@localhost:5432/db"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Concurrency != 2 || c.Renders != 2 {
		t.Fatalf("concurrency %d, renders %d with GOMAXPROCS=1 on %d CPUs, want 2 and 2", c.Concurrency, c.Renders, runtime.NumCPU())
	}
	c, err = config.Load(env(map[string]string{"DATABASE_URL": "postgresql://u:p@localhost:5432/db", "MOSAIC_CONCURRENCY": "5", "TILEFUNC_RENDERS": "0"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Concurrency != 5 || c.Renders != 0 {
		t.Fatalf("MOSAIC_CONCURRENCY=5, TILEFUNC_RENDERS=0: concurrency %d, renders %d", c.Concurrency, c.Renders)
	}
}

// Renders get 40 % of the memory limit unless TILEFUNC_RENDER_MEMORY_MB says
// otherwise (0: no bound).
func TestRenderMemory(t *testing.T) {
	for _, c := range []struct {
		set  string
		want func(int64) bool
	}{
		{"", func(n int64) bool { return n > 0 && n%(1<<20) == 0 }},
		{"512", func(n int64) bool { return n == 512<<20 }},
		{"0", func(n int64) bool { return n == 0 }},
	} {
		c2, err := config.Load(env(map[string]string{"DATABASE_URL": "postgresql://u:p@localhost:5432/db", "TILEFUNC_RENDER_MEMORY_MB": c.set}))
		if err != nil {
			t.Fatal(err)
		}
		if !c.want(c2.RenderMemory) {
			t.Errorf("TILEFUNC_RENDER_MEMORY_MB=%q: %d bytes", c.set, c2.RenderMemory)
		}
	}
	if _, err := config.Load(env(map[string]string{"DATABASE_URL": "postgresql://u:p@localhost:5432/db", "TILEFUNC_RENDER_MEMORY_MB": "lots"})); err == nil || !strings.Contains(err.Error(), "TILEFUNC_RENDER_MEMORY_MB") {
		t.Errorf("a bad value: %v", err)
	}
}

// Registration is rate limited by default when run alone, not under the
// Functions host, whose function key guards it (and whose requests all come
// from one address).
func TestRegisterRateDefaults(t *testing.T) {
	alone, err := config.Load(env(map[string]string{"DATABASE_URL": "postgresql://u:p@localhost:5432/db"}))
	if err != nil {
		t.Fatal(err)
	}
	hosted, err := config.Load(env(map[string]string{"DATABASE_URL": "postgresql://u:p@localhost:5432/db", "FUNCTIONS_CUSTOMHANDLER_PORT": "4000"}))
	if err != nil {
		t.Fatal(err)
	}
	if alone.RegisterPerHour != 600 || hosted.RegisterPerHour != 0 || alone.RegisterKey != "" {
		t.Fatalf("alone %d, hosted %d, key %q", alone.RegisterPerHour, hosted.RegisterPerHour, alone.RegisterKey)
	}
}

// TILEFUNC_PUBLIC_URL is a scheme and host alone.
func TestPublicURL(t *testing.T) {
	ok, err := config.Load(env(map[string]string{"DATABASE_URL": "postgresql://u:p@localhost:5432/db", "TILEFUNC_PUBLIC_URL": "https://tiles.example.org/"}))
	if err != nil || ok.PublicURL != "https://tiles.example.org" {
		t.Fatalf("%v %q", err, ok.PublicURL)
	}
	for _, bad := range []string{"tiles.example.org", "ftp://x", "https://u:p@x", "https://x/path", "https://x?q=1"} {
		_, err := config.Load(env(map[string]string{"DATABASE_URL": "postgresql://u:p@localhost:5432/db", "TILEFUNC_PUBLIC_URL": bad}))
		if err == nil || !strings.Contains(err.Error(), "TILEFUNC_PUBLIC_URL") {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

// Profiling is off unless TILEFUNC_PPROF_ADDR names a loopback address:
// anything another machine could reach stops start-up with one line
// naming the setting (profiles show the process's memory).
func TestPprofAddr(t *testing.T) {
	const db = "postgresql://u:p@localhost:5432/db"
	off, err := config.Load(env(map[string]string{"DATABASE_URL": db}))
	if err != nil || off.PprofAddr != "" {
		t.Fatalf("default: %q %v, want off", off.PprofAddr, err)
	}
	for _, ok := range []string{"127.0.0.1:6060", "localhost:6060", "[::1]:6060", "127.0.0.2:7000"} {
		c, err := config.Load(env(map[string]string{"DATABASE_URL": db, "TILEFUNC_PPROF_ADDR": ok}))
		if err != nil || c.PprofAddr != ok {
			t.Errorf("%q: %q %v", ok, c.PprofAddr, err)
		}
	}
	for _, bad := range []string{"0.0.0.0:6060", ":6060", "10.0.0.4:6060", "[::]:6060", "example.org:6060", "127.0.0.1", "127.0.0.1:http", "127.0.0.1:0", "127.0.0.1:70000"} {
		_, err := config.Load(env(map[string]string{"DATABASE_URL": db, "TILEFUNC_PPROF_ADDR": bad}))
		if err == nil || !strings.Contains(err.Error(), "TILEFUNC_PPROF_ADDR") || strings.Contains(err.Error(), "\n") {
			t.Errorf("%q: want one line naming TILEFUNC_PPROF_ADDR, got %v", bad, err)
		}
	}
}

// GDAL's block cache is 5 % of the memory limit, 16 MB at least and 128 MB
// at most, unless GDAL_CACHEMAX is set; then GDAL reads it itself. 128
// datasets are kept by default.
func TestGDALCacheAndDatasetDefaults(t *testing.T) {
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(-1))
	const db = "postgresql://u:p@localhost:5432/db"
	for _, c := range []struct {
		limit   int64
		cacheMB int
	}{
		{256 << 20, 16},
		{1 << 30, 51},
		{2 << 30, 102},
		{4 << 30, 128},
	} {
		debug.SetMemoryLimit(c.limit)
		cfg, err := config.Load(env(map[string]string{"DATABASE_URL": db}))
		if err != nil {
			t.Fatal(err)
		}
		if cfg.GDALCacheMB != c.cacheMB || cfg.Memory != c.limit || cfg.Datasets != 128 {
			t.Errorf("memory limit %d MB: cache %d MB, memory %d, datasets %d; want cache %d MB, 128 datasets",
				c.limit>>20, cfg.GDALCacheMB, cfg.Memory, cfg.Datasets, c.cacheMB)
		}
	}
	cfg, err := config.Load(env(map[string]string{"DATABASE_URL": db, "GDAL_CACHEMAX": "300"}))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.GDALCacheMB != 0 {
		t.Errorf("GDAL_CACHEMAX set: tilefunc sets a cache of %d MB, want none", cfg.GDALCacheMB)
	}
}
