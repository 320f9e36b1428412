package handler

import (
	"bytes"
	"encoding/json"
	"html/template"
	"net/http"
	"strconv"
	"strings"
)

// The HTML forms of the routes that declare f (titiler's f=html, and its
// choice by the Accept header): the route's JSON document as a page, its
// links as links. titiler renders a template per route; tilefunc renders
// every document on one page, which shows the same fields.

// declaresForm says whether a route takes f.
func declaresForm(ps []Param) bool {
	for _, p := range ps {
		if p.Name == "f" {
			return true
		}
	}
	return false
}

// htmlForm serves h, as a page where the request asks for HTML.
func htmlForm(h func(http.ResponseWriter, *http.Request) error) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		if !wantsHTML(r) {
			return h(w, r)
		}
		buf := &bufferWriter{header: http.Header{}}
		if err := h(buf, r); err != nil {
			return err
		}
		var doc map[string]any
		if buf.status != http.StatusOK || json.Unmarshal(buf.body.Bytes(), &doc) != nil {
			return buf.copyTo(w) // an error, or not a JSON object: as it is
		}
		return writePage(w, r, doc, buf.body.Bytes())
	}
}

// wantsHTML is titiler's choice between HTML and JSON: f, else the media
// type of highest quality the Accept header names exactly (text/html
// first on a tie); JSON when it names neither.
func wantsHTML(r *http.Request) bool {
	switch queryValues(r.URL.RawQuery).Get("f") {
	case "html":
		return true
	case "json":
		return false
	}
	best, html := 0.0, false
	for _, part := range strings.Split(strings.ReplaceAll(r.Header.Get("Accept"), " ", ""), ",") {
		name, params, _ := strings.Cut(part, ";")
		q := 1.0
		for _, p := range strings.Split(params, ";") {
			if v, ok := strings.CutPrefix(p, "q="); ok {
				q, _ = strconv.ParseFloat(v, 64)
			}
		}
		switch {
		case q <= 0 || name != "text/html" && name != "application/json":
		case q > best || q == best && name == "text/html":
			best, html = q, name == "text/html"
		}
	}
	return html
}

// page is what the HTML form shows.
type page struct {
	Title string
	Links []pageLink
	JSON  string
}

type pageLink struct{ Href, Rel, Title string }

var pageTemplate = template.Must(template.New("page").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Title}}</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem;max-width:70rem}pre{background:#f4f4f4;padding:1rem;overflow:auto}</style>
</head><body><h1>{{.Title}}</h1>
{{if .Links}}<ul>{{range .Links}}<li><a href="{{.Href}}">{{if .Title}}{{.Title}}{{else}}{{.Href}}{{end}}</a> ({{.Rel}})</li>{{end}}</ul>{{end}}
<pre>{{.JSON}}</pre>
</body></html>
`))

// writePage writes doc as a page: its title (else the path), its links,
// the document itself.
func writePage(w http.ResponseWriter, r *http.Request, doc map[string]any, raw []byte) error {
	p := page{Title: r.URL.Path}
	if t, ok := doc["title"].(string); ok && t != "" {
		p.Title = t
	}
	if links, ok := doc["links"].([]any); ok {
		for _, l := range links {
			m, _ := l.(map[string]any)
			href, _ := m["href"].(string)
			rel, _ := m["rel"].(string)
			title, _ := m["title"].(string)
			if href != "" {
				p.Links = append(p.Links, pageLink{Href: href, Rel: rel, Title: title})
			}
		}
	}
	var pretty bytes.Buffer
	json.Indent(&pretty, raw, "", "  ")
	p.JSON = pretty.String()
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	return pageTemplate.Execute(w, p)
}

// bufferWriter keeps an answer to look at before it is sent.
type bufferWriter struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (b *bufferWriter) Header() http.Header { return b.header }

func (b *bufferWriter) WriteHeader(code int) {
	if b.status == 0 {
		b.status = code
	}
}

func (b *bufferWriter) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	return b.body.Write(p)
}

func (b *bufferWriter) copyTo(w http.ResponseWriter) error {
	for k, v := range b.header {
		w.Header()[k] = v
	}
	w.WriteHeader(b.status)
	_, err := w.Write(b.body.Bytes())
	return err
}
