// Types shared by main.bicep and its modules.

@export()
@sealed()
@description('''tilefunc settings that have defaults and may be tuned per environment (values are strings, as
app settings are). Sealed: a name not listed here (DATABASE_URL, AZURE_STORAGE_CONNECTION_STRING,
TILEFUNC_LOCAL_ASSET_DIRS, ...) is a compile-time error, so a parameter file cannot set it.''')
type appTuning = {
  @description('Connections the pool keeps open (default 1).')
  DB_MIN_CONN_SIZE: string?
  @description('Most connections the pool opens (default 10). Keep instances x this under the server\'s max_connections.')
  DB_MAX_CONN_SIZE: string?
  @description('Comma-separated https hosts read through GDAL /vsicurl/ (default none).')
  TILEFUNC_ALLOWED_HOSTS: string?
  @description('pgSTAC search: items scanned at most (default 10000).')
  TITILER_PGSTAC_SEARCH_SCAN_LIMIT: string?
  @description('pgSTAC search: items returned at most (default 100).')
  TITILER_PGSTAC_SEARCH_ITEMS_LIMIT: string?
  @description('pgSTAC search: seconds at most (default 5).')
  TITILER_PGSTAC_SEARCH_TIME_LIMIT: string?
  @description('pgSTAC search: stop once the geometry is covered (default true).')
  TITILER_PGSTAC_SEARCH_EXITWHENFULL: string?
  @description('pgSTAC search: skip items hidden by earlier ones (default true).')
  TITILER_PGSTAC_SEARCH_SKIPCOVERED: string?
  @description('Cache-Control of cacheable answers (default "public, max-age=3600").')
  TITILER_PGSTAC_API_CACHECONTROL: string?
  @description('Cache-Control of TileJSON, tilesets, WMTS, info and map pages (default TITILER_PGSTAC_API_CACHECONTROL).')
  TILEFUNC_CACHECONTROL_DOCUMENTS: string?
  @description('Cache-Control of tiles and other images, point values and statistics (default TITILER_PGSTAC_API_CACHECONTROL).')
  TILEFUNC_CACHECONTROL_IMAGES: string?
  @description('Cache-Control of the landing page, tile matrix sets, colormaps, algorithms and /api (default TITILER_PGSTAC_API_CACHECONTROL).')
  TILEFUNC_CACHECONTROL_SERVICE: string?
  @description('Comma-separated origins browsers may read answers from (default "*": any).')
  TITILER_PGSTAC_API_CORS_ORIGINS: string?
  @description('Comma-separated methods a CORS preflight allows (default "GET,POST,OPTIONS").')
  TITILER_PGSTAC_API_CORS_ALLOW_METHODS: string?
  @description('Collection requests register their search while pgstac.searches has fewer rows (default 10000; 0: no bound).')
  TILEFUNC_STORED_SEARCHES_MAX: string?
  @description('Seconds a request may take, then 503 (default 60).')
  TILEFUNC_REQUEST_TIMEOUT: string?
  @description('MB renders may hold together (default half the instance memory; 0: no bound).')
  TILEFUNC_RENDER_MEMORY_MB: string?
  @description('Assets read at once, process-wide (default 2 x GOMAXPROCS).')
  MOSAIC_CONCURRENCY: string?
}
