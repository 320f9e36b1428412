# tilefunc: the two commands are `make run` and `make test`. Each installs
# what it needs (Debian packages, a Python virtualenv, npm packages, Go
# modules) and starts the services it uses.

SHELL := /bin/bash
GO ?= go
STATICCHECK_VERSION := v0.8.2
ENV := eval "$$(bash scripts/env.sh)"
# tilefunc's own GDAL and PROJ (scripts/gdal.sh, made by make deps): cgo finds
# them with pkg-config, and every binary, test binaries and the ones tests
# build included, finds the libraries by its rpath. scripts/env.sh exports
# the same for shells.
GDAL_PREFIX := $(CURDIR)/.local/gdal
export PKG_CONFIG_PATH := $(GDAL_PREFIX)/lib/pkgconfig
export CGO_LDFLAGS := -O2 -g -Wl,-rpath,$(GDAL_PREFIX)/lib

.PHONY: schemathesis run test build demo deps apidocs services stop lint clean screenshot functions viewer package verify-package parity parity-styled titiler-suite fuzz bench bench-smoke

## run: PostgreSQL + pgSTAC + Azurite + demo data + the handler; prints the map URL.
run: build
	@bash scripts/run.sh

## test: vet, format, staticcheck, every test against the real services
## under the race detector (the server runs in-process in the handler
## tests; cmd/handler runs the built binary), then a scan of every server
## log they wrote (dist/test-logs) for tokens, keys, passwords and SAS
## signatures (internal/logscan),
## then `make run` itself, checked in headless Chromium and by Schemathesis
## against /api for 2 minutes (make schemathesis, SCHEMATHESIS_TIME), each
## fuzz target for 2 s,
## then a 30-second run of the benchmark (bench-smoke),
## then the package in a bare Debian root (verify-package),
## then the world data set and the styled requests against titiler-pgstac
## (parity, 8-11 minutes).
test: services lint build
	@rm -rf dist/test-logs && mkdir -p dist/test-logs
	@$(ENV) && TILEFUNC_TEST_LOGS=$(CURDIR)/dist/test-logs $(GO) test -race -count=1 -timeout 40m ./...
	@$(ENV) && $(GO) run ./internal/logscan dist/test-logs
	@bash scripts/verify-run.sh
	@bash scripts/schemathesis.sh
	@$(MAKE) --no-print-directory fuzz FUZZTIME=2s
	@$(MAKE) --no-print-directory bench-smoke
	@$(MAKE) --no-print-directory verify-package
	@$(MAKE) --no-print-directory parity

## build: the handler binary (cgo, GDAL) at bin/handler.
build: deps
	@$(GO) build -o bin/handler ./cmd/handler

## functions: one function.json folder per route in dist/functions, as the
## Functions host expects them (generated from the route table by
## `handler functions`). WRITE_AUTH is the authLevel of search registration:
## function (a key, the default), anonymous or admin.
WRITE_AUTH ?= function
functions: build
	@rm -rf dist/functions
	@bin/handler functions -out dist/functions -write-auth $(WRITE_AUTH)

## package: dist/tilefunc.zip (and dist/app): host.json, the function folders,
## the launcher, the handler and every library and data file it needs.
package: deps
	@bash scripts/package.sh

## verify-package: run the package in a bare Debian bullseye root (no GDAL,
## no libpq, glibc 2.31), fetch /healthz and tiles from the local database and
## run bin/handler smoke against it.
verify-package: services build package
	@bash scripts/verify-package.sh

## parity: tilefunc and titiler-pgstac 3.x (scripts/titiler.sh installs it
## into .local/titiler-venv) serve the 10,000 tile requests of the world data
## set (../shared/data/world): every status must match, sampled images must
## look alike; each server's time is in the log (8-11 minutes; the last step
## of `make test`). The styled requests of parity-styled run beside them, and
## so do the search ids (internal/parity/searchids_test.go, seconds): the same
## registrations and collection requests get the same ids and rows from both.
## Then titiler-pgstac's own test suite runs against tilefunc (titiler-suite).
## PARITY_PREFIX is tilefunc's mosaic path; {search} would stand for a
## search registered for the world collection.
PARITY_PREFIX ?= /collections/world
STYLED_REPORT ?= dist/parity-styled.md
parity: services
	@bash scripts/titiler.sh install
	@mkdir -p $(dir $(STYLED_REPORT))
	@$(ENV) && $(GO) test -tags parity -count=1 -v -timeout 40m -run 'TestWorldTilesMatchTitilerPgstac|TestStyledRequestsMatchTitilerPgstac|TestItemRequestsMatchTitilerPgstac|TestSurfaceRequestsMatchTitilerPgstac|TestSearchIDsMatchTitilerPgstac' ./internal/parity \
		-tilefunc-prefix='$(PARITY_PREFIX)' -styled-report='$(STYLED_REPORT)'
	@$(MAKE) --no-print-directory titiler-suite

## parity-styled: ~200 styled requests (expression, rescale, colormaps,
## algorithms, pixel selection, every format; internal/parity/styled_test.go)
## ~95 requests to every route of one item, its assets and external rasters
## (items_test.go), ~25 to the service and mosaic documents (surface_test.go)
## and the search-id check (searchids_test.go)
## to tilefunc and titiler-pgstac over the fixtures of internal/fixtures,
## compared row by row; the table goes to the log and, as markdown, to
## STYLED_REPORT (under a minute).
parity-styled: services
	@bash scripts/titiler.sh install
	@mkdir -p $(dir $(STYLED_REPORT))
	@$(ENV) && $(GO) test -tags parity -count=1 -v -timeout 5m -run 'TestStyledRequestsMatchTitilerPgstac|TestItemRequestsMatchTitilerPgstac|TestSurfaceRequestsMatchTitilerPgstac|TestSearchIDsMatchTitilerPgstac' ./internal/parity -styled-report='$(STYLED_REPORT)'

## titiler-suite: titiler-pgstac's own tests (its tests/ at 3.1.0, written
## again in Go in internal/titilertests), on the fixtures they ship, against
## tilefunc over HTTP; where tilefunc deliberately answers otherwise,
## internal/titilertests/suite_test.go says so and asserts tilefunc's answer
## (under a minute). TITILER_SUITE_SERVER=titiler runs the same assertions
## against titiler-pgstac itself, which checks the port.
TITILER_SUITE_SERVER ?= tilefunc
titiler-suite: services
	@$(ENV) && $(GO) test -tags parity -count=1 -v -timeout 5m -run 'TestTitilerPgstacSuite|TestDifferenceTableNamesEveryDifference' ./internal/titilertests \
		-server='$(TITILER_SUITE_SERVER)'

## fuzz: each parser of client text (expressions, colormaps, color
## formulas, algorithm parameters, CQL2 filters, the query of every image
## route, tile paths, coordinates, CRSs, feature and register bodies) fuzzed
## for FUZZTIME; a crash or a refusal that is not a 4xx fails it, its input
## kept under testdata/fuzz. make test runs each for FUZZTIME=2s
## (scripts/fuzz.sh; it runs a target again when Go's coordinator fails it
## on its own deadline with no input written, golang/go#75804).
FUZZTIME ?= 30s
FUZZ_TARGETS := FuzzParse:tiles/expression FuzzApply:tiles/expression FuzzParse:tiles/colormap \
	FuzzParseAndApply:tiles/colorformula FuzzNew:tiles/algorithm FuzzText:cql2 FuzzCheck:cql2 \
	FuzzImageQuery:handler FuzzTilePath:handler FuzzCoordinates:handler FuzzCRS:handler \
	FuzzFeatureBody:handler FuzzRegisterBody:handler
fuzz: deps
	@bash scripts/fuzz.sh $(FUZZTIME) $(FUZZ_TARGETS)

## bench: tilefunc against titiler-pgstac (internal/bench): the world data
## set in a fresh pgSTAC database, each server alone on CPU 0 (tilefunc
## GOMAXPROCS=1, titiler-pgstac one uvicorn worker), vegeta on CPU 1,
## replaying the same BENCH_REQUESTS shuffled requests at 1, 10 and 50
## clients; then tilefunc keeping no dataset between requests, as
## titiler-pgstac keeps none; then tilefunc reading the COGs from Azurite;
## then zooms 0-2 only; then both over web-optimised copies of the COGs
## (made once into .local/bench, about 100 s); then five cold starts each
## (exec to the first tile, tilefunc's token from the local managed-identity
## endpoint); then the in-process floor
## (BenchmarkFloor). The report is printed and written to
## bench/results/<date>-<host>.md (about 7 minutes; not part of CI).
BENCH_REQUESTS ?= 1500
BENCH_FLAGS ?=
bench: services build
	@bash scripts/titiler.sh install
	@$(ENV) && taskset -c 1 $(GO) test -tags bench -count=1 -v -timeout 90m -run '^TestBench$$' ./internal/bench \
		-requests $(BENCH_REQUESTS) -command 'make bench BENCH_REQUESTS=$(BENCH_REQUESTS)' $(BENCH_FLAGS)

## bench-smoke: the benchmark's every pass over a few requests (about 50 s,
## and 100 s more the first time, for the web-optimised COGs), its report in
## dist/bench-smoke.md: proves `make bench` runs; its figures
## mean little.
bench-smoke: services build
	@bash scripts/titiler.sh install
	@mkdir -p dist
	@$(ENV) && taskset -c 1 $(GO) test -tags bench -count=1 -timeout 10m -run '^TestBench$$' ./internal/bench \
		-requests 40 -low-zoom 10 -clients 1,10 -cold 1 -out $(CURDIR)/dist/bench-smoke.md -command 'make bench-smoke'
	@grep -c '^| ' dist/bench-smoke.md >/dev/null && echo "bench-smoke: report in dist/bench-smoke.md"

## schemathesis: make run, then Schemathesis (PyPI) generating requests for
## every operation of /api for SCHEMATHESIS_TIME seconds (120): no 5xx, and
## each answer's status, media type and body as /api declares them.
schemathesis: services build
	@bash scripts/schemathesis.sh

deps:
	@bash scripts/deps.sh

## apidocs: copy Swagger UI (npm swagger-ui-dist, package.json) into
## handler/apidocs, where go:embed puts it into the binary for /api.html;
## handler's TestCommittedSwaggerUIIsNodeModules checks the copies.
SWAGGER_UI_FILES := swagger-ui-bundle.js swagger-ui-bundle.js.LICENSE.txt swagger-ui.css LICENSE NOTICE
apidocs: deps
	@mkdir -p handler/apidocs
	@for f in $(SWAGGER_UI_FILES); do cp node_modules/swagger-ui-dist/$$f handler/apidocs/$$f; done

## viewer: copy Leaflet, proj4 and Proj4Leaflet (npm, package.json) and
## their licences into handler/viewer, where go:embed puts them into the
## binary for the map.html pages; handler's TestCommittedViewerLibrariesAreNodeModules
## checks the copies.
VIEWER_FILES := leaflet/dist/leaflet.js leaflet/dist/leaflet.css leaflet/LICENSE proj4/dist/proj4.js proj4/LICENSE.md proj4leaflet/src/proj4leaflet.js proj4leaflet/LICENSE
viewer: deps
	@for f in $(VIEWER_FILES); do mkdir -p handler/viewer/$${f%%/*} && cp node_modules/$$f handler/viewer/$${f%%/*}/; done

services:
	@bash scripts/services.sh up

## stop: stop the local PostgreSQL and Azurite.
stop:
	@bash scripts/services.sh down

lint: deps
	@test -z "$$(gofmt -l $$(git ls-files '*.go') $$(git ls-files -o --exclude-standard '*.go'))" || { echo "gofmt needed:"; gofmt -l .; exit 1; }
	@$(GO) vet -tags parity ./...
	@$(GO) vet -tags bench ./internal/bench
	@$(GO) vet -tags verifypackage ./internal/packagecold
	@$(GO) run honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION) -tags parity ./...
	@$(GO) run honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION) -tags bench ./internal/bench
	@$(GO) run honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION) -tags verifypackage ./internal/packagecold

clean:
	rm -rf bin dist
