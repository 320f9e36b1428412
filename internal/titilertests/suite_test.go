//go:build parity

// titiler-pgstac's test suite against tilefunc, over HTTP.
//
// The suite is tests/ of github.com/stac-utils/titiler-pgstac at tag 3.1.0
// (commit d4b2f2763b29ccc1415a50baf9d041949035a3f5), on its fixtures
// (testdata/, catalog_test.go). Each Python test function is a subtest of
// the same name under its file's name, e.g.
// TestTitilerPgstacSuite/test_searches.py/test_tilejson, and each
// assertion sits where the Python one does. Shared assertions (the
// collection and search mosaics test the same things) are written once.
//
// Where tilefunc deliberately answers otherwise, the assertion is replaced
// by what tilefunc does, marked with the row's id (pick, differs); run with
// -server=titiler and the same assertions check titiler-pgstac against the
// titiler-pgstac column instead:
//
// | id | assertion (test) | titiler-pgstac | tilefunc | why |
// |----|------------------|----------------|----------|-----|
// | D1 | /external?url=tests/fixtures/... (test_external_cog) | 200: a path relative to its working folder | 403; the same file by its absolute path: 200 | tilefunc reads only absolute paths inside TILEFUNC_LOCAL_ASSET_DIRS (storage.Resolver): no item or url= reaches other files |
// | D3 | POST /searches/register on a read-only pgSTAC (test_searches_ro) | 500 (ReadOnlyPgSTACError) | 403 | DESIGN.md §4: registration against a read-only pgSTAC is a clear 4xx refusal |
// | D4 | GET /collections/{id}/info on a read-only pgSTAC (test_collections_ro) | 500 (ReadOnlyPgSTACError) | 200 | DESIGN.md §4: collection mosaics keep working read-only |
// | D5 | the href of a metadata layer's link in the register answer (test_query_with_metadata) | asset_bidx=cog%7C1, passed on as written | assets=cog%7Cbidx%3D1 | tilefunc folds titiler 1's asset_bidx into the 3.x asset option (handler/renders.go), as titiler's own /info links do; titiler 3.x ignores asset_bidx in tile requests |
// | D6 | a NUL byte in the path or in sortby (test_nullbyte_error) | 500 (the database's error) | 422 | DESIGN.md §4: a client's mistake is not a server error |
//
// Where titiler's suite reads NOAA's files, which it does not ship, the
// assertion checks the stand-in's values instead (standIn), on both
// servers:
//
// | id | assertion (test) | titiler's suite | here |
// |----|------------------|-----------------|------|
// | S1 | point values of 20200307aC0853130w361030 at -85.5,36.1624 (test_query_point_collections) | [27, 34, 42], from NOAA's bucket | the stand-in's pixel there, read with GDAL |
//
// Not ported, as they do not go through HTTP: test_items.py::test_get_stac_item
// (a Python function), test_reader.py::test_pgstac_simple_reader (a reader
// class), test_metrics.py (Python functions and the optional /metrics of
// the [metrics] extra, which neither tilefunc nor the virtualenv of
// scripts/titiler.sh has), test_readonly.py::test_pgstac_config (a route of
// its own test app), and the pytest.warns of test_query_with_metadata (a
// warning in titiler's log).
package titilertests

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"tilefunc/internal/testenv"
)

// TestMain deletes what the tests wrote once they have run.
func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }

// pyFile is one of titiler-pgstac's test files.
type pyFile struct {
	name  string
	tests []pyTest
}

// pyTest is one of its test functions.
type pyTest struct {
	name string
	run  func(*check)
}

// suite is every ported test file, in the order pytest runs them.
var suite = []pyFile{collectionsPy, healthPy, itemsPy, optionalEndpointsPy, readerPy, readonlyPy, searchesPy}

// TestTitilerPgstacSuite loads the fixtures into a fresh pgSTAC database,
// starts the server and runs every ported test against it.
func TestTitilerPgstacSuite(t *testing.T) {
	cat := loadCatalog(t)
	srv := newServer(start(t, cat.database(t), cat), cat)
	for _, file := range suite {
		t.Run(file.name, func(t *testing.T) {
			for _, test := range file.tests {
				t.Run(test.name, func(t *testing.T) { test.run(srv.check(t)) })
			}
		})
	}
	t.Log(srv.tally.summary(*serverName))
}

// summary counts the assertions.
func (ty *tally) summary(server string) string {
	count := func(m map[string]int) (int, string) {
		var ids []string
		n := 0
		for id, k := range m {
			ids = append(ids, fmt.Sprintf("%s×%d", id, k))
			n += k
		}
		sort.Strings(ids)
		return n, strings.Join(ids, " ")
	}
	nd, d := count(ty.differ)
	ns, s := count(ty.standIn)
	return fmt.Sprintf("%s: %d assertions, %d failed; %d of them deliberate differences (%s), %d on stand-in data (%s)",
		server, ty.asserted, ty.failed, nd, d, ns, s)
}

// The table above names every difference the tests mark, and only those.
func TestDifferenceTableNamesEveryDifference(t *testing.T) {
	files, _ := filepath.Glob("*_test.go")
	marks := regexp.MustCompile(`(?:pick\(c, |differs\(|standIn\()"([DS]\d+)"`)
	rows := regexp.MustCompile(`(?m)^// \| ([DS]\d+) \|`)
	used, listed := map[string]bool{}, map[string]bool{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range marks.FindAllStringSubmatch(string(b), -1) {
			used[m[1]] = true
		}
		if f == "suite_test.go" {
			for _, m := range rows.FindAllStringSubmatch(string(b), -1) {
				listed[m[1]] = true
			}
		}
	}
	for id := range used {
		if !listed[id] {
			t.Errorf("%s is marked in a test but has no row in the table", id)
		}
	}
	for id := range listed {
		if !used[id] {
			t.Errorf("%s has a row in the table but no test marks it", id)
		}
	}
}
