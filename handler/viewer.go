package handler

import (
	_ "embed"
	"html/template"
	"net/http"
)

//go:embed viewer.html
var viewerHTML string

// viewer is the map page: a self-contained slippy map (no CDN, so it works
// on closed networks) that shows the tiles of one TileJSON document.
var viewer = template.Must(template.New("viewer").Parse(viewerHTML))

func renderViewer(w http.ResponseWriter, tilejsonURL string) error {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	return viewer.Execute(w, struct{ TileJSON string }{tilejsonURL})
}
