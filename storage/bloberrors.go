package storage

import (
	"context"
	"errors"
	"net"
	"net/http"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"

	"tilefunc"
)

// failure is a store's failure to read a blob, kept for Stat: GDAL's
// own error has lost it.
type failure struct {
	err error
	at  time.Time
}

// failed is blobError, after remembering it for Stat and forgetting a
// version the store says is no longer the blob's (gone, refused, replaced),
// so the next open asks for the new one.
func (b *Blob) failed(key string, etag *azcore.ETag, err error) error {
	b.fails.Add(key, failure{blobError(key, err), time.Now()})
	var re *azcore.ResponseError
	if errors.As(err, &re) && re.StatusCode != http.StatusTooManyRequests && re.StatusCode < 500 {
		if p, ok := b.props.Peek(key); ok && (etag == nil || p.etag == *etag) {
			b.props.Remove(key)
		}
	}
	return blobError(key, err)
}

// blobError is a store's answer as a client sees it: a missing blob 404,
// a refused credential 403, a throttled, failing or silent store 503. It
// names the blob, never the request URL (it can carry a SAS token).
func blobError(key string, err error) error {
	var re *azcore.ResponseError
	var ne net.Error
	switch {
	case errors.As(err, &re):
		return blobStatusError(key, re.StatusCode)
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return tilefunc.Errorf(tilefunc.EUNAVAILABLE, "the blob store did not answer in time for blob %s", key)
	}
	return tilefunc.Errorf(tilefunc.EUNAVAILABLE, "the blob store could not be read for blob %s", key)
}

func blobStatusError(key string, code int) error {
	switch {
	case code == http.StatusNotFound:
		return tilefunc.Errorf(tilefunc.ENOTFOUND, "blob %s not found", key)
	case code == http.StatusUnauthorized, code == http.StatusForbidden:
		return tilefunc.Errorf(tilefunc.EFORBIDDEN, "the blob store refused to read blob %s (HTTP %d): check the storage credential and its role", key, code)
	case code == http.StatusPreconditionFailed:
		return tilefunc.Errorf(tilefunc.EUNAVAILABLE, "blob %s was replaced while it was read; try again", key)
	case code == http.StatusTooManyRequests, code >= 500:
		return tilefunc.Errorf(tilefunc.EUNAVAILABLE, "the blob store is busy or failing (HTTP %d) for blob %s", code, key)
	}
	return tilefunc.Errorf(tilefunc.EBADREQUEST, "the blob store answered HTTP %d for blob %s", code, key)
}
