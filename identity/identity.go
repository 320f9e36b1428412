// Package identity chooses the Azure credential tilefunc runs as and keeps
// the PostgreSQL token: one token per cold start, reused until five minutes
// before it expires, refreshed by one request however many callers wait.
package identity

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"golang.org/x/sync/singleflight"
)

// PostgresScope is the Entra scope of Azure Database for PostgreSQL tokens.
const PostgresScope = "https://ossrdbms-aad.database.windows.net/.default"

// Kind names a credential, for logs and /healthz.
type Kind string

// The credentials tilefunc uses.
const (
	ManagedIdentity Kind = "managed_identity"
	AzureCLI        Kind = "azure_cli"
)

// NewCredential returns the Azure CLI credential in local mode, else the
// managed identity (the user-assigned one when clientID is set).
func NewCredential(localMode bool, clientID string) (azcore.TokenCredential, Kind, error) {
	if localMode {
		c, err := azidentity.NewAzureCLICredential(nil)
		return c, AzureCLI, err
	}
	var opts azidentity.ManagedIdentityCredentialOptions
	if clientID != "" {
		opts.ID = azidentity.ClientID(clientID)
	}
	c, err := azidentity.NewManagedIdentityCredential(&opts)
	return c, ManagedIdentity, err
}

// Token is an access token and when it expires.
type Token struct {
	Value     string
	ExpiresOn time.Time
}

// Cache holds the current token of one scope.
type Cache struct {
	cred  azcore.TokenCredential
	kind  Kind
	scope string

	// Now is the cache's clock; tests drive it.
	Now func() time.Time
	// Margin is how long before expiry a token is replaced.
	Margin time.Duration
	// RetryAfter spaces token requests after a failure.
	RetryAfter time.Duration

	mu      sync.Mutex
	tok     Token
	err     error
	errAt   time.Time
	group   singleflight.Group
	fetches atomic.Int64
}

// NewCache returns an empty cache for scope; the first Token call fetches.
func NewCache(cred azcore.TokenCredential, kind Kind, scope string) *Cache {
	return &Cache{cred: cred, kind: kind, scope: scope, Now: time.Now, Margin: 5 * time.Minute, RetryAfter: 5 * time.Second}
}

// fetchTimeout bounds one token request (the CLI credential has none of
// its own when the context has no deadline).
const fetchTimeout = 30 * time.Second

// Token returns a token valid for at least Margin, fetching one when the
// cached one is near expiry. Concurrent callers share one fetch.
func (c *Cache) Token(ctx context.Context) (Token, error) {
	c.mu.Lock()
	now := c.Now()
	if c.tok.Value != "" && now.Before(c.tok.ExpiresOn.Add(-c.Margin)) {
		t := c.tok
		c.mu.Unlock()
		return t, nil
	}
	if c.err != nil && now.Before(c.errAt.Add(c.RetryAfter)) {
		err := c.err
		c.mu.Unlock()
		return Token{}, err
	}
	c.mu.Unlock()
	ch := c.group.DoChan("token", c.fetch)
	select {
	case r := <-ch:
		if r.Err != nil {
			return Token{}, r.Err
		}
		return r.Val.(Token), nil
	case <-ctx.Done():
		return Token{}, ctx.Err()
	}
}

// fetch asks the credential for a token, detached from any one caller's
// context so that a caller giving up does not fail the others.
func (c *Cache) fetch() (any, error) {
	ctx, cancel := context.WithTimeout(context.Background(), fetchTimeout)
	defer cancel()
	c.fetches.Add(1)
	at, err := c.cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{c.scope}})
	c.mu.Lock()
	defer c.mu.Unlock()
	if err != nil {
		c.err, c.errAt = explain(c.kind, err), c.Now()
		return nil, c.err
	}
	c.tok, c.err = Token{Value: at.Token, ExpiresOn: at.ExpiresOn}, nil
	return c.tok, nil
}

// Status is what /healthz shows of the cache: never the token.
type Status struct {
	Kind      Kind
	ExpiresOn time.Time // zero before the first token
	Err       error     // the last failure, while it stands
	Fetches   int64     // token requests made
}

// Status reports the cache's state.
func (c *Cache) Status() Status {
	c.mu.Lock()
	defer c.mu.Unlock()
	return Status{Kind: c.kind, ExpiresOn: c.tok.ExpiresOn, Err: c.err, Fetches: c.fetches.Load()}
}

// TokenError is a failed token request with the seed guide's fix for it.
type TokenError struct {
	Kind  Kind
	Cause string // first line of the credential's error
	Hint  string
}

func (e *TokenError) Error() string {
	return fmt.Sprintf("could not get an Entra token for PostgreSQL (%s): %s; fix: %s", e.Kind, e.Cause, e.Hint)
}

// explain keeps the first line of err (azidentity's errors run to many
// lines) and adds the troubleshooting step for the likely cause.
func explain(kind Kind, err error) error {
	cause := summary(err.Error())
	if len(cause) > 300 {
		cause = cause[:300] + "..."
	}
	low := strings.ToLower(err.Error())
	var hint string
	switch {
	case kind == AzureCLI && (strings.Contains(low, "az login") || strings.Contains(low, "not found") || strings.Contains(low, "executable")):
		hint = "LOCAL_MODE=true uses the Azure CLI: install it and run 'az login', then check 'az account show'"
	case kind == AzureCLI:
		hint = "check 'az account get-access-token --resource https://ossrdbms-aad.database.windows.net' works for your account"
	case strings.Contains(low, "identity not found") || strings.Contains(low, "unable to load the proper managed identity") || strings.Contains(low, "400"):
		hint = "AZURE_CLIENT_ID does not match an identity assigned to this app: compare it with 'az identity show --query clientId' and the app's 'az functionapp identity show'"
	case errors.Is(err, context.DeadlineExceeded) || strings.Contains(low, "connection refused") || strings.Contains(low, "no managed identity endpoint") || strings.Contains(low, "unavailable"):
		hint = "no managed identity answers here: assign the user-assigned identity to the Function App ('az functionapp identity assign --identities <id>'), wait 2-3 minutes, or set LOCAL_MODE=true to use the Azure CLI"
	default:
		hint = "check the identity is assigned to the app and AZURE_CLIENT_ID is its client id ('az functionapp identity show')"
	}
	return &TokenError{Kind: kind, Cause: cause, Hint: hint}
}

// summary is the first line of an azidentity error, with the endpoint's
// answer when it gave one ("RESPONSE 400 ...", then its body up to the
// next rule): the first line alone says only that authentication failed.
func summary(msg string) string {
	lines := strings.Split(msg, "\n")
	first, _, _ := strings.Cut(lines[0], " To troubleshoot, visit")
	first = strings.TrimSpace(requestURL.ReplaceAllString(first, ""))
	for i, l := range lines {
		if !strings.HasPrefix(l, "RESPONSE ") {
			continue
		}
		var body []string
		for _, b := range lines[i+1:] {
			b = strings.TrimSpace(b)
			if b != "" && strings.Trim(b, "-") == "" && len(body) > 0 {
				break
			}
			if b != "" && strings.Trim(b, "-") != "" {
				body = append(body, b)
			}
		}
		return strings.TrimSpace(first + " " + strings.TrimSpace(l) + ": " + strings.Join(body, " "))
	}
	return first
}

// requestURL is the request azidentity quotes in a transport error: long,
// and the dial error after it names the endpoint already.
var requestURL = regexp.MustCompile(`Get "[^"]*": `)
