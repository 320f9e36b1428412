// Command worldload loads titiler-pgstac's benchmark data set (the world
// collection, ../shared/data/world) into the pgSTAC database at
// DATABASE_URL, its hrefs pointed at the COGs on this machine, registers a
// search for the collection and prints its id. Serve the COGs with
// TILEFUNC_LOCAL_ASSET_DIRS=<dir>/cogs.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"

	"github.com/jackc/pgx/v5"

	"tilefunc/internal/world"
	"tilefunc/pgstac"
)

func main() {
	dir := flag.String("dir", "", "the data set's folder (default: ../shared/data/world beside the repository, or TILEFUNC_WORLD_DIR)")
	flag.Parse()
	if err := run(context.Background(), *dir); err != nil {
		fmt.Fprintln(os.Stderr, "worldload:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, dir string) error {
	var err error
	if dir == "" {
		if dir, err = world.Dir(); err != nil {
			return err
		}
	}
	dbURL := os.Getenv("DATABASE_URL")
	cfg, err := pgx.ParseConfig(dbURL)
	if err != nil {
		// The parser's message may quote the string, password included.
		return fmt.Errorf("DATABASE_URL is not a valid PostgreSQL connection string")
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	if err := world.Load(ctx, conn, dir); err != nil {
		return err
	}
	cat, err := pgstac.Open(dbURL, pgstac.Options{MinConns: 0, MaxConns: 1})
	if err != nil {
		return err
	}
	defer cat.Close()
	q, _ := json.Marshal(map[string]any{"collections": []string{world.CollectionID}})
	m, _ := json.Marshal(map[string]any{"type": "mosaic", "name": "world"})
	s, err := cat.Register(ctx, q, m)
	if err != nil {
		return err
	}
	fmt.Println(s.Hash)
	return nil
}
