// Package storage decides which asset hrefs may be read and turns them into
// paths GDAL opens: local files, Azure Blob (through azblob, plugged into
// GDAL as a VSI handler) and allowed https hosts (a Go range reader,
// another VSI handler).
package storage

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/bloberror"
	"github.com/airbusgeo/godal"

	"tilefunc"
)

// vsiPrefix is the GDAL path prefix served by the blob handler; the rest of
// the path is "container/blob".
const vsiPrefix = "/vsitilefunc/"

// readTimeout bounds one range read, so a stalled store cannot hang a tile.
const readTimeout = 30 * time.Second

// Blob reads block blobs of one storage account for GDAL.
type Blob struct {
	client *azblob.Client
	sizes  sync.Map // "container/blob" → sizeEntry
	cache  *blockCache
	// Downloads counts range requests sent to the store.
	Downloads atomic.Int64
}

type sizeEntry struct {
	size int64
	at   time.Time
}

// sizeTTL bounds how long a blob's size is trusted; a replaced blob is seen
// again after it.
const sizeTTL = time.Minute

// NewBlobFromConnectionString reads with a shared key (Azurite, local
// work), caching cacheMB megabytes of blocks.
func NewBlobFromConnectionString(conn string, cacheMB int) (*Blob, error) {
	c, err := azblob.NewClientFromConnectionString(conn, nil)
	if err != nil {
		// The SDK's error may quote the string, account key included.
		return nil, errors.New("AZURE_STORAGE_CONNECTION_STRING is not a valid storage connection string")
	}
	return &Blob{client: c, cache: newBlockCache(cacheMB)}, nil
}

// NewBlobWithCredential reads the blobs of the account at serviceURL with
// an Azure credential (the same identity as the database), caching cacheMB
// megabytes of blocks.
func NewBlobWithCredential(serviceURL string, cred azcore.TokenCredential, cacheMB int) (*Blob, error) {
	c, err := azblob.NewClient(serviceURL, cred, nil)
	if err != nil {
		return nil, err
	}
	return &Blob{client: c, cache: newBlockCache(cacheMB)}, nil
}

// ServiceURL is the account's blob endpoint, ending with a slash.
func (b *Blob) ServiceURL() string {
	u := b.client.URL()
	if !strings.HasSuffix(u, "/") {
		u += "/"
	}
	return u
}

var registerOnce sync.Once

// Register plugs b into GDAL under vsiPrefix. One account per process.
func (b *Blob) Register() error {
	var err error
	registerOnce.Do(func() {
		err = godal.RegisterVSIHandler(vsiPrefix, b,
			godal.VSIHandlerStripPrefix(true),
			godal.VSIHandlerBufferSize(256*1024),
			godal.VSIHandlerCacheSize(4*256*1024))
	})
	return err
}

func splitKey(key string) (container, name string, err error) {
	container, name, ok := strings.Cut(key, "/")
	if !ok || container == "" || name == "" {
		return "", "", fmt.Errorf("blob path %q is not container/blob", key)
	}
	return container, name, nil
}

// Size returns the blob's length, for GDAL's stat.
func (b *Blob) Size(key string) (int64, error) {
	if e, ok := b.sizes.Load(key); ok && time.Since(e.(sizeEntry).at) < sizeTTL {
		return e.(sizeEntry).size, nil
	}
	container, name, err := splitKey(key)
	if err != nil {
		return 0, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), readTimeout)
	defer cancel()
	props, err := b.client.ServiceClient().NewContainerClient(container).NewBlobClient(name).GetProperties(ctx, nil)
	if err != nil {
		return 0, blobError(key, err)
	}
	size := *props.ContentLength
	b.sizes.Store(key, sizeEntry{size, time.Now()})
	return size, nil
}

// ReadAt reads len(buf) bytes at off, for GDAL's range reads, through the
// block cache.
func (b *Blob) ReadAt(key string, buf []byte, off int64) (int, error) {
	size, err := b.Size(key)
	if err != nil {
		return 0, err
	}
	return b.cache.readAt(key, size, buf, off, func(off, n int64) ([]byte, error) {
		return b.download(key, off, n)
	})
}

// CacheStats are the block cache's lookups since start (hits, and misses
// that downloaded the block), for /metrics.
func (b *Blob) CacheStats() (hits, misses int64) {
	return b.cache.hits.Load(), b.cache.misses.Load()
}

// download reads n bytes at off in one range request.
func (b *Blob) download(key string, off, n int64) ([]byte, error) {
	container, name, err := splitKey(key)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), readTimeout)
	defer cancel()
	b.Downloads.Add(1)
	resp, err := b.client.DownloadStream(ctx, container, name, &azblob.DownloadStreamOptions{
		Range: blob.HTTPRange{Offset: off, Count: n},
	})
	if err != nil {
		return nil, blobError(key, err)
	}
	defer resp.Body.Close()
	buf := make([]byte, n)
	if _, err := io.ReadFull(resp.Body, buf); err != nil {
		return nil, fmt.Errorf("blob %s: short read: %w", key, err)
	}
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

// blobError keeps the blob's name and the service's error code, never the
// request URL (it can carry a SAS token).
func blobError(key string, err error) error {
	var re *azcore.ResponseError
	if errors.As(err, &re) {
		if bloberror.HasCode(err, bloberror.BlobNotFound, bloberror.ContainerNotFound) {
			return tilefunc.Errorf(tilefunc.ENOTFOUND, "blob %s not found", key)
		}
		return fmt.Errorf("blob %s: %s (HTTP %d)", key, re.ErrorCode, re.StatusCode)
	}
	return fmt.Errorf("blob %s: %w", key, err)
}
