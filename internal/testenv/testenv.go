// Package testenv gives tests the real parts that `make test` starts: a
// fresh pgSTAC database per test, Azurite, and the demo catalog loaded into
// them. A test that needs them fails (never skips) when they are missing.
package testenv

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"tilefunc/demo"
	"tilefunc/internal/fixtures"
	"tilefunc/internal/world"
)

var getenv = os.Getenv

func need(t testing.TB, name string) string {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		t.Fatalf("%s is not set: run the tests with `make test`, which starts PostgreSQL + pgSTAC and Azurite", name)
	}
	return v
}

func randomName(prefix string) string {
	b := make([]byte, 6)
	rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// RepoRoot is the folder of go.mod above the test's working directory.
func RepoRoot(t testing.TB) string {
	t.Helper()
	dir, _ := os.Getwd()
	for ; dir != "/"; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
	}
	t.Fatal("no go.mod above the test")
	return ""
}

// Database creates a database from the pgSTAC template and returns its URL;
// it is dropped when the test ends.
func Database(t testing.TB) string {
	t.Helper()
	admin := need(t, "TILEFUNC_TEST_ADMIN_URL")
	template := need(t, "TILEFUNC_TEST_TEMPLATE_DB")
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		t.Fatalf("connect to the test cluster: %v", err)
	}
	defer conn.Close(ctx)
	name := randomName("tf_test_")
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name+" TEMPLATE "+pgx.Identifier{template}.Sanitize()); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		c, err := pgx.Connect(ctx, admin)
		if err != nil {
			return
		}
		defer c.Close(ctx)
		c.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	})
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatalf("TILEFUNC_TEST_ADMIN_URL is not a URL")
	}
	u.Path = "/" + name
	return u.String()
}

// LoadDatabase creates a database from the pgSTAC template, runs load on
// a connection to it and returns its URL; it is dropped when the test ends.
func LoadDatabase(t testing.TB, load func(context.Context, *pgx.Conn) error) string {
	t.Helper()
	dbURL := Database(t)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatalf("connect to the test database: %v", err)
	}
	defer conn.Close(ctx)
	if err := load(ctx, conn); err != nil {
		t.Fatalf("load the test database: %v", err)
	}
	return dbURL
}

// Azurite returns the connection string of the Azurite that make test runs.
func Azurite(t testing.TB) string {
	t.Helper()
	return need(t, "AZURE_STORAGE_CONNECTION_STRING")
}

var (
	cogOnce  sync.Once
	cogDir   string
	cogPaths map[string]string
	cogErr   error
)

// Main runs a package's tests and then deletes the COGs and fixtures they
// wrote; a TestMain returns through it: os.Exit(testenv.Main(m)).
func Main(m *testing.M) int {
	code := m.Run()
	if cogDir != "" {
		os.RemoveAll(cogDir)
	}
	fixtures.RemoveShared()
	return code
}

// COGs writes the demo rasters once per test binary and returns their paths
// by raster name.
func COGs(t testing.TB) map[string]string {
	t.Helper()
	cogOnce.Do(func() {
		cogDir, cogErr = os.MkdirTemp("", "tilefunc-cogs-")
		if cogErr != nil {
			return
		}
		cogPaths = map[string]string{}
		for _, r := range demo.Rasters {
			p, err := demo.WriteCOG(cogDir, r)
			if err != nil {
				cogErr = err
				return
			}
			cogPaths[r.Name] = p
		}
	})
	if cogErr != nil {
		t.Fatalf("write demo COGs: %v", cogErr)
	}
	return cogPaths
}

// COGDir is the folder of the demo COGs.
func COGDir(t testing.TB) string {
	COGs(t)
	return cogDir
}

// Catalog is a demo catalog loaded into a fresh database.
type Catalog struct {
	DatabaseURL string
	Hrefs       map[string]string // raster name → asset href
	Paths       map[string]string // raster name → local file
}

// DemoCatalog loads the demo collections and items into a new database,
// with hrefs to the local files, or to blobs uploaded to Azurite when blob
// is true.
func DemoCatalog(t testing.TB, blob bool) *Catalog {
	t.Helper()
	paths := COGs(t)
	hrefs := map[string]string{}
	if blob {
		var list []string
		for _, p := range paths {
			list = append(list, p)
		}
		urls, err := demo.Upload(context.Background(), Azurite(t), randomName("tf-"), list)
		if err != nil {
			t.Fatalf("upload demo COGs to Azurite: %v", err)
		}
		for name, p := range paths {
			hrefs[name] = urls[filepath.Base(p)]
		}
	} else {
		for name, p := range paths {
			hrefs[name] = p
		}
	}
	return LoadCatalog(t, hrefs)
}

// LoadCatalog loads the demo collections and items, their assets at hrefs
// (by raster name), into a new database.
func LoadCatalog(t testing.TB, hrefs map[string]string) *Catalog {
	t.Helper()
	paths := COGs(t)
	var collections, items []map[string]any
	for _, c := range demo.Collections() {
		collections = append(collections, demo.Collection(c))
	}
	for _, r := range demo.Rasters {
		items = append(items, demo.Item(r, hrefs[r.Name]))
	}
	dbURL := LoadDatabase(t, func(ctx context.Context, conn *pgx.Conn) error {
		return demo.Load(ctx, conn, collections, items)
	})
	return &Catalog{DatabaseURL: dbURL, Hrefs: hrefs, Paths: paths}
}

// WebOptimisedWorld is the folder of the world data set's COGs (in dir)
// made web-optimised (world.WebOptimised): made once per checkout, in
// .local/bench/world-webmercator.
func WebOptimisedWorld(t testing.TB, dir string) string {
	t.Helper()
	out := filepath.Join(RepoRoot(t), ".local", "bench", "world-webmercator")
	if err := world.WebOptimised(dir, out); err != nil {
		t.Fatal(err)
	}
	return out
}
