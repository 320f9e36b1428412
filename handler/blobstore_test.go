package handler_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
	"github.com/airbusgeo/godal"

	"tilefunc/demo"
	"tilefunc/internal/testenv"
	"tilefunc/storage"
)

// blobStore is the demo catalog with its assets in an Azurite container,
// the items naming them az://container/name so that any reader of the
// account (through a proxy, with another key) is allowed to read them.
type blobStore struct {
	catalog   *testenv.Catalog
	container string
	client    *azblob.Client
}

func newBlobStore(t *testing.T) *blobStore {
	t.Helper()
	var paths []string
	for _, p := range testenv.COGs(t) {
		paths = append(paths, p)
	}
	container := fmt.Sprintf("tf-%d", time.Now().UnixNano())
	if _, err := demo.Upload(context.Background(), testenv.Azurite(t), container, paths); err != nil {
		t.Fatal(err)
	}
	hrefs := map[string]string{}
	for name, p := range testenv.COGs(t) {
		hrefs[name] = "az://" + container + "/" + filepath.Base(p)
	}
	client, err := azblob.NewClientFromConnectionString(testenv.Azurite(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	return &blobStore{catalog: testenv.LoadCatalog(t, hrefs), container: container, client: client}
}

// server runs tilefunc reading the store with the connection string conn.
func (s *blobStore) server(t *testing.T, conn string, opts ...storage.BlobOption) *env {
	t.Helper()
	b, err := storage.NewBlobFromConnectionString(conn, 16, opts...)
	if err != nil {
		t.Fatal(err)
	}
	url, logs := serve(t, s.catalog.DatabaseURL, b, nil, "no-store")
	return &env{url: url, catalog: s.catalog, logs: logs}
}

// replace uploads the file at path over the blob name, in place.
func (s *blobStore) replace(t *testing.T, name, path string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := s.client.UploadFile(context.Background(), s.container, name, f, nil); err != nil {
		t.Fatal(err)
	}
}

// noisyWest writes a COG on rgb_west's grid whose pixels come from seed
// and do not compress: its tiles lie in different 256 KiB blocks.
func noisyWest(t *testing.T, seed uint32) string {
	t.Helper()
	r := demo.Rasters[0]
	rx, ry := r.Res()
	path := filepath.Join(t.TempDir(), "rgb_west.tif")
	cog := demo.COG{Width: r.Width, Height: r.Height, Bands: 3, DataType: godal.Byte,
		GeoTransform: [6]float64{r.BBox[0], rx, 0, r.BBox[3], 0, -ry},
		Value: func(band, col, row int) float64 {
			h := (uint32(col)*73856093 ^ uint32(row)*19349663 ^ uint32(band)*83492791) * (seed*2654435761 + 1)
			return float64(h >> 24)
		}}
	if err := cog.Write(path); err != nil {
		t.Fatal(err)
	}
	return path
}

// tileOf is the PNG of one tile of demo-rgb, from a server's point of view.
func tileOf(t *testing.T, e *env, tile string) response {
	t.Helper()
	id := e.register(t, `{"collections":["demo-rgb"]}`)
	return get(t, fmt.Sprintf("%s/searches/%s/tiles/WebMercatorQuad/%s.png?assets=visual", e.url, id, tile))
}

// freshTile is the tile as a server that never read the store serves it.
func (s *blobStore) freshTile(t *testing.T, tile string) []byte {
	t.Helper()
	return okBody(t, tileOf(t, s.server(t, testenv.Azurite(t)), tile), "image/png")
}

const blobTile, blobTile2 = "8/124/92", "8/122/90"

// A blob replaced in place (same name, new content) is served new on the
// next request once its ETag is asked again: the same PNG as a server
// that never read the old one.
func TestBlobReplacedInPlaceIsServedNew(t *testing.T) {
	s := newBlobStore(t)
	e := s.server(t, testenv.Azurite(t), storage.RevalidateAfter(0))
	before := okBody(t, tileOf(t, e, blobTile), "image/png")
	s.replace(t, "rgb_west.tif", noisyWest(t, 1))
	after := okBody(t, tileOf(t, e, blobTile), "image/png")
	if bytes.Equal(after, before) {
		t.Fatal("the replaced blob is still served as it was")
	}
	if !bytes.Equal(after, s.freshTile(t, blobTile)) {
		t.Fatal("the replaced blob is served unlike a fresh server serves it")
	}
}

// A blob replaced while its ETag is still trusted is read as the version
// the server knows or not at all (503, Retry-After): never old blocks
// with new ones. The next request reads the new version.
func TestBlobReplacedWhileTrustedIsNeverMixed(t *testing.T) {
	s := newBlobStore(t)
	s.replace(t, "rgb_west.tif", noisyWest(t, 1))
	old := s.freshTile(t, blobTile2)
	e := s.server(t, testenv.Azurite(t)) // trusts an ETag for a minute
	okBody(t, tileOf(t, e, blobTile), "image/png")
	s.replace(t, "rgb_west.tif", noisyWest(t, 2))
	now := s.freshTile(t, blobTile2)

	r := tileOf(t, e, blobTile2)
	switch {
	case r.status == http.StatusOK && bytes.Equal(r.body, old):
		t.Log("the tile was the old version, whole")
	case r.status == http.StatusServiceUnavailable && r.header.Get("Retry-After") != "":
		t.Logf("the tile met the replacement: %s", r.detail(t, http.StatusServiceUnavailable))
	default:
		t.Fatalf("a tile read across the replacement: %d, old version %v, new %v", r.status, bytes.Equal(r.body, old), bytes.Equal(r.body, now))
	}
	if r := tileOf(t, e, blobTile2); !bytes.Equal(okBody(t, r, "image/png"), now) {
		t.Fatal("after the replacement was seen, the tile is not the new version's")
	}
}

// A blob deleted after it was served is a 404 with a detail naming it.
func TestDeletedBlobIsNotFound(t *testing.T) {
	s := newBlobStore(t)
	e := s.server(t, testenv.Azurite(t), storage.RevalidateAfter(0))
	okBody(t, tileOf(t, e, blobTile), "image/png")
	if _, err := s.client.DeleteBlob(context.Background(), s.container, "rgb_west.tif", nil); err != nil {
		t.Fatal(err)
	}
	d := tileOf(t, e, blobTile).detail(t, http.StatusNotFound)
	if !strings.Contains(d, "rgb_west.tif") {
		t.Fatalf("the detail should name the blob: %s", d)
	}
}

// failingStore is Azurite behind a proxy that answers status (when not 0)
// to the requests of the method, or of every method when it is "".
type failingStore struct {
	status atomic.Int64
	method atomic.Value // string
	url    string
}

func newFailingStore(t *testing.T) *failingStore {
	t.Helper()
	target, err := url.Parse(os.Getenv("TILEFUNC_AZURITE_BLOB_ENDPOINT"))
	if err != nil || target.Host == "" {
		t.Skip("TILEFUNC_AZURITE_BLOB_ENDPOINT is not set")
	}
	f := &failingStore{}
	f.method.Store("")
	proxy := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: target.Scheme, Host: target.Host})
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m := f.method.Load().(string)
		if code := int(f.status.Load()); code != 0 && (m == "" || m == r.Method) {
			w.Header().Set("x-ms-error-code", "ServerBusy")
			w.WriteHeader(code)
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(ts.Close)
	f.url = ts.URL + target.Path
	return f
}

// conn is the test connection string with its blob endpoint replaced.
func withEndpoint(t *testing.T, endpoint string) string {
	return regexp.MustCompile(`BlobEndpoint=[^;]*`).ReplaceAllString(testenv.Azurite(t), "BlobEndpoint="+endpoint)
}

// A blob store that is throttling or failing (its range reads only, or
// every request) is a 503 with Retry-After, not a 500 nor GDAL's "not a
// GeoTIFF"; when it recovers, tiles are served again.
func TestFailingBlobStoreIsUnavailable(t *testing.T) {
	s := newBlobStore(t)
	store := newFailingStore(t)
	e := s.server(t, withEndpoint(t, store.url), storage.RevalidateAfter(0))
	for i, c := range []struct {
		code   int64
		method string
	}{{503, "GET"}, {429, "GET"}, {500, "GET"}, {503, ""}, {429, ""}} {
		store.status.Store(c.code)
		store.method.Store(c.method)
		// A tile the server has not read yet, each time: GETs of its blocks fail.
		r := tileOf(t, e, fmt.Sprintf("8/%d/%d", 121+i, 88))
		d := r.detail(t, http.StatusServiceUnavailable)
		if r.header.Get("Retry-After") == "" {
			t.Fatalf("store answering %d to %q: no Retry-After", c.code, c.method)
		}
		if strings.Contains(d, "127.0.0.1") || strings.Contains(d, "http") {
			t.Fatalf("the detail shows the store's URL: %s", d)
		}
	}
	store.status.Store(0)
	okBody(t, tileOf(t, e, "8/126/88"), "image/png")
}

// A store refusing the credential (a wrong account key) is a 403 whose
// detail shows neither key.
func TestWrongStorageKeyIsForbidden(t *testing.T) {
	s := newBlobStore(t)
	wrong := base64.StdEncoding.EncodeToString([]byte("not the account key of devstoreaccount1, 64 bytes long.........."))
	conn := regexp.MustCompile(`AccountKey=[^;]*`).ReplaceAllString(testenv.Azurite(t), "AccountKey="+wrong)
	e := s.server(t, conn)
	d := tileOf(t, e, blobTile).detail(t, http.StatusForbidden)
	if strings.Contains(d, wrong) || strings.Contains(d, "AccountKey") || strings.Contains(d, "Eby8") {
		t.Fatalf("the detail shows a key: %s", d)
	}
}

// Tiles read from a blob's overviews (low zooms) are served as from the
// local file. gdalwarp reads the overview's metadata, for which GDAL looks
// for side files (x.IMD, x.RPB, x.XML) beside the blob: their absence is
// answered without asking the store, and is not a failure. Before, each
// such tile was a 400 naming x.IMD.
func TestBlobTilesFromOverviewsAreServedAsLocalOnes(t *testing.T) {
	blob, local := newEnv(t, true), newEnv(t, false)
	for _, tile := range []string{"3/3/2", "4/7/5", "5/15/11", "6/31/23"} {
		b := okBody(t, tileOf(t, blob, tile), "image/png")
		if l := okBody(t, tileOf(t, local, tile), "image/png"); !bytes.Equal(b, l) {
			t.Errorf("tile %s from the blob differs from the local file's", tile)
		}
	}
}
