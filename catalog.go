package tilefunc

import (
	"encoding/json"
	"fmt"
	"time"
)

// Search is a registered pgSTAC search (a mosaic definition), as stored in
// pgstac.searches and shown by /searches/{id}/info.
type Search struct {
	Hash     string          `json:"hash"`
	Search   json.RawMessage `json:"search"`
	Where    *string         `json:"_where,omitempty"` // omitted when null, as titiler-pgstac
	OrderBy  *string         `json:"orderby,omitempty"`
	LastUsed string          `json:"lastused"`
	UseCount int64           `json:"usecount"`
	Metadata SearchMetadata  `json:"metadata"`
}

// SearchMetadata is the free-form metadata registered with a search. The
// fields tilefunc reads are typed; everything else is kept as given.
type SearchMetadata struct {
	Type    string
	Name    string
	Bounds  []float64
	MinZoom *int
	MaxZoom *int
	Extra   map[string]json.RawMessage
}

// Item is the part of a STAC item that rendering needs. It keeps the JSON
// it was read from, and writes that back: the /assets routes answer the
// items as pgSTAC returned them.
type Item struct {
	ID         string           `json:"id"`
	BBox       []float64        `json:"bbox"`
	Assets     map[string]Asset `json:"assets"`
	Collection string           `json:"collection"`
	// Properties are the item's properties where they were asked for (a
	// single item's routes read proj:* and renders; mosaic searches leave
	// them out).
	Properties map[string]json.RawMessage `json:"properties,omitempty"`
	raw        json.RawMessage
}

// Box2D is the 2D box of a STAC bbox: minx, miny, maxx, maxy of its 4
// numbers, or of its 6 (minx, miny, minz, maxx, maxy, maxz); false for
// another length.
func Box2D(b []float64) ([4]float64, bool) {
	switch len(b) {
	case 4:
		return [4]float64{b[0], b[1], b[2], b[3]}, true
	case 6:
		return [4]float64{b[0], b[1], b[3], b[4]}, true
	}
	return [4]float64{}, false
}

// UnmarshalJSON reads the typed fields and keeps the whole document.
func (it *Item) UnmarshalJSON(b []byte) error {
	type fields Item
	if err := json.Unmarshal(b, (*fields)(it)); err != nil {
		return err
	}
	it.raw = append(json.RawMessage(nil), b...)
	return nil
}

// MarshalJSON writes the document the item was read from, else its fields.
func (it Item) MarshalJSON() ([]byte, error) {
	if it.raw != nil {
		return it.raw, nil
	}
	type fields Item
	return json.Marshal(fields(it))
}

// Asset is one file of a STAC item. The fields rendering reads are typed;
// the others (title, raster:bands, file:header_size, ...) are kept as given,
// so an item's assets can be shown as the catalog holds them.
type Asset struct {
	Href  string
	Type  string
	Roles []string
	Extra map[string]json.RawMessage
}

// UnmarshalJSON reads the typed fields and keeps every other key as given.
func (a *Asset) UnmarshalJSON(b []byte) error {
	*a = Asset{}
	extra, err := splitFields(b, map[string]any{"href": &a.Href, "type": &a.Type, "roles": &a.Roles})
	if err != nil {
		return fmt.Errorf("asset %w", err)
	}
	if len(extra) > 0 {
		a.Extra = extra
	}
	return nil
}

// splitFields decodes the keys of a JSON object named in typed into the
// values they point at, and returns the other keys as given.
func splitFields(b []byte, typed map[string]any) (map[string]json.RawMessage, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, err
	}
	extra := map[string]json.RawMessage{}
	for k, v := range raw {
		dst, ok := typed[k]
		if !ok {
			extra[k] = v
			continue
		}
		if err := json.Unmarshal(v, dst); err != nil {
			return nil, fmt.Errorf("%s: %w", k, err)
		}
	}
	return extra, nil
}

// MarshalJSON writes the asset back as one object.
func (a Asset) MarshalJSON() ([]byte, error) {
	out := make(map[string]any, len(a.Extra)+3)
	for k, v := range a.Extra {
		out[k] = v
	}
	out["href"] = a.Href
	if a.Type != "" {
		out["type"] = a.Type
	}
	if a.Roles != nil {
		out["roles"] = a.Roles
	}
	return json.Marshal(out)
}

// UnmarshalJSON reads the typed fields and keeps every other key as given.
func (m *SearchMetadata) UnmarshalJSON(b []byte) error {
	*m = SearchMetadata{}
	extra, err := splitFields(b, map[string]any{"type": &m.Type, "name": &m.Name, "bounds": &m.Bounds,
		"minzoom": &m.MinZoom, "maxzoom": &m.MaxZoom})
	if err != nil {
		return Errorf(EINVALID, "metadata.%v", err)
	}
	m.Extra = extra
	return nil
}

// MarshalJSON writes the metadata back as one object. A search registered
// without a type reads as "search", as titiler-pgstac reports it.
func (m SearchMetadata) MarshalJSON() ([]byte, error) {
	out := make(map[string]any, len(m.Extra)+5)
	for k, v := range m.Extra {
		if string(v) != "null" { // titiler-pgstac's model drops nulls
			out[k] = v
		}
	}
	out["type"] = m.Type
	if m.Type == "" {
		out["type"] = "search"
	}
	if m.Name != "" {
		out["name"] = m.Name
	}
	if m.Bounds != nil {
		out["bounds"] = m.Bounds
	}
	if m.MinZoom != nil {
		out["minzoom"] = *m.MinZoom
	}
	if m.MaxZoom != nil {
		out["maxzoom"] = *m.MaxZoom
	}
	return json.Marshal(out)
}

// SearchOptions are pgSTAC's geojsonsearch controls: how far a search for the
// items under a geometry may go before it returns.
type SearchOptions struct {
	ScanLimit    int           // stop after scanning this many items
	ItemsLimit   int           // stop after finding this many items
	TimeLimit    time.Duration // stop after this long
	ExitWhenFull bool          // stop once the geometry is covered
	SkipCovered  bool          // skip items hidden by earlier ones
}

// DatabaseStatus is how tilefunc reaches its database, for /healthz. It
// never holds a secret.
type DatabaseStatus struct {
	Auth           string     `json:"auth"`                       // password, managed_identity or azure_cli
	Generation     int64      `json:"pool_generation"`            // pools built so far
	TokenExpiresOn *time.Time `json:"token_expires_on,omitempty"` // the current token's expiry
	TokenRequests  int64      `json:"token_requests,omitempty"`   // token requests made
	Problem        string     `json:"error,omitempty"`            // why the database cannot be reached
}
