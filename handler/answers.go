package handler

import (
	_ "embed"
	"encoding/json"
	"slices"
)

// Answer is what a route's 200 is, as its declaration says: the media
// types it can answer with, the schema of its JSON (a name in
// apidocs/schemas.json; "" for none) and its cache class. The OpenAPI
// document and the Cache-Control header are made from it.
type Answer struct {
	Media  []string
	Schema string
	Cache  CacheClass
}

// CacheClass groups answers by how long a client may keep them: each
// class's Cache-Control is a setting.
type CacheClass int

const (
	// CacheDocuments: what describes a search, collection or item
	// (tilesets, TileJSON, WMTS, info, map pages, asset lists).
	CacheDocuments CacheClass = iota
	// CacheImages: what is read from rasters (tiles, parts, previews,
	// point values, statistics).
	CacheImages
	// CacheService: what describes the service alone (landing page,
	// conformance, tile matrix sets, colormaps, algorithms, /api).
	CacheService
	// CacheNever: what changes as the catalog changes (health, the search
	// list, registration), titiler-pgstac's exclusions.
	CacheNever
)

// CachePolicy is the Cache-Control of each class ("" for none); CacheNever
// answers carry none.
type CachePolicy struct {
	Documents, Images, Service string
}

func (p CachePolicy) of(c CacheClass) string {
	switch c {
	case CacheDocuments:
		return p.Documents
	case CacheImages:
		return p.Images
	case CacheService:
		return p.Service
	}
	return ""
}

// Media types the answers are declared with.
const (
	mediaJSON    = "application/json"
	mediaGeoJSON = "application/geo+json"
	mediaHTML    = "text/html"
	mediaXML     = "application/xml"
)

// The answers routes declare.
var (
	imageAnswer = Answer{Media: imageMediaTypes(), Cache: CacheImages}
	htmlPage    = Answer{Media: []string{mediaHTML}, Cache: CacheDocuments}
	wmtsAnswer  = Answer{Media: []string{mediaXML}, Cache: CacheDocuments}
)

// isImage says whether the answer is an image, which carries the times of
// its stages in Server-Timing.
func (a Answer) isImage() bool { return slices.Equal(a.Media, imageAnswer.Media) }

// jsonAnswer is a JSON document of the named schema.
func jsonAnswer(schema string, c CacheClass) Answer {
	return Answer{Media: []string{mediaJSON}, Schema: schema, Cache: c}
}

// geoJSONAnswer is a GeoJSON document of the named schema.
func geoJSONAnswer(schema string, c CacheClass) Answer {
	return Answer{Media: []string{mediaGeoJSON}, Schema: schema, Cache: c}
}

// formAnswer is a JSON document that f=html shows as a page.
func formAnswer(schema string, c CacheClass) Answer {
	return Answer{Media: []string{mediaJSON, mediaHTML}, Schema: schema, Cache: c}
}

// schemas are the JSON schemas of the answers, by name (OpenAPI's
// components.schemas).
var schemas = func() map[string]any {
	var m map[string]any
	if err := json.Unmarshal(schemasJSON, &m); err != nil {
		panic("apidocs/schemas.json: " + err.Error())
	}
	return m
}()

//go:embed apidocs/schemas.json
var schemasJSON []byte
