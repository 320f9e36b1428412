package world_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"tilefunc/internal/testenv"
	"tilefunc/internal/world"
)

func worldDir(t *testing.T) string {
	t.Helper()
	dir, err := world.Dir()
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestItemsPointAtTheCOGsOnThisMachine(t *testing.T) {
	dir := worldDir(t)
	items, err := world.Items(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 15 {
		t.Fatalf("%d items, want 15", len(items))
	}
	for _, it := range items {
		href := it["assets"].(map[string]any)["asset"].(map[string]any)["href"].(string)
		if filepath.Dir(href) != world.COGDir(dir) || filepath.Base(href) != it["id"].(string)+".tif" {
			t.Errorf("item %v: href %s, want %s/%v.tif", it["id"], href, world.COGDir(dir), it["id"])
		}
	}
}

func TestURLsAreTheTileRequestsInFileOrder(t *testing.T) {
	dir := worldDir(t)
	urls, err := world.URLs(dir)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(filepath.Join(dir, "urls.txt"))
	if want := strings.Count(string(b), "$(PATH)"); len(urls) != want || want < 9000 {
		t.Fatalf("%d URLs, want the file's %d", len(urls), want)
	}
	if urls[0] != "0/0/0?assets=asset" {
		t.Errorf("first URL %q, want 0/0/0?assets=asset", urls[0])
	}
	for _, u := range urls {
		if strings.Contains(u, "$(") || !strings.HasSuffix(u, "?assets=asset") {
			t.Fatalf("URL %q: want z/x/y?assets=asset", u)
		}
	}
}

func TestURLsRejectsALineWithoutThePath(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "urls.txt"), []byte("PATH=a/b/\n$(PROT)://$(HOST)/$(PATH)1/2/3?x=1\nhttp://elsewhere/1/2/3\n"), 0o644)
	if _, err := world.URLs(dir); err == nil || !strings.Contains(err.Error(), "line 3") {
		t.Fatalf("want an error naming line 3, got %v", err)
	}
}

func TestItemsFailWhenACOGIsMissing(t *testing.T) {
	dir := t.TempDir()
	os.Mkdir(filepath.Join(dir, "cogs"), 0o755)
	os.WriteFile(filepath.Join(dir, "items.json"), []byte(`{"id":"a","assets":{"asset":{"href":"/data/a.tif"}}}`+"\n"), 0o644)
	if _, err := world.Items(dir); err == nil || !strings.Contains(err.Error(), "a.tif") {
		t.Fatalf("want an error naming a.tif, got %v", err)
	}
}

func TestLoadPutsTheCollectionAndItsItemsInPgSTAC(t *testing.T) {
	dir := worldDir(t)
	db := testenv.LoadDatabase(t, func(ctx context.Context, conn *pgx.Conn) error { return world.Load(ctx, conn, dir) })
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var n int
	var href string
	err = conn.QueryRow(ctx, `SELECT count(*), min(content->'assets'->'asset'->>'href') FROM pgstac.items WHERE collection = 'world'`).Scan(&n, &href)
	if err != nil || n != 15 || !strings.HasPrefix(href, worldDir(t)) {
		t.Fatalf("pgstac.items: %d items, href %q, err %v; want 15 under %s", n, href, err, worldDir(t))
	}
}
