package handler_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

// An asset href with a SAS token keeps its signature to itself: the
// /assets answers show the href with sig=REDACTED, and neither the answer
// nor the log of a tile that fails on it shows the signature.
func TestSASSignaturesAreRedacted(t *testing.T) {
	e := newEnv(t, false)
	ctx := context.Background()
	db, err := pgx.Connect(ctx, e.catalog.DatabaseURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close(ctx)
	// Every item of demo-rgb gets a SAS query on its visual asset.
	if _, err := db.Exec(ctx, `SELECT pgstac.update_item(jsonb_set(content, '{assets,visual,href}',
		to_jsonb(content->'assets'->'visual'->>'href' || '?sv=2022-11-02&se=2030-01-01&sp=r&sig=SECRETSIG%2Babc%3D')))
		FROM (SELECT pgstac.get_item(id, collection) AS content FROM pgstac.items WHERE collection = 'demo-rgb') i`); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{
		"/collections/demo-rgb/point/0.7,44.5/assets",
		"/collections/demo-rgb/tiles/WebMercatorQuad/8/128/92/assets",
		"/collections/demo-rgb/bbox/0,44,1.4,45/assets",
	} {
		r := get(t, e.url+path)
		if r.status != http.StatusOK || strings.Contains(string(r.body), "SECRETSIG") || !strings.Contains(string(r.body), "sig=REDACTED") {
			t.Errorf("%s: %d %.300s", path, r.status, r.body)
		}
	}
	r := get(t, e.url+"/collections/demo-rgb/tiles/WebMercatorQuad/8/128/92.png?assets=visual")
	if r.status == http.StatusOK || strings.Contains(string(r.body), "SECRETSIG") {
		t.Errorf("tile of an href that does not resolve: %d %s", r.status, r.body)
	}
	if strings.Contains(e.logs.String(), "SECRETSIG") {
		t.Errorf("the signature is in the log:\n%s", e.logs)
	}
}
