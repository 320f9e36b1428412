package config

// Setting is one environment variable tilefunc reads.
type Setting struct {
	Name    string
	Default string // "" when unset means off, or the setting is required
	Doc     string
}

// Settings lists every setting Load reads, for docs/configuration.md, the Functions
// app settings (local.settings.json.example, Bicep) and their tests.
var Settings = []Setting{
	{"FUNCTIONS_CUSTOMHANDLER_PORT", "", "port given by the Functions host; the handler listens on 127.0.0.1 there"},
	{"FUNCTIONS_HTTPWORKER_PORT", "", "older name of FUNCTIONS_CUSTOMHANDLER_PORT"},
	{"TILEFUNC_ADDR", "127.0.0.1:8080", "listen address when run alone"},
	{"DATABASE_URL", "", "postgresql://USER:PASSWORD@HOST:PORT/DB, with USE_POSTGRES_MI=false"},
	{"USE_POSTGRES_MI", "false", "authenticate to PostgreSQL with Entra tokens"},
	{"LOCAL_MODE", "false", "with USE_POSTGRES_MI: Azure CLI instead of managed identity"},
	{"POSTGRES_HOST", "", "server host name, with USE_POSTGRES_MI"},
	{"POSTGRES_DB", "", "database name, with USE_POSTGRES_MI"},
	{"POSTGRES_USER", "", "database role (the identity's name), with USE_POSTGRES_MI"},
	{"POSTGRES_PORT", "5432", "server port"},
	{"AZURE_CLIENT_ID", "", "client id of the user-assigned managed identity"},
	{"POSTGRES_SSLMODE", "require", "TLS check with USE_POSTGRES_MI: require, verify-ca or verify-full"},
	{"POSTGRES_SSLROOTCERT", "", "with USE_POSTGRES_MI: PEM bundle of the CAs the server's certificate must chain to (the package's certs/azure-postgres-roots.pem); unset: the system's CAs"},
	{"DB_MIN_CONN_SIZE", "1", "connections the pool keeps open"},
	{"DB_MAX_CONN_SIZE", "10", "most connections the pool opens"},
	{"DB_MAX_IDLE", "300", "seconds an idle connection is kept"},
	{"DB_MAX_LIFETIME", "3600", "seconds a connection is kept at most"},
	{"TILEFUNC_PGBOUNCER", "true when POSTGRES_PORT is 6432", "a transaction-pooling PgBouncer is in front: no named prepared statements"},
	{"AZURE_STORAGE_CONNECTION_STRING", "", "blob account read with a shared key (Azurite)"},
	{"AZURE_STORAGE_ACCOUNT", "", "blob account whose hrefs are read"},
	{"USE_AZURE_AUTH", "false", "read blobs with the Azure credential"},
	{"TILEFUNC_LOCAL_ASSET_DIRS", "", "folders whose files items may reference (development)"},
	{"TILEFUNC_ALLOWED_HOSTS", "", "https hosts whose files items may reference (range reads; redirects followed to these hosts only)"},
	{"TILEFUNC_BLOB_CACHE_MB", "64", "blob block cache size, process-wide"},
	{"TILEFUNC_BLOB_ENDPOINT", "https://AZURE_STORAGE_ACCOUNT.blob.core.windows.net/", "blob service URL with USE_AZURE_AUTH (sovereign clouds, Azurite)"},
	{"TITILER_PGSTAC_SEARCH_SCAN_LIMIT", "10000", "pgSTAC search: items scanned at most"},
	{"TITILER_PGSTAC_SEARCH_ITEMS_LIMIT", "100", "pgSTAC search: items returned at most"},
	{"TITILER_PGSTAC_SEARCH_TIME_LIMIT", "5", "pgSTAC search: seconds at most"},
	{"TITILER_PGSTAC_SEARCH_EXITWHENFULL", "true", "pgSTAC search: stop once the geometry is covered"},
	{"TITILER_PGSTAC_SEARCH_SKIPCOVERED", "true", "pgSTAC search: skip items hidden by earlier ones"},
	{"TITILER_PGSTAC_API_CACHECONTROL", "public, max-age=3600", "Cache-Control of cacheable GET answers below 500 (not /healthz nor the search list)"},
	{"TILEFUNC_CACHECONTROL_DOCUMENTS", "TITILER_PGSTAC_API_CACHECONTROL", "Cache-Control of TileJSON, tilesets, WMTS, info and map pages"},
	{"TILEFUNC_CACHECONTROL_IMAGES", "TITILER_PGSTAC_API_CACHECONTROL", "Cache-Control of tiles, bbox, feature and preview images, point values and statistics"},
	{"TILEFUNC_CACHECONTROL_SERVICE", "TITILER_PGSTAC_API_CACHECONTROL", "Cache-Control of the landing page, conformance, tile matrix sets, colormaps, algorithms and /api"},
	{"TITILER_PGSTAC_API_CORS_ORIGINS", "*", "comma-separated origins browsers may read answers from (* for any)"},
	{"TITILER_PGSTAC_API_CORS_ALLOW_METHODS", "GET,POST,OPTIONS", "comma-separated methods a CORS preflight allows (* for all)"},
	{"TILEFUNC_STORED_SEARCHES_MAX", "10000", "collection requests register their search (as titiler-pgstac) while pgstac.searches has fewer rows, then are served unregistered; 0: no bound"},
	{"TITILER_PGSTAC_CACHE_TTL", "300", "seconds a resolved search or collection mosaic is reused"},
	{"TITILER_PGSTAC_CACHE_DISABLE", "false", "no reuse of resolved searches and collections"},
	{"MOSAIC_STRICT_ZOOM", "false", "a mosaic tile outside the mosaic's minzoom-maxzoom is 400"},
	{"TITILER_PGSTAC_API_DEBUG", "false", "X-Assets on mosaic images: the items each was made of; Server-Timing total on every answer"},
	{"TITILER_DEFAULT_ATTRIBUTION", "", "attribution of TileJSON documents and item tilesets"},
	{"TITILER_PGSTAC_API_ENABLE_ASSETS_ENDPOINTS", "false", "serve /collections/{c}/items/{i}/assets/{asset_id}/... (one asset as a raster)"},
	{"TITILER_PGSTAC_API_ENABLE_EXTERNAL_DATASET_ENDPOINTS", "false", "serve /external/...?url= (rasters the asset policy allows)"},
	{"TILEFUNC_REQUEST_TIMEOUT", "60", "seconds a request may take; then 503 with Retry-After (keep it below the host's functionTimeout and Consumption's 230 s)"},
	{"TILEFUNC_RENDER_MEMORY_MB", "40 % of the memory limit", "MB that renders may hold together (pixels x bands x items): a larger request is 422, one that does not fit now waits 2 s, then 503 with Retry-After; 0: no bound. The limit is the cgroup's, GOMEMLIMIT or the machine's"},
	{"TILEFUNC_PUBLIC_URL", "", "scheme and host of the links in answers (https://tiles.example.org); unset: the request's Host, or X-Forwarded-Host and -Proto from a proxy on loopback (the Functions host) only"},
	{"TILEFUNC_REGISTER_KEY", "", "a secret: POST /searches/register then needs Authorization: Bearer <it> (401 without), for a server run alone; the Functions host's key does this in Azure"},
	{"TILEFUNC_REGISTER_PER_HOUR", "600 alone, 0 under the Functions host", "registrations a client may make per hour, in bursts of a tenth of it (429 with Retry-After past it); 0: no bound"},
	{"MOSAIC_CONCURRENCY", "2 x GOMAXPROCS", "assets read at once, process-wide (GOMAXPROCS: the CPUs the cgroup quota allows)"},
	{"TITILER_PGSTAC_API_METRICS_ENABLED", "false", "serve Prometheus metrics at /metrics (404 when off)"},
	{"TITILER_PGSTAC_API_TELEMETRY_ENABLED", "false", "send OpenTelemetry traces over OTLP/HTTP"},
	{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://localhost:4318", "OTLP/HTTP collector, with TITILER_PGSTAC_API_TELEMETRY_ENABLED (other OTEL_* variables as the SDK reads them)"},
	{"TILEFUNC_VIEWER_BASEMAP", "https://tile.openstreetmap.org/{z}/{x}/{y}.png", "XYZ URL template of the basemap under WebMercatorQuad map.html pages; off for none"},
	{"TILEFUNC_VIEWER_BASEMAP_ATTRIBUTION", "© OpenStreetMap contributors", "attribution text of the basemap (the default goes with the default basemap only)"},
	{"TILEFUNC_PPROF_ADDR", "", "loopback host:port (127.0.0.1:6060) where Go's net/http/pprof profiles are served, on a listener of their own; unset: off. Other hosts are refused: profiles show the process's memory"},
}
