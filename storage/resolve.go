package storage

import (
	"errors"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"tilefunc"
)

// Resolver maps asset hrefs to GDAL paths, allowing only the configured
// places: no item in the catalog can make the server read elsewhere.
type Resolver struct {
	blob       *Blob
	blobURL    string // the blob account's endpoint, ending with "/"
	account    string
	localDirs  []string
	httpsHosts map[string]bool
	https      *HTTPS
}

// ResolverOption changes how a Resolver reads.
type ResolverOption func(*resolverOptions)

type resolverOptions struct {
	transport http.RoundTripper
	timeout   time.Duration
}

// HTTPSTransport makes the https reader send its requests through rt
// (tests: one that trusts their server's certificate). Redirects and the
// whole-request timeout are still the reader's.
func HTTPSTransport(rt http.RoundTripper) ResolverOption {
	return func(o *resolverOptions) { o.transport = rt }
}

// HTTPSTimeout bounds each https range request, body included, to d
// instead of 30 s.
func HTTPSTimeout(d time.Duration) ResolverOption {
	return func(o *resolverOptions) { o.timeout = d }
}

// NewResolver allows blob (may be nil; account is its name), files below
// localDirs and https URLs on hosts.
func NewResolver(blob *Blob, account string, localDirs, hosts []string, opts ...ResolverOption) *Resolver {
	var o resolverOptions
	for _, opt := range opts {
		opt(&o)
	}
	r := &Resolver{blob: blob, account: account, httpsHosts: map[string]bool{}}
	if blob != nil {
		r.blobURL = blob.ServiceURL()
	}
	for _, d := range localDirs {
		if abs, err := filepath.Abs(d); err == nil {
			if real, err := filepath.EvalSymlinks(abs); err == nil {
				abs = real
			}
			r.localDirs = append(r.localDirs, abs)
		}
	}
	for _, h := range hosts {
		r.httpsHosts[strings.ToLower(h)] = true
	}
	if len(hosts) > 0 {
		r.https = newHTTPS(r.httpsHosts, o.transport, o.timeout)
	}
	return r
}

// Path returns the GDAL path for href, or EFORBIDDEN when href points
// outside the allowed places. A blob's path names its current version,
// so Path asks the store for it (at most once per revalidation time) and
// says so when the blob is missing or the store refuses or fails.
func (r *Resolver) Path(href string) (string, error) {
	if r.blob != nil {
		if key, ok := r.blobKey(href); ok {
			if err := r.blob.Register(); err != nil {
				return "", err
			}
			return r.blob.path(key)
		}
	}
	u, err := url.Parse(href)
	if err != nil {
		return "", refuse(href)
	}
	switch u.Scheme {
	case "":
		return r.localPath(href)
	case "file":
		return r.localPath(u.Path)
	case "https":
		if r.httpsHosts[strings.ToLower(u.Host)] {
			if err := registerHTTPS(); err != nil {
				return "", err
			}
			return r.https.path(href), nil
		}
	}
	return "", refuse(href)
}

// Stat says why GDAL could not open path, a path Path returned: the file
// is missing, its host refused or failed, or nil when the file is there
// (so its content is why).
func (r *Resolver) Stat(path string) error {
	var err error
	switch {
	case strings.HasPrefix(path, httpsPrefix) && r.https != nil:
		_, err = httpsVSI{}.Size(strings.TrimPrefix(path, httpsPrefix))
	case strings.HasPrefix(path, BlobPrefix) && r.blob != nil:
		err = blobVSI{}.why(strings.TrimPrefix(path, BlobPrefix))
	default:
		if _, err = os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			err = tilefunc.Errorf(tilefunc.ENOTFOUND, "asset file not found")
		}
	}
	return err
}

// blobKey recognises the account's own blobs: az://container/blob, its
// https://ACCOUNT.blob.core.windows.net/ URLs and its endpoint (Azurite).
func (r *Resolver) blobKey(href string) (string, bool) {
	var key string
	switch {
	case strings.HasPrefix(href, "az://"):
		key = strings.TrimPrefix(href, "az://")
	case r.account != "" && strings.HasPrefix(href, "https://"+r.account+".blob.core.windows.net/"):
		key = strings.TrimPrefix(href, "https://"+r.account+".blob.core.windows.net/")
	case strings.HasPrefix(href, r.blobURL):
		key = strings.TrimPrefix(href, r.blobURL)
	default:
		return "", false
	}
	key, _, _ = strings.Cut(key, "?") // a SAS token is not needed: we sign ourselves
	key, err := url.PathUnescape(key)
	return key, err == nil && strings.Contains(key, "/")
}

func (r *Resolver) localPath(p string) (string, error) {
	if !filepath.IsAbs(p) {
		return "", refuse(p)
	}
	p = filepath.Clean(p)
	if real, err := filepath.EvalSymlinks(p); err == nil {
		p = real
	}
	for _, d := range r.localDirs {
		if p == d || strings.HasPrefix(p, d+string(filepath.Separator)) {
			return p, nil
		}
	}
	return "", refuse(p)
}

// refuse names the scheme and host only: the rest of an href may carry a
// SAS token.
func refuse(href string) error {
	where := "local path"
	if u, err := url.Parse(href); err == nil && u.Scheme != "" {
		where = u.Scheme + "://" + u.Host
	}
	return tilefunc.Errorf(tilefunc.EFORBIDDEN, "asset location %s is not allowed: see TILEFUNC_LOCAL_ASSET_DIRS, TILEFUNC_ALLOWED_HOSTS and AZURE_STORAGE_ACCOUNT", where)
}
