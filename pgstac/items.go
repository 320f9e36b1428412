package pgstac

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"tilefunc"
)

// Item returns one item of a collection (pgSTAC get_item). It reads, so
// it needs no write grant, where titiler-pgstac's pgstac.search registers
// a search on every lookup.
func (c *Catalog) Item(ctx context.Context, collection, id string) (*tilefunc.Item, error) {
	var doc []byte
	err := c.db.with(ctx, func(p *pgxpool.Pool) error {
		return p.QueryRow(ctx, "SELECT pgstac.get_item($1, $2)", id, collection).Scan(&doc)
	})
	if errors.Is(err, pgx.ErrNoRows) || (err == nil && (doc == nil || string(doc) == "null")) {
		return nil, tilefunc.Errorf(tilefunc.ENOTFOUND, "No item '%s' found in '%s' collection", id, collection)
	}
	if err != nil {
		return nil, dbError(err)
	}
	var it tilefunc.Item
	if err := json.Unmarshal(doc, &it); err != nil {
		return nil, err
	}
	return &it, nil
}
