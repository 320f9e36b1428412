package pgstac

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"tilefunc"
)

// Collection returns a collection's STAC document (pgSTAC get_collection).
func (c *Catalog) Collection(ctx context.Context, id string) (json.RawMessage, error) {
	var doc []byte
	err := c.db.with(ctx, func(p *pgxpool.Pool) error {
		return p.QueryRow(ctx, "SELECT pgstac.get_collection($1)", id).Scan(&doc)
	})
	if errors.Is(err, pgx.ErrNoRows) || (err == nil && (doc == nil || string(doc) == "null")) {
		return nil, tilefunc.Errorf(tilefunc.ENOTFOUND, "CollectionId `%s` not found", id)
	}
	return doc, dbError(err)
}

// EnsureSearch returns the hash of a search and whether it is registered,
// registering it when the catalog and the role allow writes and
// pgstac.searches holds fewer rows than the bound (so that requests with
// ever new filters cannot grow it without end). Otherwise it is the hash
// of an unregistered search: its items come from SearchItems, which
// writes nothing.
func (c *Catalog) EnsureSearch(ctx context.Context, query, metadata json.RawMessage) (hash string, registered bool, err error) {
	err = c.db.with(ctx, func(p *pgxpool.Pool) error {
		var readonly, canWrite, room bool
		if err := p.QueryRow(ctx, `SELECT pgstac.search_hash($1::jsonb, $2::jsonb),
			EXISTS (SELECT 1 FROM pgstac.searches WHERE hash = pgstac.search_hash($1::jsonb, $2::jsonb)),
			pgstac.readonly(), has_table_privilege('pgstac.searches', 'INSERT'),
			$3 = 0 OR (SELECT count(*) FROM (SELECT FROM pgstac.searches LIMIT $3) s) < $3`,
			string(query), string(metadata), c.storedSearches).Scan(&hash, &registered, &readonly, &canWrite, &room); err != nil {
			return err
		}
		if registered || readonly || !canWrite || !room {
			return nil
		}
		registered = true
		return p.QueryRow(ctx, "SELECT hash FROM pgstac.search_query($1::jsonb, _metadata => $2::jsonb)",
			string(query), string(metadata)).Scan(&hash)
	})
	return hash, registered, dbError(err)
}

// SearchItems returns the items of an unregistered search that intersect
// bbox, in the search's order, through pgSTAC's search function.
func (c *Catalog) SearchItems(ctx context.Context, query json.RawMessage, bbox [4]float64, o tilefunc.SearchOptions) ([]tilefunc.Item, error) {
	var q map[string]json.RawMessage
	if err := json.Unmarshal(query, &q); err != nil {
		return nil, fmt.Errorf("search query: %w", err)
	}
	// pgSTAC takes bbox or intersects, not both: a search bbox is folded
	// into the tile's box.
	var sb []float64
	if raw, ok := q["bbox"]; ok && json.Unmarshal(raw, &sb) == nil && len(sb) == 4 {
		bbox = [4]float64{max(bbox[0], sb[0]), max(bbox[1], sb[1]), min(bbox[2], sb[2]), min(bbox[3], sb[3])}
		if bbox[0] > bbox[2] || bbox[1] > bbox[3] {
			return nil, nil
		}
	}
	delete(q, "bbox")
	q["intersects"] = json.RawMessage(polygon(bbox))
	q["limit"] = json.RawMessage(fmt.Sprint(o.ItemsLimit))
	q["fields"] = json.RawMessage(itemFields)
	body, _ := json.Marshal(q)
	var fc struct {
		Features []tilefunc.Item `json:"features"`
	}
	err := c.db.with(ctx, func(p *pgxpool.Pool) error {
		return p.QueryRow(ctx, "SELECT pgstac.search($1::jsonb) FROM "+readOnly, string(body)).Scan(&fc)
	})
	return fc.Features, dbError(err)
}
