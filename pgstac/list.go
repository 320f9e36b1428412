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
	Sort          []ListSort        // none: the table's own order, as titiler-pgstac gives it
	Metadata      map[string]string // metadata->>key = value
}

// ListSort is one key of the list's order: the lastused or usecount
// column, else a metadata property (metadata->>Key).
type ListSort struct {
	Key  string
	Desc bool
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
	var orders []string
	for _, k := range o.Sort {
		key := k.Key
		if key != "lastused" && key != "usecount" {
			args = append(args, key)
			key = fmt.Sprintf("metadata->>$%d", len(args))
		}
		if k.Desc {
			key += " DESC"
		} else {
			key += " ASC"
		}
		orders = append(orders, key)
	}
	order := ""
	if len(orders) > 0 {
		order = " ORDER BY " + strings.Join(orders, ", ")
	}
	var total int
	var out []tilefunc.Search
	err := c.db.with(ctx, func(p *pgxpool.Pool) error {
		if err := p.QueryRow(ctx, "SELECT count(*) FROM pgstac.searches WHERE "+cond, args[:2*len(keys)]...).Scan(&total); err != nil {
			return err
		}
		rows, err := p.Query(ctx, fmt.Sprintf(`SELECT hash, search, _where, orderby, lastused, usecount,
			coalesce(metadata, '{}') FROM pgstac.searches WHERE %s%s LIMIT %d OFFSET %d`,
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
