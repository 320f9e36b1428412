package parity

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// Request is one HTTP request for both servers: a method, a path with a
// query written for people to read, and a JSON body for POST.
type Request struct {
	Method string
	Path   string // /collections/x/tiles/...?assets=a|bidx=1&expression=(b1-b2)/(b1+b2)
	Body   string
}

// ParseRequest reads "GET path", "POST path body" or a bare path (GET).
func ParseRequest(s string) Request {
	method, rest, ok := strings.Cut(s, " ")
	if !ok || (method != http.MethodGet && method != http.MethodPost) {
		return Request{Method: http.MethodGet, Path: s}
	}
	path, body, _ := strings.Cut(rest, " ")
	return Request{Method: method, Path: path, Body: strings.TrimSpace(body)}
}

func (r Request) String() string {
	if r.Method == http.MethodGet {
		return r.Path
	}
	return r.Method + " " + r.Path
}

// URL is the path with its query escaped by EscapeQuery.
func (r Request) URL() string {
	path, query, ok := strings.Cut(r.Path, "?")
	if !ok {
		return path
	}
	return path + "?" + EscapeQuery(query)
}

// EscapeQuery escapes each key and value of a query written for people to
// read: expression=(b1-b2)/(b1+b2) would otherwise send its + as a space.
// A key without = gets one (k becomes k=).
func EscapeQuery(query string) string {
	var parts []string
	for _, pair := range strings.Split(query, "&") {
		k, v, _ := strings.Cut(pair, "=")
		parts = append(parts, url.QueryEscape(k)+"="+url.QueryEscape(v))
	}
	return strings.Join(parts, "&")
}

// Query is the request's query parameters, decoded.
func (r Request) Query() url.Values {
	_, query, _ := strings.Cut(r.URL(), "?")
	v, _ := url.ParseQuery(query)
	return v
}

// Send sends r to base and keeps the whole answer.
func Send(ctx context.Context, client *http.Client, base string, r Request) Response {
	var body io.Reader
	if r.Body != "" {
		body = strings.NewReader(r.Body)
	}
	req, err := http.NewRequestWithContext(ctx, r.Method, base+r.URL(), body)
	if err != nil {
		return Response{Err: err.Error()}
	}
	if r.Body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := client.Do(req)
	if err != nil {
		return Response{Err: err.Error()}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return Response{Status: resp.StatusCode, Err: fmt.Sprintf("read body: %v", err)}
	}
	// Links name the server they came from: the base URL becomes {base},
	// so that the two servers' documents compare field by field.
	ct := resp.Header.Get("Content-Type")
	if isJSON(ct) || strings.HasPrefix(ct, "text/") || strings.HasPrefix(ct, "application/xml") {
		b = bytes.ReplaceAll(b, []byte(base), []byte("{base}"))
	}
	return Response{Status: resp.StatusCode, Type: ct, Body: b}
}
