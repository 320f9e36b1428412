package pgstac

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"tilefunc"
)

// ListOptions page and filter the registered mosaics.
type ListOptions struct {
	Limit, Offset int
	SortBy        string            // lastused, usecount or metadata.<prop>; "" keeps pgSTAC's order
	Desc          bool              // descending
	Metadata      map[string]string // metadata->>key = value
}

// ListSearches returns one page of the searches whose metadata type is
// "mosaic", and how many match in all (titiler-pgstac's GET /searches/).
func (c *Catalog) ListSearches(ctx context.Context, o ListOptions) ([]tilefunc.Search, int, error) {
	where := []string{"metadata->>'type' = 'mosaic'"}
	var args []any
	keys := make([]string, 0, len(o.Metadata))
	for k := range o.Metadata {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		args = append(args, k, o.Metadata[k])
		where = append(where, fmt.Sprintf("metadata->>$%d = $%d", len(args)-1, len(args)))
	}
	cond := strings.Join(where, " AND ")
	order := "lastused DESC"
	switch {
	case o.SortBy == "lastused" || o.SortBy == "usecount":
		order = o.SortBy
	case strings.HasPrefix(o.SortBy, "metadata."):
		args = append(args, strings.TrimPrefix(o.SortBy, "metadata."))
		order = fmt.Sprintf("metadata->>$%d", len(args))
	}
	if o.SortBy != "" {
		if o.Desc {
			order += " DESC"
		} else {
			order += " ASC"
		}
	}
	var total int
	var out []tilefunc.Search
	err := c.db.with(ctx, func(p *pgxpool.Pool) error {
		if err := p.QueryRow(ctx, "SELECT count(*) FROM pgstac.searches WHERE "+cond, args[:2*len(keys)]...).Scan(&total); err != nil {
			return err
		}
		rows, err := p.Query(ctx, fmt.Sprintf(`SELECT hash, search, _where, orderby, lastused, usecount,
			coalesce(metadata, '{}') FROM pgstac.searches WHERE %s ORDER BY %s LIMIT %d OFFSET %d`,
			cond, order, o.Limit, o.Offset), args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var s tilefunc.Search
			var lastused time.Time
			var meta []byte
			if err := rows.Scan(&s.Hash, &s.Search, &s.Where, &s.OrderBy, &lastused, &s.UseCount, &meta); err != nil {
				return err
			}
			s.LastUsed = isoTime(lastused)
			if err := json.Unmarshal(meta, &s.Metadata); err != nil {
				return fmt.Errorf("search %s metadata: %w", s.Hash, err)
			}
			out = append(out, s)
		}
		return rows.Err()
	})
	return out, total, dbError(err)
}
