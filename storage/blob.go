// Package storage decides which asset hrefs may be read and turns them into
// paths GDAL opens: local files, Azure Blob (through azblob, plugged into
// GDAL as a VSI handler) and allowed https hosts (a Go range reader,
// another VSI handler).
package storage

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blob"
	"github.com/airbusgeo/godal"
	lru "github.com/hashicorp/golang-lru/v2"
	"golang.org/x/sync/singleflight"

	"tilefunc"
)

// BlobPrefix is the GDAL path prefix served by the blob handler; the rest of
// the path is "READER/ETAG~TAG/container/blob": the reader's number, the
// blob's ETag when the path was made (one opened file reads one version of
// the blob) and the tag of its name (nameTag).
const BlobPrefix = "/vsitilefunc/"

// readTimeout bounds one range read, so a stalled store cannot hang a tile.
const readTimeout = 30 * time.Second

// Bounds of the blob properties kept in memory: how long a blob's ETag is
// trusted before it is asked again (a blob replaced in place is served
// within it), and how many blobs are remembered.
const (
	defaultRevalidate = time.Minute
	maxBlobProps      = 4096
)

// storeRetry is the store client's retry of a throttled or failing read:
// short, because a tile waits for it; past it the client gets a 503 with
// Retry-After.
var storeRetry = policy.RetryOptions{MaxRetries: 2, RetryDelay: 100 * time.Millisecond, MaxRetryDelay: time.Second}

// Blob reads block blobs of one storage account for GDAL.
type Blob struct {
	id         string
	client     *azblob.Client
	props      *lru.Cache[string, blobProps] // "container/blob" → its size and ETag
	revalidate time.Duration
	cache      *blockCache
	fails      *lru.Cache[string, failure] // "container/blob" → the store's last failure on it
	asking     singleflight.Group          // one properties request per blob at a time
	// Downloads counts range requests sent to the store.
	Downloads atomic.Int64
}

// blobProps is one version of a blob: its size, its ETag and when the
// store was last asked.
type blobProps struct {
	size int64
	etag azcore.ETag
	at   time.Time
}

// BlobOption changes how a Blob reads.
type BlobOption func(*Blob)

// RevalidateAfter trusts a blob's ETag for d (default a minute) before
// asking the store again; 0 asks at every open.
func RevalidateAfter(d time.Duration) BlobOption {
	return func(b *Blob) { b.revalidate = d }
}

var (
	blobReaders sync.Map // id → *Blob
	blobNext    atomic.Int64
)

func newBlob(c *azblob.Client, cacheMB int, opts []BlobOption) *Blob {
	props, _ := lru.New[string, blobProps](maxBlobProps) // only a size <= 0 fails
	fails, _ := lru.New[string, failure](maxBlobProps)
	b := &Blob{id: strconv.FormatInt(blobNext.Add(1), 10), client: c, props: props, fails: fails,
		revalidate: defaultRevalidate, cache: newBlockCache(cacheMB)}
	for _, o := range opts {
		o(b)
	}
	blobReaders.Store(b.id, b)
	return b
}

func clientOptions() *azblob.ClientOptions {
	return &azblob.ClientOptions{ClientOptions: azcore.ClientOptions{Retry: storeRetry}}
}

// NewBlobFromConnectionString reads with a shared key (Azurite, local
// work), caching cacheMB megabytes of blocks.
func NewBlobFromConnectionString(conn string, cacheMB int, opts ...BlobOption) (*Blob, error) {
	c, err := azblob.NewClientFromConnectionString(conn, clientOptions())
	if err != nil {
		// The SDK's error may quote the string, account key included.
		return nil, errors.New("AZURE_STORAGE_CONNECTION_STRING is not a valid storage connection string")
	}
	return newBlob(c, cacheMB, opts), nil
}

// NewBlobWithCredential reads the blobs of the account at serviceURL with
// an Azure credential (the same identity as the database), caching cacheMB
// megabytes of blocks.
func NewBlobWithCredential(serviceURL string, cred azcore.TokenCredential, cacheMB int, opts ...BlobOption) (*Blob, error) {
	c, err := azblob.NewClient(serviceURL, cred, clientOptions())
	if err != nil {
		return nil, err
	}
	return newBlob(c, cacheMB, opts), nil
}

// ServiceURL is the account's blob endpoint, ending with a slash.
func (b *Blob) ServiceURL() string {
	u := b.client.URL()
	if !strings.HasSuffix(u, "/") {
		u += "/"
	}
	return u
}

var (
	registerOnce sync.Once
	registerErr  error
)

// Register plugs the blob readers into GDAL under BlobPrefix, once per
// process; each Blob is reached through its own paths.
func (b *Blob) Register() error {
	registerOnce.Do(func() {
		registerErr = godal.RegisterVSIHandler(BlobPrefix, blobVSI{},
			godal.VSIHandlerStripPrefix(true),
			godal.VSIHandlerBufferSize(256*1024),
			godal.VSIHandlerCacheSize(4*256*1024))
	})
	return registerErr
}

func splitKey(key string) (container, name string, err error) {
	container, name, ok := strings.Cut(key, "/")
	if !ok || container == "" || name == "" {
		return "", "", tilefunc.Errorf(tilefunc.EBADREQUEST, "blob path %q is not container/blob", key)
	}
	return container, name, nil
}

// path is the GDAL path of the blob's current version: its ETag is asked
// of the store unless it was within the revalidation time. A blob found
// replaced drops the old version's blocks.
func (b *Blob) path(key string) (string, error) {
	p, ok := b.props.Get(key)
	if !ok || time.Since(p.at) >= b.revalidate {
		v, err, _ := b.asking.Do(key, func() (any, error) { return b.properties(key, nil) })
		if err != nil {
			return "", err
		}
		fresh := v.(blobProps)
		if ok && fresh.etag != p.etag {
			b.cache.drop(b.blockKey(key, p.etag))
		}
		p = fresh
	}
	return BlobPrefix + b.id + "/" + url.PathEscape(string(p.etag)) + "~" + nameTag(key) + "/" + key, nil
}

// nameTag marks a GDAL path with the blob it was made for. GDAL derives
// the names of side files it looks for (x.IMD, x.RPB, x.aux.xml) from the
// path by changing its last part: a derived name no longer matches its
// tag, and is not there without asking the store. Asking would cost a
// request per name at every open, and the store's refusal of a name under
// another blob's ETag fails the read (godal raises it as a GDAL error).
func nameTag(key string) string {
	h := fnv.New32a()
	h.Write([]byte(key))
	return strconv.FormatUint(uint64(h.Sum32()), 36)
}

// blockKey names one version of a blob: reader, ETag, container/blob.
func (b *Blob) blockKey(key string, etag azcore.ETag) string {
	return b.id + "/" + url.PathEscape(string(etag)) + "/" + key
}

// properties asks the store for the blob's size and ETag (only if it is
// still etag, when etag is not nil) and remembers them.
func (b *Blob) properties(key string, etag *azcore.ETag) (blobProps, error) {
	container, name, err := splitKey(key)
	if err != nil {
		return blobProps{}, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), readTimeout)
	defer cancel()
	var o *blob.GetPropertiesOptions
	if etag != nil {
		o = &blob.GetPropertiesOptions{AccessConditions: ifMatch(*etag)}
	}
	resp, err := b.client.ServiceClient().NewContainerClient(container).NewBlobClient(name).GetProperties(ctx, o)
	if err != nil {
		return blobProps{}, b.failed(key, etag, err)
	}
	if resp.ContentLength == nil || resp.ETag == nil {
		return blobProps{}, tilefunc.Errorf(tilefunc.EUNAVAILABLE, "the blob store did not tell the size and ETag of blob %s", key)
	}
	p := blobProps{size: *resp.ContentLength, etag: *resp.ETag, at: time.Now()}
	b.props.Add(key, p)
	b.fails.Remove(key)
	return p, nil
}

func ifMatch(etag azcore.ETag) *blob.AccessConditions {
	return &blob.AccessConditions{ModifiedAccessConditions: &blob.ModifiedAccessConditions{IfMatch: &etag}}
}

// size is the length of the blob's version etag, from memory while that
// version is the one known.
func (b *Blob) size(key string, etag azcore.ETag) (int64, error) {
	if p, ok := b.props.Peek(key); ok && p.etag == etag {
		return p.size, nil
	}
	p, err := b.properties(key, &etag)
	return p.size, err
}

// readAt reads len(buf) bytes at off of the blob's version etag through
// the block cache, whose blocks are those of that version only.
func (b *Blob) readAt(key string, etag azcore.ETag, buf []byte, off int64) (int, error) {
	size, err := b.size(key, etag)
	if err != nil {
		return 0, err
	}
	return b.cache.readAt(b.blockKey(key, etag), size, buf, off, func(off, n int64) ([]byte, error) {
		return b.download(key, etag, off, n)
	})
}

// CacheStats are the block cache's lookups since start (hits, and misses
// that downloaded the block), for /metrics.
func (b *Blob) CacheStats() (hits, misses int64) {
	return b.cache.hits.Load(), b.cache.misses.Load()
}

// download reads n bytes at off in one range request, if the blob is
// still version etag: a replaced blob is never read as a mix of versions.
func (b *Blob) download(key string, etag azcore.ETag, off, n int64) ([]byte, error) {
	container, name, err := splitKey(key)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), readTimeout)
	defer cancel()
	b.Downloads.Add(1)
	resp, err := b.client.DownloadStream(ctx, container, name, &azblob.DownloadStreamOptions{
		Range: blob.HTTPRange{Offset: off, Count: n}, AccessConditions: ifMatch(etag),
	})
	if err != nil {
		return nil, b.failed(key, &etag, err)
	}
	defer resp.Body.Close()
	buf := make([]byte, n)
	if _, err := io.ReadFull(resp.Body, buf); err != nil {
		return nil, b.failed(key, &etag, err)
	}
	// A success does not forget a failure: under concurrent reads it may
	// come between another request's failure and its Stat.
	return buf, nil
}

// Ping checks the store answers and the credential is accepted, listing at
// most one container.
func (b *Blob) Ping(ctx context.Context) error {
	pager := b.client.NewListContainersPager(&azblob.ListContainersOptions{MaxResults: to(int32(1))})
	_, err := pager.NextPage(ctx)
	if err != nil {
		return blobError("(account)", err)
	}
	return nil
}

func to[T any](v T) *T { return &v }

// blobVSI is what GDAL calls: it hands each path to its reader and version.
type blobVSI struct{}

func (blobVSI) version(path string) (*Blob, azcore.ETag, string, error) {
	id, rest, _ := strings.Cut(path, "/")
	version, key, _ := strings.Cut(rest, "/")
	tag, name, _ := strings.Cut(version, "~")
	b, ok := blobReaders.Load(id)
	etag, err := url.PathUnescape(tag)
	if !ok || err != nil {
		return nil, "", "", fmt.Errorf("no blob reader for %s", id)
	}
	if name != nameTag(key) {
		return nil, "", "", errSideFile
	}
	return b.(*Blob), azcore.ETag(etag), key, nil
}

// errSideFile is a name GDAL made up beside a blob's (nameTag).
var errSideFile = tilefunc.Errorf(tilefunc.ENOTFOUND, tilefunc.NoSideFile)

// why says why GDAL failed on path: the store's failure on the blob in
// the last failTTL, or whether this version can still be read.
func (v blobVSI) why(path string) error {
	b, etag, key, err := v.version(path)
	if err != nil {
		return err
	}
	if f, ok := b.fails.Peek(key); ok && time.Since(f.at) < failTTL {
		return f.err
	}
	_, err = b.size(key, etag)
	return err
}

func (v blobVSI) Size(path string) (int64, error) {
	b, etag, key, err := v.version(path)
	if err != nil {
		return 0, err
	}
	return b.size(key, etag)
}

func (v blobVSI) ReadAt(path string, buf []byte, off int64) (int, error) {
	b, etag, key, err := v.version(path)
	if err != nil {
		return 0, err
	}
	return b.readAt(key, etag, buf, off)
}
