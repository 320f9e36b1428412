package main_test

import (
	"bytes"
	"crypto/tls"
	"image/color"
	"image/png"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"tilefunc/internal/testenv"
	"tilefunc/pgstac"
)

// USE_AZURE_AUTH: blobs are read with the same managed identity as the
// database (a bearer token for storage), through the GDAL VSI handler,
// from an Azurite that checks OAuth tokens.
func TestBlobsReadWithTheManagedIdentity(t *testing.T) {
	az := testenv.StartOAuthAzurite(t)
	hrefs := az.Upload(t, "cogs", testenv.COGs(t))
	cat := testenv.LoadCatalog(t, hrefs)
	role := testenv.Role(t, cat.DatabaseURL, pgstac.ReadOnly)
	ts := testenv.NewTokenServer(t, time.Hour, func(tok string, exp time.Time) error {
		return testenv.SetPassword(role, tok, exp)
	})
	env := append(miEnv(t, cat, role, ts), "USE_AZURE_AUTH=true", "AZURE_STORAGE_ACCOUNT=devstoreaccount1",
		"TILEFUNC_BLOB_ENDPOINT="+az.Endpoint, "SSL_CERT_FILE="+az.CertFile, "TILEFUNC_LOCAL_ASSET_DIRS=")
	// Azurite refuses a reader without a token: the identity is what opens the blobs.
	if resp, err := insecureGet(hrefs["rgb_west"]); err != nil || resp != http.StatusForbidden && resp != http.StatusUnauthorized && resp != http.StatusNotFound {
		t.Fatalf("anonymous read of a blob: %d %v, want a refusal", resp, err)
	}
	base, logs := start(t, env...)
	id := registerIDAsAdmin(t, cat)

	resp, err := http.Get(base + "/searches/" + id + "/tiles/WebMercatorQuad/8/128/92.png?assets=visual&tilesize=256")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("tile from OAuth blobs: %d %s\n%s", resp.StatusCode, body, logs)
	}
	img, err := png.Decode(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	blues := map[uint8]bool{}
	for x := 0; x < 256; x += 16 {
		c := color.NRGBAModel.Convert(img.At(x, 128)).(color.NRGBA)
		blues[c.B] = true
	}
	if !blues[60] || !blues[200] {
		t.Fatalf("want pixels of both blobs (blue 60 and 200), got %v", blues)
	}
	h, err := http.Get(base + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	hb, _ := io.ReadAll(h.Body)
	h.Body.Close()
	if !strings.Contains(string(hb), `"storage":{"online":true}`) {
		t.Fatalf("healthz should report the blob store online: %s", hb)
	}
	assertNoSecret(t, logs.String()+string(hb), ts.Issued())
}

func insecureGet(url string) (int, error) {
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	resp, err := c.Get(url)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}
