package identity_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"

	"tilefunc/identity"
)

// countingCred hands out numbered tokens valid for an hour of the test's
// clock, slowly, and counts requests.
type countingCred struct {
	now   func() time.Time
	calls atomic.Int64
	fail  atomic.Bool
}

func (c *countingCred) GetToken(ctx context.Context, o policy.TokenRequestOptions) (azcore.AccessToken, error) {
	n := c.calls.Add(1)
	time.Sleep(20 * time.Millisecond)
	if c.fail.Load() {
		return azcore.AccessToken{}, errors.New("ManagedIdentityCredential: no managed identity endpoint available\nmore lines")
	}
	if o.Scopes[0] != identity.PostgresScope {
		return azcore.AccessToken{}, errors.New("wrong scope")
	}
	return azcore.AccessToken{Token: "token-" + string(rune('0'+n)), ExpiresOn: c.now().Add(time.Hour)}, nil
}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time          { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

func TestThousandCallersShareOneTokenRequest(t *testing.T) {
	clk := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	cred := &countingCred{now: clk.now}
	c := identity.NewCache(cred, identity.ManagedIdentity, identity.PostgresScope)
	c.Now = clk.now
	var wg sync.WaitGroup
	tokens := make([]string, 1000)
	for i := range tokens {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			tok, err := c.Token(context.Background())
			if err != nil {
				t.Error(err)
			}
			tokens[i] = tok.Value
		}(i)
	}
	wg.Wait()
	if cred.calls.Load() != 1 {
		t.Fatalf("1000 concurrent callers made %d token requests, want 1", cred.calls.Load())
	}
	for _, tok := range tokens {
		if tok != tokens[0] {
			t.Fatalf("callers got different tokens: %q and %q", tok, tokens[0])
		}
	}
}

func TestTokenIsReusedUntilFiveMinutesBeforeExpiry(t *testing.T) {
	clk := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	cred := &countingCred{now: clk.now}
	c := identity.NewCache(cred, identity.ManagedIdentity, identity.PostgresScope)
	c.Now = clk.now
	first, _ := c.Token(context.Background())
	clk.advance(54*time.Minute + 59*time.Second)
	if tok, _ := c.Token(context.Background()); tok.Value != first.Value || cred.calls.Load() != 1 {
		t.Fatalf("at 54m59s the first token should still serve (calls %d)", cred.calls.Load())
	}
	clk.advance(time.Second)
	if tok, _ := c.Token(context.Background()); tok.Value == first.Value || cred.calls.Load() != 2 {
		t.Fatalf("at 55m (5 minutes before expiry) a new token is due (calls %d)", cred.calls.Load())
	}
}

func TestFailureGivesTheSeedsFixAndIsNotRetriedAtOnce(t *testing.T) {
	clk := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	cred := &countingCred{now: clk.now}
	cred.fail.Store(true)
	c := identity.NewCache(cred, identity.ManagedIdentity, identity.PostgresScope)
	c.Now = clk.now
	_, err := c.Token(context.Background())
	var te *identity.TokenError
	if !errors.As(err, &te) || !strings.Contains(err.Error(), "az functionapp identity assign") || strings.Contains(err.Error(), "more lines") {
		t.Fatalf("want a one-line error with the fix, got %v", err)
	}
	c.Token(context.Background())
	if cred.calls.Load() != 1 {
		t.Fatalf("a second call right after a failure made %d requests, want it to wait RetryAfter", cred.calls.Load())
	}
	cred.fail.Store(false)
	clk.advance(6 * time.Second)
	if _, err := c.Token(context.Background()); err != nil || c.Status().Err != nil {
		t.Fatalf("after RetryAfter the cache should recover: %v", err)
	}
}
