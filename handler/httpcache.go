package handler

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

// maxBuffered is the largest answer represent holds to give it an ETag or
// compress it; a larger one is passed on as it is written, without either.
// Images are a few MB at most.
const maxBuffered = 16 << 20

// minCompressed is the smallest body worth compressing (starlette-cramjam's
// minimum_size, which titiler keeps).
const minCompressed = 500

// encoders are the content codings tilefunc writes, in the order titiler
// prefers them among those a client accepts with the same quality
// (starlette-cramjam's gzip, deflate, br, zstd, less deflate and br, which
// tilefunc does not write: a client asking only for those gets identity).
var encoders = []string{"gzip", "zstd"}

// represent finishes each answer: a GET or HEAD 200 gets a strong ETag
// from its body and is a 304 when If-None-Match names it; text answers of
// 500 bytes or more are compressed as the client accepts; HEAD gets GET's
// headers without the body.
func represent(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		bw := &heldWriter{w: w, head: r.Method == http.MethodHead}
		next.ServeHTTP(bw, r)
		if bw.passed {
			return
		}
		if bw.code == 0 {
			bw.code = http.StatusOK
		}
		h := w.Header()
		body := bw.buf.Bytes()
		coding := ""
		if bw.code != http.StatusNoContent && len(body) >= minCompressed && compressible(h.Get("Content-Type")) && h.Get("Content-Encoding") == "" {
			addVary(h, "Accept-Encoding")
			coding = chooseEncoding(r.Header.Get("Accept-Encoding"))
		}
		cacheable := bw.code == http.StatusOK && (r.Method == http.MethodGet || r.Method == http.MethodHead)
		if cacheable {
			tag := etag(body, coding)
			h.Set("ETag", tag)
			if noneMatch(r.Header.Get("If-None-Match"), tag) {
				for _, k := range []string{"Content-Type", "Content-Length", "Content-Encoding"} {
					h.Del(k)
				}
				w.WriteHeader(http.StatusNotModified)
				return
			}
		}
		if coding != "" {
			if enc, err := encode(coding, body); err == nil {
				body = enc
				h.Set("Content-Encoding", coding)
			}
		}
		if bw.code != http.StatusNoContent && bw.code != http.StatusNotModified {
			h.Set("Content-Length", strconv.Itoa(len(body)))
		}
		w.WriteHeader(bw.code)
		if !bw.head {
			w.Write(body)
		}
	})
}

// heldWriter holds an answer until it is complete, or passes it on once
// it outgrows maxBuffered. Its headers are the real writer's.
type heldWriter struct {
	w      http.ResponseWriter
	head   bool // a HEAD request: the body is dropped
	code   int
	buf    bytes.Buffer
	passed bool // the answer went on as it was written
}

func (b *heldWriter) Header() http.Header { return b.w.Header() }

func (b *heldWriter) WriteHeader(code int) {
	if b.code == 0 {
		b.code = code
	}
}

func (b *heldWriter) Write(p []byte) (int, error) {
	if b.code == 0 {
		b.code = http.StatusOK
	}
	if b.passed {
		return b.write(p)
	}
	if b.buf.Len()+len(p) <= maxBuffered {
		return b.buf.Write(p)
	}
	b.passed = true
	b.w.WriteHeader(b.code)
	if _, err := b.write(b.buf.Bytes()); err != nil {
		return 0, err
	}
	b.buf = bytes.Buffer{}
	return b.write(p)
}

func (b *heldWriter) write(p []byte) (int, error) {
	if b.head {
		return len(p), nil
	}
	return b.w.Write(p)
}

// etag is a strong validator of the body as sent: its coding is part of
// it, since a compressed body is another representation.
func etag(body []byte, coding string) string {
	sum := sha256.Sum256(body)
	tag := hex.EncodeToString(sum[:16])
	if coding != "" {
		tag += "-" + coding
	}
	return `"` + tag + `"`
}

// noneMatch says whether If-None-Match names tag: "*", or a list of
// entity tags compared weakly, as RFC 9110 asks for GET and HEAD.
func noneMatch(header, tag string) bool {
	if header == "" {
		return false
	}
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || strings.TrimPrefix(t, "W/") == tag {
			return true
		}
	}
	return false
}

// compressible says whether a media type is text: JSON, XML, HTML and
// the like. Images, NumPy arrays and GeoTIFFs are not (titiler leaves
// image types alone; its npy and tif answers gain nothing from gzip).
func compressible(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	typ, sub, _ := strings.Cut(mt, "/")
	switch {
	case typ == "text":
		return true
	case typ != "application":
		return false
	}
	return sub == "json" || sub == "xml" || sub == "javascript" ||
		strings.HasSuffix(sub, "+json") || strings.HasSuffix(sub, "+xml")
}

// chooseEncoding picks a coding from Accept-Encoding as starlette-cramjam
// does: the highest quality first, titiler's order among equals, and the
// first coding not refused for "*"; "" for none. A quality of 0 refuses a
// coding.
func chooseEncoding(accept string) string {
	quality := map[string]float64{}
	for _, part := range strings.Split(strings.ReplaceAll(accept, " ", ""), ",") {
		name, params, _ := strings.Cut(strings.ToLower(part), ";")
		if name == "" {
			continue
		}
		q := 1.0
		if v, ok := strings.CutPrefix(params, "q="); ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				q = f
			} else {
				q = 0
			}
		}
		quality[name] = q
	}
	best, bestQ := "", 0.0
	for _, e := range encoders {
		if q := quality[e]; q > bestQ {
			best, bestQ = e, q
		}
	}
	if best != "" || quality["*"] <= 0 {
		return best
	}
	for _, e := range encoders {
		if q, named := quality[e]; !named || q > 0 {
			return e
		}
	}
	return ""
}

// zstdEncoder is safe for concurrent EncodeAll; gzip writers are reused.
var (
	zstdEncoder, _ = zstd.NewWriter(nil)
	gzipWriters    = sync.Pool{New: func() any { return gzip.NewWriter(nil) }}
)

// encode compresses body with coding, at the library's default level.
func encode(coding string, body []byte) ([]byte, error) {
	if coding == "zstd" {
		return zstdEncoder.EncodeAll(body, make([]byte, 0, len(body)/2)), nil
	}
	var buf bytes.Buffer
	zw := gzipWriters.Get().(*gzip.Writer)
	defer gzipWriters.Put(zw)
	zw.Reset(&buf)
	if _, err := zw.Write(body); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// addVary adds a field name to Vary, keeping one comma list.
func addVary(h http.Header, name string) {
	v := h.Get("Vary")
	for _, f := range strings.Split(v, ",") {
		if strings.EqualFold(strings.TrimSpace(f), name) {
			return
		}
	}
	if v != "" {
		name = v + ", " + name
	}
	h.Set("Vary", name)
}
