// Package tilefunc holds the domain types shared by every layer of the tile
// server: the error codes that decide HTTP statuses, and the catalog shapes
// (searches, items, assets) that flow from pgSTAC to the renderer.
package tilefunc

import (
	"errors"
	"fmt"
	"regexp"
)

// Error codes. The handler package maps each to one HTTP status; no other
// package decides a status.
const (
	ENOTFOUND     = "not_found"    // unknown search, item, collection or tile: 404
	EINVALID      = "invalid"      // a parameter fails validation: 422
	EBADREQUEST   = "bad_request"  // a valid parameter that the data cannot satisfy: 400
	ENOCONTENT    = "no_content"   // nothing covers the request: 204, empty body
	EFORBIDDEN    = "forbidden"    // the catalog or role refuses a write: 403
	EUNAVAILABLE  = "unavailable"  // a dependency is not ready (token, database): 503
	ETOOLARGE     = "too_large"    // a request body above its bound: 413
	ETOOMANY      = "too_many"     // a client above its rate: 429
	EUNAUTHORIZED = "unauthorized" // a key is needed and was not given: 401
	EINTERNAL     = "internal"     // anything else: 500 with a generic message
)

// Error is a failure whose message is safe to show to a client.
type Error struct {
	Code    string
	Message string
}

func (e *Error) Error() string { return e.Message }

// Errorf returns an *Error with the given code and formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, or EINTERNAL.
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the client-safe message of err, or a generic one.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "internal server error"
}

// sasSignature is the signature of a shared access signature in a URL's
// query, plain or in JSON (where & is \u0026): sig=..., up to the next
// parameter, quote, space or backslash.
var sasSignature = regexp.MustCompile(`(?i)([?&]|\\u0026)sig=[^&"'\s\\<>:]+`)

// Redact hides the signatures of shared access signatures in s: an asset
// href with a SAS token is a key to its storage, so none reaches a log
// line, an error or an answer.
func Redact(s string) string {
	return sasSignature.ReplaceAllString(s, "${1}sig=REDACTED")
}

// NoSideFile is what a reader of remote rasters answers for a side file
// GDAL looks for beside one (x.IMD, x.RPB, x.aux.xml): there is none. GDAL
// asks for such names whenever it reads a raster's metadata, so their
// absence is not a failure of the read.
const NoSideFile = "no side file beside the raster: tilefunc reads the file an href names"
