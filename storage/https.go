package storage

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/airbusgeo/godal"

	"tilefunc"
)

// httpsPrefix is the GDAL path prefix of the https readers; the rest of
// the path is "READER/host/path?query", READER the reader's number.
const httpsPrefix = "/vsitilefunc_https/"

// Timeouts of the https reader: reaching the host, its first byte of an
// answer, and a whole range request. GDAL's own /vsicurl/ is not used: it
// follows redirects to any host.
const (
	connectTimeout = 10 * time.Second
	headerTimeout  = 15 * time.Second
)

// httpsCacheMB is the https readers' block cache, process-wide: a COG's
// header is read once for many tiles.
const httpsCacheMB = 16

// HTTPS reads files on allowed https hosts for GDAL in range requests. It
// follows a redirect only to another allowed https host.
type HTTPS struct {
	id     string
	client *http.Client
	hosts  map[string]bool
	sizes  sync.Map // "host/path?query" → httpsEntry
}

// httpsEntry is a file's size, or the host's lasting refusal of it.
type httpsEntry struct {
	size int64
	err  error
	at   time.Time
}

var (
	httpsReaders  sync.Map // id → *HTTPS
	httpsNext     atomic.Int64
	httpsRegister sync.Once
	httpsRegErr   error
	httpsCache    = newBlockCache(httpsCacheMB)
)

// newHTTPS reads from hosts through transport (nil: the default one with
// its timeouts; tests pass one that trusts their certificate), each
// request taking at most timeout (0: readTimeout).
func newHTTPS(hosts map[string]bool, transport http.RoundTripper, timeout time.Duration) *HTTPS {
	if timeout <= 0 {
		timeout = readTimeout
	}
	if transport == nil {
		transport = &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			DialContext:           (&net.Dialer{Timeout: connectTimeout}).DialContext,
			TLSHandshakeTimeout:   connectTimeout,
			ResponseHeaderTimeout: headerTimeout,
			MaxIdleConnsPerHost:   8,
			IdleConnTimeout:       90 * time.Second,
		}
	}
	h := &HTTPS{id: strconv.FormatInt(httpsNext.Add(1), 10), hosts: hosts}
	h.client = &http.Client{Transport: transport, Timeout: timeout, CheckRedirect: h.checkRedirect}
	httpsReaders.Store(h.id, h)
	return h
}

// register plugs the https readers into GDAL, once per process.
func registerHTTPS() error {
	httpsRegister.Do(func() {
		httpsRegErr = godal.RegisterVSIHandler(httpsPrefix, httpsVSI{},
			godal.VSIHandlerStripPrefix(true),
			godal.VSIHandlerBufferSize(256*1024),
			godal.VSIHandlerCacheSize(4*256*1024))
	})
	return httpsRegErr
}

// path is the GDAL path of an https URL on an allowed host.
func (h *HTTPS) path(u string) string {
	return httpsPrefix + h.id + "/" + strings.TrimPrefix(u, "https://")
}

// redirectError is a redirect the reader does not follow.
type redirectError struct{ from, to string }

func (e *redirectError) Error() string {
	return fmt.Sprintf("asset host %s redirected to %s, which is not an allowed https host: see TILEFUNC_ALLOWED_HOSTS", e.from, e.to)
}

// checkRedirect follows a redirect only to an allowed https host: an
// allowed host must not lead the server to one that is not (SSRF).
func (h *HTTPS) checkRedirect(req *http.Request, via []*http.Request) error {
	if req.URL.Scheme != "https" || !h.hosts[strings.ToLower(req.URL.Host)] {
		return &redirectError{from: via[0].URL.Host, to: req.URL.Scheme + "://" + req.URL.Host}
	}
	if len(via) >= 5 {
		return &redirectError{from: via[0].URL.Host, to: "a sixth place"}
	}
	return nil
}

// failTTL is how long a host's failure (an error, a timeout) is answered
// from memory: GDAL asks for a file's size several times as it opens it,
// and a stalled host must not cost a timeout each time.
const failTTL = 5 * time.Second

// sizeTTL bounds how long a file's size is trusted; a replaced file is
// seen again after it.
const sizeTTL = time.Minute

// Size returns the file's length, from a one-byte range request. A
// refusal that does not pass (not found, forbidden, a redirect elsewhere)
// is remembered as long as a size, a failure for failTTL: GDAL looks for
// a few side files (.IMD, .RPB, .XML) at each open.
func (h *HTTPS) Size(key string) (int64, error) {
	if v, ok := h.sizes.Load(key); ok {
		e := v.(httpsEntry)
		ttl := sizeTTL
		if tilefunc.ErrorCode(e.err) == tilefunc.EUNAVAILABLE {
			ttl = failTTL
		}
		if time.Since(e.at) < ttl {
			return e.size, e.err
		}
	}
	resp, err := h.get(key, 0, 1)
	if err != nil {
		h.sizes.Store(key, httpsEntry{err: err, at: time.Now()})
		return 0, err
	}
	defer resp.Body.Close()
	_, total, ok := strings.Cut(resp.Header.Get("Content-Range"), "/")
	size, err := strconv.ParseInt(total, 10, 64)
	if !ok || err != nil || size < 0 {
		return 0, tilefunc.Errorf(tilefunc.EBADREQUEST, "asset host %s did not tell the file's size in a range answer", hostOf(key))
	}
	h.sizes.Store(key, httpsEntry{size: size, at: time.Now()})
	return size, nil
}

// ReadAt reads len(buf) bytes at off through the block cache.
func (h *HTTPS) ReadAt(key string, buf []byte, off int64) (int, error) {
	size, err := h.Size(key)
	if err != nil {
		return 0, err
	}
	return httpsCache.readAt(h.id+"/"+key, size, buf, off, func(off, n int64) ([]byte, error) {
		return h.download(key, off, n)
	})
}

// download reads n bytes at off in one range request.
func (h *HTTPS) download(key string, off, n int64) ([]byte, error) {
	resp, err := h.get(key, off, n)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	buf := make([]byte, n)
	if _, err := io.ReadFull(resp.Body, buf); err != nil {
		return nil, httpsError(key, err)
	}
	return buf, nil
}

// get sends a range request for n bytes at off and checks it is answered
// with that range; the caller closes the body. The client's timeout
// bounds the whole request, body included.
func (h *HTTPS) get(key string, off, n int64) (*http.Response, error) {
	req, err := http.NewRequest(http.MethodGet, "https://"+key, nil)
	if err != nil {
		return nil, tilefunc.Errorf(tilefunc.EBADREQUEST, "asset URL on %s is not a valid URL", hostOf(key))
	}
	req.Header.Set("Range", fmt.Sprintf("bytes=%d-%d", off, off+n-1))
	resp, err := h.client.Do(req)
	if err != nil {
		return nil, httpsError(key, err)
	}
	if resp.StatusCode != http.StatusPartialContent {
		resp.Body.Close()
		return nil, statusError(key, resp.StatusCode)
	}
	return resp, nil
}

// statusError is a host's answer other than the range asked for.
func statusError(key string, code int) error {
	host := hostOf(key)
	switch {
	case code == http.StatusNotFound, code == http.StatusGone:
		return tilefunc.Errorf(tilefunc.ENOTFOUND, "asset file on %s not found (HTTP %d)", host, code)
	case code == http.StatusUnauthorized, code == http.StatusForbidden:
		return tilefunc.Errorf(tilefunc.EFORBIDDEN, "asset host %s refused the read (HTTP %d)", host, code)
	case code == http.StatusOK:
		return tilefunc.Errorf(tilefunc.EBADREQUEST, "asset host %s does not serve byte ranges, which tilefunc reads files in", host)
	case code >= 500:
		return tilefunc.Errorf(tilefunc.EUNAVAILABLE, "asset host %s failed (HTTP %d)", host, code)
	}
	return tilefunc.Errorf(tilefunc.EBADREQUEST, "asset host %s answered HTTP %d to a range read", host, code)
}

// httpsError names the host only: Go's errors quote the URL, whose query
// may be a token.
func httpsError(key string, err error) error {
	var re *redirectError
	var ne net.Error
	switch {
	case errors.As(err, &re):
		return tilefunc.Errorf(tilefunc.EFORBIDDEN, "%s", re.Error())
	case errors.As(err, &ne) && ne.Timeout(), errors.Is(err, context.DeadlineExceeded):
		return tilefunc.Errorf(tilefunc.EUNAVAILABLE, "asset host %s did not answer in time", hostOf(key))
	}
	return tilefunc.Errorf(tilefunc.EUNAVAILABLE, "asset host %s could not be read", hostOf(key))
}

// hostOf is the host of a key, without the path or query that follow.
func hostOf(key string) string {
	if i := strings.IndexAny(key, "/?#"); i >= 0 {
		return key[:i]
	}
	return key
}

// httpsVSI is what GDAL calls: it hands each path to its reader.
type httpsVSI struct{}

func (httpsVSI) reader(key string) (*HTTPS, string, error) {
	id, rest, _ := strings.Cut(key, "/")
	h, ok := httpsReaders.Load(id)
	if !ok {
		return nil, "", fmt.Errorf("no https reader %s", id)
	}
	return h.(*HTTPS), rest, nil
}

func (v httpsVSI) Size(key string) (int64, error) {
	h, rest, err := v.reader(key)
	if err != nil {
		return 0, err
	}
	return h.Size(rest)
}

func (v httpsVSI) ReadAt(key string, buf []byte, off int64) (int, error) {
	h, rest, err := v.reader(key)
	if err != nil {
		return 0, err
	}
	return h.ReadAt(rest, buf, off)
}
