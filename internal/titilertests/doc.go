// Package titilertests is titiler-pgstac's own test suite (the tests/
// folder of github.com/stac-utils/titiler-pgstac at tag 3.1.0, commit
// d4b2f2763b29ccc1415a50baf9d041949035a3f5), written again in Go and run
// over HTTP against tilefunc, on the fixtures that suite ships (testdata/).
// Its tests carry the build tag parity; `make titiler-suite` runs them.
// suite_test.go lists where tilefunc deliberately answers otherwise.
package titilertests
