// Package config reads tilefunc's settings from the environment. Names follow
// the seed guide (DATABASE_URL, USE_POSTGRES_MI, POSTGRES_*, ...) and
// titiler-pgstac (TITILER_PGSTAC_*, DB_*), so existing app settings carry
// over unchanged. A bad value stops start-up with one line naming the setting.
package config

import (
	"crypto/x509"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"tilefunc"
)

// Config is every setting tilefunc reads, validated.
type Config struct {
	Addr         string // listen address
	Database     Database
	Storage      Storage
	Search       tilefunc.SearchOptions
	CacheControl CacheControl  // of cacheable GET answers, by class
	CORSOrigins  []string      // origins browsers may read answers from; "*": any
	CORSMethods  []string      // methods a CORS preflight allows; "*": all
	CacheTTL     time.Duration // how long a resolved search or collection is reused
	Concurrency  int           // assets read in parallel for one image
	RenderMemory int64         // bytes renders may hold together; 0: no bound
	Renders      int           // images rendered at once, process-wide; 0: no bound
	Memory       int64         // the process's memory limit: cgroup, GOMEMLIMIT or the machine's; 0: unknown
	Datasets     int           // opened asset datasets kept between requests; 0: none
	GDALCacheMB  int           // GDAL's block cache when GDAL_CACHEMAX is not set; 0: GDAL's own
	// AssetRoutes and ExternalRoutes switch on titiler-pgstac's optional
	// routes (an item's asset; a raster at url=).
	AssetRoutes, ExternalRoutes bool
	Attribution                 string        // of TileJSON documents (TITILER_DEFAULT_ATTRIBUTION)
	StrictZoom                  bool          // mosaic tiles outside the mosaic's zooms are 400 (MOSAIC_STRICT_ZOOM)
	Debug                       bool          // X-Assets on mosaic images (TITILER_PGSTAC_API_DEBUG)
	RequestTimeout              time.Duration // a request's deadline (TILEFUNC_REQUEST_TIMEOUT)
	RegisterKey                 string        // bearer key for POST /searches/register; "" for none (a secret)
	PublicURL                   string        // scheme and host of links; "" for the request's (TILEFUNC_PUBLIC_URL)
	RegisterPerHour             int           // registrations per client per hour; 0 for no bound
	Metrics                     bool          // Prometheus /metrics (TITILER_PGSTAC_API_METRICS_ENABLED)
	Telemetry                   bool          // OpenTelemetry traces over OTLP/HTTP (TITILER_PGSTAC_API_TELEMETRY_ENABLED)
	// ViewerBasemap is the XYZ URL template of the map pages' basemap, ""
	// for none; ViewerBasemapAttribution its attribution.
	ViewerBasemap, ViewerBasemapAttribution string
	// PprofAddr is the loopback address net/http/pprof listens on, ""
	// for off (TILEFUNC_PPROF_ADDR).
	PprofAddr string
}

// Database says how to reach pgSTAC.
type Database struct {
	URL       string // password mode (USE_POSTGRES_MI=false)
	UseMI     bool   // token mode: managed identity or Azure CLI
	LocalMode bool   // with UseMI: Azure CLI instead of managed identity
	Host      string
	Name      string
	User      string
	Port      int
	ClientID  string // user-assigned identity to use (AZURE_CLIENT_ID)
	SSLMode   string // with UseMI: require, verify-ca or verify-full
	// SSLRootCert is the absolute path of a PEM bundle the server's
	// certificate must chain to (POSTGRES_SSLROOTCERT); "" for the system's.
	SSLRootCert string
	MinConns    int32
	MaxConns    int32
	MaxIdle     time.Duration
	Lifetime    time.Duration
	PgBouncer   bool // transaction pooling in front: no named prepared statements
	// StoredSearches bounds the rows of pgstac.searches below which
	// collection requests register their search (TILEFUNC_STORED_SEARCHES_MAX).
	StoredSearches int
}

// CacheControl is the Cache-Control header of each class of answers
// ("no-store" for none); the search list and health answers carry none.
type CacheControl struct {
	Documents string // TileJSON, tilesets, WMTS, info, map pages
	Images    string // tiles, parts, previews, point values, statistics
	Service   string // landing, conformance, tile matrix sets, colormaps, algorithms, /api
}

// Storage says where asset hrefs may be read from.
type Storage struct {
	ConnectionString string   // Azurite or shared-key account (AZURE_STORAGE_CONNECTION_STRING)
	Account          string   // AZURE_STORAGE_ACCOUNT
	UseAzureAuth     bool     // read blobs with the Azure credential
	LocalDirs        []string // directories whose files may be read (development)
	AllowedHosts     []string // https hosts whose files items may reference
	CacheMB          int      // blob block cache, process-wide
	Endpoint         string   // blob service URL for USE_AZURE_AUTH
}

// DefaultPort is where the handler listens when the Functions host does not
// give it a port.
const DefaultPort = 8080

// Load reads and validates the settings. getenv is os.Getenv in production.
func Load(getenv func(string) string) (*Config, error) {
	r := reader{getenv: getenv}
	c := &Config{
		Addr:        r.addr(),
		Concurrency: r.int("MOSAIC_CONCURRENCY", 2*runtime.GOMAXPROCS(0), 1),
		Database: Database{
			UseMI:     r.bool("USE_POSTGRES_MI", false),
			LocalMode: r.bool("LOCAL_MODE", false),
			Host:      r.str("POSTGRES_HOST", ""),
			Name:      r.str("POSTGRES_DB", ""),
			User:      r.str("POSTGRES_USER", ""),
			Port:      r.int("POSTGRES_PORT", 5432, 1),
			ClientID:  r.str("AZURE_CLIENT_ID", ""),
			SSLMode:   r.str("POSTGRES_SSLMODE", "require"),
			MinConns:  int32(r.int("DB_MIN_CONN_SIZE", 1, 0)),
			MaxConns:  int32(r.int("DB_MAX_CONN_SIZE", 10, 1)),
			MaxIdle:   time.Duration(r.int("DB_MAX_IDLE", 300, 1)) * time.Second,
			Lifetime:  time.Duration(r.int("DB_MAX_LIFETIME", 3600, 1)) * time.Second,
		},
		Storage: Storage{
			ConnectionString: r.str("AZURE_STORAGE_CONNECTION_STRING", ""),
			Account:          r.str("AZURE_STORAGE_ACCOUNT", ""),
			UseAzureAuth:     r.bool("USE_AZURE_AUTH", false),
			LocalDirs:        r.list("TILEFUNC_LOCAL_ASSET_DIRS"),
			AllowedHosts:     r.list("TILEFUNC_ALLOWED_HOSTS"),
		},
		Search: tilefunc.SearchOptions{
			ScanLimit:    r.int("TITILER_PGSTAC_SEARCH_SCAN_LIMIT", 10000, 1),
			ItemsLimit:   r.int("TITILER_PGSTAC_SEARCH_ITEMS_LIMIT", 100, 1),
			TimeLimit:    time.Duration(r.int("TITILER_PGSTAC_SEARCH_TIME_LIMIT", 5, 1)) * time.Second,
			ExitWhenFull: r.bool("TITILER_PGSTAC_SEARCH_EXITWHENFULL", true),
			SkipCovered:  r.bool("TITILER_PGSTAC_SEARCH_SKIPCOVERED", true),
		},
	}
	c.Database.URL = r.str("DATABASE_URL", "")
	c.Database.SSLRootCert = r.pemBundle("POSTGRES_SSLROOTCERT")
	c.Database.StoredSearches = r.int("TILEFUNC_STORED_SEARCHES_MAX", 10000, 0)
	c.CacheControl = r.cacheControl()
	c.CORSOrigins = r.listOr("TITILER_PGSTAC_API_CORS_ORIGINS", "*")
	c.CORSMethods = r.listOr("TITILER_PGSTAC_API_CORS_ALLOW_METHODS", "GET,POST,OPTIONS")
	for i, m := range c.CORSMethods {
		c.CORSMethods[i] = strings.ToUpper(m) // browsers send standard methods in capitals
	}
	c.Attribution = r.str("TITILER_DEFAULT_ATTRIBUTION", "")
	c.StrictZoom = r.bool("MOSAIC_STRICT_ZOOM", false)
	c.Debug = r.bool("TITILER_PGSTAC_API_DEBUG", false)
	c.RequestTimeout = time.Duration(r.int("TILEFUNC_REQUEST_TIMEOUT", 60, 1)) * time.Second
	c.RegisterKey = r.str("TILEFUNC_REGISTER_KEY", "")
	c.PublicURL = r.publicURL("TILEFUNC_PUBLIC_URL")
	// Under the Functions host every request comes from the host, and its
	// function key guards registration: no rate unless one is set.
	perHour := 600
	if strings.TrimSpace(getenv("FUNCTIONS_CUSTOMHANDLER_PORT")+getenv("FUNCTIONS_HTTPWORKER_PORT")) != "" {
		perHour = 0
	}
	c.RegisterPerHour = r.int("TILEFUNC_REGISTER_PER_HOUR", perHour, 0)
	c.Datasets = r.int("TILEFUNC_DATASET_HANDLES", 128, 0)
	limit := memoryLimit()
	c.Memory = limit
	if getenv("GDAL_CACHEMAX") == "" {
		// GDAL's own default, 5 % of the machine's RAM, sees the host's
		// memory, not the instance's: the kept datasets' blocks stay in it.
		c.GDALCacheMB = int(min(max(limit/20>>20, 16), maxDefaultCacheMB))
	}
	c.Renders = r.int("TILEFUNC_RENDERS", c.Concurrency, 0)
	c.RenderMemory = int64(r.int("TILEFUNC_RENDER_MEMORY_MB", int(limit*2/5>>20), 0)) << 20 // 40 % of the memory: the rest is the Go heap's slack, GDAL's cache and encoders
	c.AssetRoutes = r.bool("TITILER_PGSTAC_API_ENABLE_ASSETS_ENDPOINTS", false)
	c.ExternalRoutes = r.bool("TITILER_PGSTAC_API_ENABLE_EXTERNAL_DATASET_ENDPOINTS", false)
	c.Metrics = r.bool("TITILER_PGSTAC_API_METRICS_ENABLED", false)
	c.Telemetry = r.bool("TITILER_PGSTAC_API_TELEMETRY_ENABLED", false)
	if c.Telemetry {
		r.httpURL("OTEL_EXPORTER_OTLP_ENDPOINT") // the OpenTelemetry SDK reads it; a typo would only drop every span
	}
	c.CacheTTL = time.Duration(r.int("TITILER_PGSTAC_CACHE_TTL", 300, 0)) * time.Second
	if r.bool("TITILER_PGSTAC_CACHE_DISABLE", false) {
		c.CacheTTL = 0
	}
	// Azure's built-in PgBouncer listens on 6432.
	c.Database.PgBouncer = r.bool("TILEFUNC_PGBOUNCER", c.Database.Port == 6432)
	c.Storage.CacheMB = r.int("TILEFUNC_BLOB_CACHE_MB", 64, 0)
	c.Storage.Endpoint = r.str("TILEFUNC_BLOB_ENDPOINT", "https://"+c.Storage.Account+".blob.core.windows.net/")
	c.ViewerBasemap, c.ViewerBasemapAttribution = r.basemap()
	c.PprofAddr = r.loopbackAddr("TILEFUNC_PPROF_ADDR")
	if r.err != nil {
		return nil, r.err
	}
	if err := c.validate(); err != nil {
		return nil, err
	}
	return c, nil
}

func (c *Config) validate() error {
	d := c.Database
	switch {
	case d.UseMI && d.URL != "":
		return fmt.Errorf("config: DATABASE_URL is set together with USE_POSTGRES_MI=true: unset DATABASE_URL (the token is the password) or set USE_POSTGRES_MI=false")
	case d.UseMI && (d.Host == "" || d.Name == "" || d.User == ""):
		return fmt.Errorf("config: USE_POSTGRES_MI=true needs POSTGRES_HOST, POSTGRES_DB and POSTGRES_USER: set the missing ones (%s)", strings.Join(missing(map[string]string{"POSTGRES_HOST": d.Host, "POSTGRES_DB": d.Name, "POSTGRES_USER": d.User}), ", "))
	case !d.UseMI && d.URL == "":
		return fmt.Errorf("config: DATABASE_URL is not set: set it to postgresql://USER:PASSWORD@HOST:PORT/DB, or set USE_POSTGRES_MI=true with POSTGRES_HOST, POSTGRES_DB, POSTGRES_USER")
	case !d.UseMI:
		// The parser's own error may quote the string, password included.
		if _, err := pgxpool.ParseConfig(d.URL); err != nil {
			return fmt.Errorf("config: DATABASE_URL is not a valid PostgreSQL connection string: use postgresql://USER:PASSWORD@HOST:PORT/DB (URL-encode special characters in the password)")
		}
	}
	switch d.SSLMode {
	case "require", "verify-ca", "verify-full":
	default:
		return fmt.Errorf("config: POSTGRES_SSLMODE=%q: want require, verify-ca or verify-full (Azure requires TLS)", d.SSLMode)
	}
	if d.MinConns > d.MaxConns {
		return fmt.Errorf("config: DB_MIN_CONN_SIZE (%d) is above DB_MAX_CONN_SIZE (%d): lower it", d.MinConns, d.MaxConns)
	}
	s := c.Storage
	switch {
	case s.UseAzureAuth && s.Account == "":
		return fmt.Errorf("config: USE_AZURE_AUTH=true needs AZURE_STORAGE_ACCOUNT: set it to the storage account name")
	case s.UseAzureAuth && !strings.HasPrefix(s.Endpoint, "https://"):
		return fmt.Errorf("config: TILEFUNC_BLOB_ENDPOINT=%q: want an https:// URL (tokens are never sent over plain HTTP)", s.Endpoint)
	case s.UseAzureAuth && s.ConnectionString != "":
		return fmt.Errorf("config: AZURE_STORAGE_CONNECTION_STRING is set together with USE_AZURE_AUTH=true: unset one (the connection string holds a key; the credential needs none)")
	}
	return nil
}

func missing(vals map[string]string) []string {
	var out []string
	for _, k := range []string{"POSTGRES_HOST", "POSTGRES_DB", "POSTGRES_USER"} {
		if vals[k] == "" {
			out = append(out, k)
		}
	}
	return out
}

// reader parses settings and keeps the first error.
type reader struct {
	getenv func(string) string
	err    error
}

func (r *reader) fail(format string, args ...any) {
	if r.err == nil {
		r.err = fmt.Errorf("config: "+format, args...)
	}
}

func (r *reader) str(name, def string) string {
	if v := strings.TrimSpace(r.getenv(name)); v != "" {
		return v
	}
	return def
}

// pemBundle is the absolute path of a readable file holding at least one
// PEM certificate, or "" when the setting is unset. A relative path is
// taken from the working directory: the app root under the Functions host.
func (r *reader) pemBundle(name string) string {
	v := strings.TrimSpace(r.getenv(name))
	if v == "" {
		return ""
	}
	b, err := os.ReadFile(v)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		r.fail("%s=%q: no such file: give the path of a PEM bundle of CA certificates", name, v)
		return ""
	case err != nil:
		r.fail("%s=%q: cannot read it (%v)", name, v, errors.Unwrap(err))
		return ""
	case !x509.NewCertPool().AppendCertsFromPEM(b):
		r.fail("%s=%q: no PEM certificate in it: give a bundle of CA certificates (-----BEGIN CERTIFICATE-----)", name, v)
		return ""
	}
	abs, err := filepath.Abs(v)
	if err != nil {
		r.fail("%s=%q: %v", name, v, err)
		return ""
	}
	return abs
}

func (r *reader) int(name string, def, min int) int {
	v := strings.TrimSpace(r.getenv(name))
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < min {
		r.fail("%s=%q: want a whole number of at least %d", name, v, min)
		return def
	}
	return n
}

func (r *reader) bool(name string, def bool) bool {
	v := strings.TrimSpace(r.getenv(name))
	if v == "" {
		return def
	}
	b, err := strconv.ParseBool(strings.ToLower(v))
	if err != nil {
		r.fail("%s=%q: want true or false", name, v)
		return def
	}
	return b
}

func (r *reader) list(name string) []string {
	var out []string
	for _, v := range strings.Split(r.getenv(name), ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// listOr is a comma list, def when the setting is unset or lists nothing.
func (r *reader) listOr(name, def string) []string {
	if l := r.list(name); l != nil {
		return l
	}
	return strings.Split(def, ",")
}

// cacheControl reads TITILER_PGSTAC_API_CACHECONTROL, the header of every
// class (as titiler-pgstac's one setting), and each class's own setting,
// which overrides it. A value must be a header value: printable ASCII.
func (r *reader) cacheControl() CacheControl {
	header := func(name, def string) string {
		v := r.str(name, def)
		for _, c := range v {
			if c < ' ' || c > '~' {
				r.fail("%s=%q: want a Cache-Control header value (printable ASCII), e.g. \"public, max-age=3600\" or \"no-store\"", name, v)
				return def
			}
		}
		return v
	}
	all := header("TITILER_PGSTAC_API_CACHECONTROL", "public, max-age=3600")
	return CacheControl{
		Documents: header("TILEFUNC_CACHECONTROL_DOCUMENTS", all),
		Images:    header("TILEFUNC_CACHECONTROL_IMAGES", all),
		Service:   header("TILEFUNC_CACHECONTROL_SERVICE", all),
	}
}

// addr is the Functions host's port on loopback, else TILEFUNC_ADDR, else
// the default port on loopback.
func (r *reader) addr() string {
	for _, name := range []string{"FUNCTIONS_CUSTOMHANDLER_PORT", "FUNCTIONS_HTTPWORKER_PORT"} {
		if v := strings.TrimSpace(r.getenv(name)); v != "" {
			if p, err := strconv.Atoi(v); err != nil || p < 1 || p > 65535 {
				r.fail("%s=%q: want a TCP port number", name, v)
			}
			return "127.0.0.1:" + v
		}
	}
	return r.str("TILEFUNC_ADDR", fmt.Sprintf("127.0.0.1:%d", DefaultPort))
}

// publicURL reads an http:// or https:// URL of a host alone (no user, path
// or query), without its trailing slash.
func (r *reader) publicURL(name string) string {
	v := strings.TrimRight(strings.TrimSpace(r.getenv(name)), "/")
	if v == "" {
		return ""
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil || u.Path != "" || u.RawQuery != "" {
		r.fail("%s=%q: want the scheme and host links are written with, e.g. https://tiles.example.org", name, v)
		return ""
	}
	return v
}

// httpURL checks that a set URL setting is http:// or https:// with a host.
// The value is not quoted back: a URL may hold a user and password.
func (r *reader) httpURL(name string) {
	v := strings.TrimSpace(r.getenv(name))
	if v == "" {
		return
	}
	if u, err := url.Parse(v); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		r.fail("%s is not an http:// or https:// URL: set it to the OTLP/HTTP collector, such as http://localhost:4318", name)
	}
}

// OpenStreetMap's tiles, the map pages' basemap unless set otherwise.
const (
	osmTiles       = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
	osmAttribution = "© OpenStreetMap contributors"
)

// basemap reads TILEFUNC_VIEWER_BASEMAP ("off": none) and its attribution,
// OpenStreetMap's by default only for OpenStreetMap's tiles.
func (r *reader) basemap() (string, string) {
	tmpl := r.str("TILEFUNC_VIEWER_BASEMAP", osmTiles)
	if strings.EqualFold(tmpl, "off") {
		return "", ""
	}
	lower := strings.ToLower(tmpl)
	if !strings.HasPrefix(lower, "https://") && !strings.HasPrefix(lower, "http://") ||
		!strings.Contains(tmpl, "{z}") || !strings.Contains(tmpl, "{x}") || !strings.Contains(tmpl, "{y}") {
		// The value is not quoted: a provider's URL may carry a key.
		r.fail("TILEFUNC_VIEWER_BASEMAP: want an http(s) URL template with {z}, {x} and {y}, or off")
		return "", ""
	}
	def := ""
	if tmpl == osmTiles {
		def = osmAttribution
	}
	return tmpl, r.str("TILEFUNC_VIEWER_BASEMAP_ATTRIBUTION", def)
}

// loopbackAddr reads a host:port whose host is a loopback IP or localhost,
// so what listens there answers this machine alone: profiles show the
// process's memory, secrets included.
func (r *reader) loopbackAddr(name string) string {
	v := strings.TrimSpace(r.getenv(name))
	if v == "" {
		return ""
	}
	host, port, err := net.SplitHostPort(v)
	p, perr := strconv.Atoi(port)
	ip := net.ParseIP(host)
	loopback := strings.EqualFold(host, "localhost") || ip != nil && ip.IsLoopback()
	if err != nil || perr != nil || p < 1 || p > 65535 || !loopback {
		r.fail("%s=%q: want a loopback host:port such as 127.0.0.1:6060 (profiles show the process's memory: never serve them beyond the machine)", name, v)
		return ""
	}
	return v
}

// maxDefaultCacheMB caps GDAL's block cache when GDAL_CACHEMAX is not set.
// On the world benchmark (tilefunc alone, 10 clients), 128 kept datasets
// with a 128 MB cache served 5 % more tiles than 64 with 1.2 GB, at 55 %
// of the peak memory: the 15 files are opened 90 ways, one per overview
// level read, and a closed dataset takes its cached blocks with it.
const maxDefaultCacheMB = 128
