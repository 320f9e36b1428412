// Command demo writes the demo COGs, uploads them to blob storage (Azurite
// locally), loads their STAC collections and items into pgSTAC, registers
// one search per collection and prints the search ids.
//
// It reads DATABASE_URL and AZURE_STORAGE_CONNECTION_STRING.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/jackc/pgx/v5"

	"tilefunc/demo"
	"tilefunc/pgstac"
)

func main() {
	dir := flag.String("dir", ".local/demo", "folder for the generated COGs")
	hrefs := flag.String("hrefs", "blob", "where item hrefs point: blob (Azurite) or local (the files in -dir)")
	container := flag.String("container", "demo", "blob container for the COGs")
	flag.Parse()
	if err := run(context.Background(), *dir, *hrefs, *container); err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, dir, hrefs, container string) error {
	if hrefs != "blob" && hrefs != "local" {
		return fmt.Errorf("-hrefs %q: want blob or local", hrefs)
	}
	dir, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	var paths []string
	for _, r := range demo.Rasters {
		p, err := demo.WriteCOG(dir, r)
		if err != nil {
			return err
		}
		paths = append(paths, p)
	}
	href := map[string]string{}
	for _, p := range paths {
		href[filepath.Base(p)] = p
	}
	if hrefs == "blob" {
		if href, err = demo.Upload(ctx, os.Getenv("AZURE_STORAGE_CONNECTION_STRING"), container, paths); err != nil {
			return err
		}
	}
	var collections, items []map[string]any
	for _, c := range demo.Collections() {
		collections = append(collections, demo.Collection(c))
	}
	for _, r := range demo.Rasters {
		items = append(items, demo.Item(r, href[r.Name+".tif"]))
	}
	conn, err := pgx.Connect(ctx, os.Getenv("DATABASE_URL"))
	if err != nil {
		return fmt.Errorf("connect to DATABASE_URL: %w", err)
	}
	defer conn.Close(ctx)
	if err := demo.Load(ctx, conn, collections, items); err != nil {
		return err
	}
	return register(ctx)
}

// register stores one search per demo collection and prints
// "collection search-id" lines.
func register(ctx context.Context) error {
	cat, err := pgstac.Open(os.Getenv("DATABASE_URL"), pgstac.Options{MinConns: 0, MaxConns: 2})
	if err != nil {
		return err
	}
	defer cat.Close()
	for _, c := range demo.Collections() {
		q, _ := json.Marshal(map[string]any{"collections": []string{c}})
		bounds := demo.Collection(c)["extent"].(map[string]any)["spatial"].(map[string]any)["bbox"].([][4]float64)[0]
		m, _ := json.Marshal(map[string]any{"type": "mosaic", "name": "tilefunc demo: " + c, "bounds": bounds})
		s, err := cat.Register(ctx, q, m)
		if err != nil {
			return err
		}
		fmt.Println(c, s.Hash)
	}
	return nil
}
