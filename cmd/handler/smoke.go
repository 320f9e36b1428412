package main

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"tilefunc"
	"tilefunc/internal/cli"
)

// smoke is `handler smoke URL`: after a rollout, the seed's Step 8 by hand
// against the deployed app. It reads /healthz, registers a search with the
// function key, renders a tile of it and reads its WMTS document, and
// prints one line per check as doctor does: ok with what it saw, or FAIL
// with what failed and a fix line. It never prints the key.
func smoke(args []string, out, stderr io.Writer) error {
	fs := flag.NewFlagSet("handler smoke", flag.ContinueOnError)
	key := fs.String("key", "", "the function key, sent as x-functions-key (and as Authorization: Bearer, for TILEFUNC_REGISTER_KEY);\n"+
		"a code=KEY in URL is taken as the key")
	collection := fs.String("collection", "", "the collection to register and render (default: the first one a stored search names)")
	assets := fs.String("assets", "", "the asset to render (default: the item's first GeoTIFF asset)")
	params := fs.String("params", "", "more query parameters for the tile and the WMTS document, as in a URL: rescale=0,3000&colormap_name=terrain")
	timeout := fs.Duration("timeout", 30*time.Second, "how long each request may take (a cold start included)")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), "usage: handler smoke [flags] URL\n\n"+
			"Checks a deployed tilefunc at URL (https://<app>.azurewebsites.net) as the seed's Step 8 does by hand:\n"+
			"/healthz (database online, the token's expiry), POST /searches/register with the key, a tile of that\n"+
			"search and its WMTS document. Prints each check, with a fix for a failed one; exits 1 if any failed.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	pos, err := cli.ParseArgs(fs, args, []string{"URL"}, out, stderr)
	if err != nil {
		return err
	}
	s, err := newSmoker(pos[0], *key, *params, *timeout, out)
	if err != nil {
		err = fmt.Errorf("handler smoke: %w", err)
		fmt.Fprintln(stderr, err)
		fs.Usage()
		return &cli.UsageError{Err: err}
	}
	s.collection, s.assets = *collection, *assets
	s.run()
	if s.failed {
		return errors.New("smoke: checks failed")
	}
	return nil
}

// smoker is one smoke run against a deployment.
type smoker struct {
	*report
	base       string // scheme://host[/path], no query
	key        string
	collection string
	assets     string
	params     url.Values
	client     *http.Client
}

func newSmoker(raw, key, params string, timeout time.Duration, out io.Writer) (*smoker, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("URL %q: want http(s)://host, the app's address", redactURL(raw))
	}
	// The portal's function URLs carry the key as ?code=; the Functions
	// host takes either that or x-functions-key, which keeps it out of URLs.
	for k, v := range u.Query() {
		if strings.EqualFold(k, "code") && key == "" && len(v) > 0 {
			key = v[len(v)-1]
		}
	}
	p, err := url.ParseQuery(params)
	if err != nil {
		return nil, fmt.Errorf("-params %q: %v", params, err)
	}
	for k := range p {
		if strings.EqualFold(k, "code") {
			return nil, errors.New("-params: pass the key with -key, not as code=")
		}
	}
	base := strings.TrimRight((&url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path}).String(), "/")
	return &smoker{report: &report{out: out}, base: base, key: strings.TrimSpace(key), params: p,
		client: &http.Client{Timeout: timeout, CheckRedirect: noRedirects}}, nil
}

// noRedirects makes a redirect the answer: followed, it would carry the
// key's header to wherever it points (net/http drops only Authorization
// and cookies on the way to another host) and turn the POST into a GET.
func noRedirects(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// run runs the checks in order; each later one needs what the earlier found.
func (s *smoker) run() {
	keyed := "none"
	if s.key != "" {
		keyed = "given"
	}
	fmt.Fprintf(s.out, "info smoke test of %s (function key: %s)\n", s.base, keyed)
	ctx := context.Background()
	if !s.healthz(ctx) {
		fmt.Fprintln(s.out, "skip register, tile, wmts: they need the server and its database")
		return
	}
	coll, bounds, ok := s.pickCollection(ctx)
	if !ok {
		fmt.Fprintln(s.out, "skip tile, wmts: they need a collection")
		return
	}
	// Without a registered search the tile and the document are asked of
	// the collection's own mosaic: they still say whether rendering works.
	prefix := "/collections/" + url.PathEscape(coll)
	if id, ok := s.register(ctx, coll, bounds); ok {
		prefix = "/searches/" + url.PathEscape(id)
	}
	asset, ok := s.tile(ctx, prefix, bounds)
	if !ok {
		fmt.Fprintln(s.out, "skip wmts: it needs the asset the tile check finds")
		return
	}
	s.wmts(ctx, prefix, asset)
}

// answer is one HTTP exchange as the checks read it.
type answer struct {
	status   int
	media    string // the Content-Type without parameters
	body     []byte
	location string // where a redirect points
	took     time.Duration
}

// maxAnswer bounds what a check reads of an answer.
const maxAnswer = 16 << 20

// do sends a request to the deployment; keyed ones carry the key in
// headers, never in the URL.
func (s *smoker) do(ctx context.Context, method, path string, body []byte, keyed bool) (*answer, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, s.base+path, rd)
	if err != nil {
		return nil, err
	}
	req.Header.Set("User-Agent", "tilefunc-smoke/"+version)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if keyed && s.key != "" {
		req.Header.Set("x-functions-key", s.key)
		req.Header.Set("Authorization", "Bearer "+s.key)
	}
	start := time.Now()
	resp, err := s.client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // its message repeats the URL
		}
		return nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return nil, fmt.Errorf("%s %s: reading the answer: %w", method, path, err)
	}
	media, _, _ := strings.Cut(resp.Header.Get("Content-Type"), ";")
	return &answer{status: resp.StatusCode, media: strings.TrimSpace(media), body: b,
		location: redactURL(resp.Header.Get("Location")), took: time.Since(start)}, nil
}

// detail is an error answer's message on one line: tilefunc's {"detail":
// ...}, or the start of whatever else came (the Functions host answers 401
// with no body).
func (a *answer) detail() string {
	var e struct {
		Detail string `json:"detail"`
	}
	if a.location != "" {
		return "a redirect to " + a.location + " (not followed)"
	}
	text := string(a.body[:min(len(a.body), 300)])
	if json.Unmarshal(a.body, &e) == nil && e.Detail != "" {
		text = e.Detail
	}
	if text = strings.Join(strings.Fields(text), " "); text == "" {
		return "no body"
	}
	if len(text) > 300 {
		text = text[:300] + "..."
	}
	return text
}

// seconds is a duration as the lines show it.
func seconds(d time.Duration) string { return fmt.Sprintf("%.2f s", d.Seconds()) }

// health is the part of /healthz the check reads.
type health struct {
	DatabaseOnline bool                    `json:"database_online"`
	Database       tilefunc.DatabaseStatus `json:"database"`
	Versions       map[string]string       `json:"versions"`
	Storage        *struct {
		Online bool   `json:"online"`
		Error  string `json:"error"`
	} `json:"storage"`
}

// healthz is the seed's "curl /healthz": the server answers, pgSTAC
// answers it, and in managed-identity mode the token is current.
func (s *smoker) healthz(ctx context.Context) bool {
	a, err := s.do(ctx, http.MethodGet, "/healthz", nil, false)
	if err != nil {
		s.fail("healthz: "+err.Error(), "check the URL (the app's default host name: az functionapp show -g <group> -n <app> --query defaultHostName) and that the app is running; "+
			"a cold start may need a longer -timeout")
		return false
	}
	var h health
	switch {
	case a.status == http.StatusNotFound:
		s.fail("healthz: GET /healthz answered 404: "+a.detail(), "point URL at the Function App itself, with no /api; deploy the package with its function folders (make package)")
		return false
	case a.location != "":
		s.fail(fmt.Sprintf("healthz: GET /healthz answered %d: %s", a.status, a.detail()), "pass the address it redirects to as URL (the app's https:// address)")
		return false
	case a.status != http.StatusOK:
		s.fail(fmt.Sprintf("healthz: GET /healthz answered %d: %s", a.status, a.detail()),
			"the Functions host answers but the handler does not: read the app's log (Application Insights, or az webapp log tail) for its start-up line")
		return false
	case json.Unmarshal(a.body, &h) != nil:
		s.fail("healthz: GET /healthz did not answer tilefunc's JSON ("+a.media+")", "point URL at the tilefunc Function App")
		return false
	}
	if !h.DatabaseOnline {
		what, fix, found := strings.Cut(cmp.Or(h.Database.Problem, "pgSTAC did not answer"), "; fix: ")
		if !found {
			fix = "run 'handler doctor' where the app's settings are set (docs/troubleshooting.md maps each failure to its fix)"
		}
		s.fail("healthz: database offline: "+what, fix)
		return false
	}
	login, ok := s.login(h.Database)
	if !ok {
		return false
	}
	s.ok("healthz: database online, pgSTAC %s, %s, pool generation %d; tilefunc %s, GDAL %s (%s)",
		h.Versions["pgstac"], login, h.Database.Generation, h.Versions["tilefunc"], h.Versions["gdal"], seconds(a.took))
	if h.Storage != nil && !h.Storage.Online {
		what, fix, _ := strings.Cut(h.Storage.Error, "; fix: ")
		s.fail("healthz: blob storage offline: "+what, cmp.Or(fix, "check the app's storage settings (docs/configuration.md)"))
	}
	return true
}

// login says how the server logs in to PostgreSQL; with a token, its
// expiry, which must lie ahead (tilefunc renews it 5 minutes before).
func (s *smoker) login(db tilefunc.DatabaseStatus) (string, bool) {
	if db.Auth == "password" {
		return "password login", true
	}
	if db.TokenExpiresOn == nil {
		s.fail("healthz: "+db.Auth+" login, but /healthz shows no token expiry", "run 'handler doctor' where the app's settings are set")
		return "", false
	}
	left := time.Until(*db.TokenExpiresOn)
	if left <= 0 {
		s.fail(fmt.Sprintf("healthz: the %s token expired at %s and was not renewed", db.Auth, db.TokenExpiresOn.Format(time.RFC3339)),
			"run 'handler doctor' on the app: it names why no new token comes (docs/troubleshooting.md)")
		return "", false
	}
	return fmt.Sprintf("%s token expires %s (in %d min)", db.Auth, db.TokenExpiresOn.UTC().Format(time.RFC3339), int(left.Minutes())), true
}

// redactURL drops a code= parameter (a function key) from a URL for a
// line of output.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(an unparsable URL)"
	}
	q := u.Query()
	for k := range q {
		if strings.EqualFold(k, "code") {
			q.Del(k)
		}
	}
	u.RawQuery = q.Encode()
	return u.String()
}
