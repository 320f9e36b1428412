package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/bloberror"
	"github.com/jackc/pgx/v5"
)

// Collections lists the demo collection ids.
func Collections() []string { return []string{"demo-rgb", "demo-elevation"} }

// Collection is the STAC collection id, covering its rasters.
func Collection(id string) map[string]any {
	bbox := [4]float64{180, 90, -180, -90}
	for _, r := range Rasters {
		if r.Collection == id {
			bbox = [4]float64{min(bbox[0], r.BBox[0]), min(bbox[1], r.BBox[1]), max(bbox[2], r.BBox[2]), max(bbox[3], r.BBox[3])}
		}
	}
	return map[string]any{
		"type": "Collection", "stac_version": "1.0.0", "id": id,
		"description": "tilefunc demo data: generated COGs",
		"license":     "CC0-1.0",
		"links":       []any{},
		"extent": map[string]any{
			"spatial":  map[string]any{"bbox": [][4]float64{bbox}},
			"temporal": map[string]any{"interval": [][2]any{{"2024-01-01T00:00:00Z", nil}}},
		},
	}
}

// Item is the STAC item of r, its asset at href.
func Item(r Raster, href string) map[string]any {
	w, s, e, n := r.BBox[0], r.BBox[1], r.BBox[2], r.BBox[3]
	return map[string]any{
		"type": "Feature", "stac_version": "1.0.0", "id": r.Name, "collection": r.Collection,
		"bbox":       r.BBox,
		"geometry":   map[string]any{"type": "Polygon", "coordinates": [][][2]float64{{{w, s}, {e, s}, {e, n}, {w, n}, {w, s}}}},
		"properties": map[string]any{"datetime": "2024-01-01T00:00:00Z"},
		"links":      []any{},
		"assets": map[string]any{r.Asset: map[string]any{
			"href": href, "type": "image/tiff; application=geotiff; profile=cloud-optimized", "roles": []string{"data"},
		}},
	}
}

// Load upserts collections and items into pgSTAC with its SQL API.
func Load(ctx context.Context, conn *pgx.Conn, collections, items []map[string]any) error {
	for _, c := range collections {
		b, _ := json.Marshal(c)
		if _, err := conn.Exec(ctx, "SELECT pgstac.upsert_collection($1::jsonb)", string(b)); err != nil {
			return fmt.Errorf("load collection %v: %w", c["id"], err)
		}
	}
	b, _ := json.Marshal(items)
	if _, err := conn.Exec(ctx, "SELECT pgstac.upsert_items($1::jsonb)", string(b)); err != nil {
		return fmt.Errorf("load items: %w", err)
	}
	return nil
}

// Upload copies files into container (created when missing) and returns
// each file's blob URL by file name.
func Upload(ctx context.Context, connString, container string, paths []string) (map[string]string, error) {
	client, err := azblob.NewClientFromConnectionString(connString, nil)
	if err != nil {
		return nil, fmt.Errorf("storage connection string: invalid")
	}
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if _, err := client.CreateContainer(ctx, container, nil); err != nil && !bloberror.HasCode(err, bloberror.ContainerAlreadyExists) {
		return nil, fmt.Errorf("create container %s: %w", container, err)
	}
	urls := map[string]string{}
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			return nil, err
		}
		name := filepath.Base(p)
		_, err = client.UploadFile(ctx, container, name, f, nil)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("upload %s: %w", name, err)
		}
		urls[name] = strings.TrimSuffix(client.URL(), "/") + "/" + container + "/" + name
	}
	return urls, nil
}
