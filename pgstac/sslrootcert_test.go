package pgstac_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"tilefunc/pgstac"
)

// With sslmode=verify-full and sslrootcert, pgx trusts the bundle's CAs for
// the server's certificate and nothing else: a server whose certificate one
// of them signed gets past the TLS handshake, any other is refused before a
// token could be sent.
func TestSSLRootCertDecidesTheServerIsTrusted(t *testing.T) {
	dir := t.TempDir()
	serverCA, serverCAPEM := newCA(t, "server CA")
	_, otherPEM := newCA(t, "other CA")
	trusted := filepath.Join(dir, "trusted.pem")
	untrusted := filepath.Join(dir, "untrusted.pem")
	for path, b := range map[string][]byte{trusted: serverCAPEM, untrusted: otherPEM} {
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	port := tlsPostgresStub(t, serverCA)

	for _, tc := range []struct {
		bundle  string
		trusted bool
	}{{trusted, true}, {untrusted, false}} {
		conn := pgstac.KeywordConnString("localhost", port, "db", "role", "verify-full", tc.bundle)
		if !strings.Contains(conn, "sslrootcert='"+tc.bundle+"'") {
			t.Fatalf("connection string %q does not name the bundle", conn)
		}
		cfg, err := pgx.ParseConfig(conn)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		_, err = pgx.ConnectConfig(ctx, cfg)
		cancel()
		if err == nil {
			t.Fatal("the stub ends every session after the handshake, yet the connection succeeded")
		}
		untrustedErr := strings.Contains(err.Error(), "certificate signed by unknown authority")
		if untrustedErr == tc.trusted {
			t.Errorf("bundle %s: trusted %v, but the error is %v", filepath.Base(tc.bundle), tc.trusted, err)
		}
	}
	if got := pgstac.KeywordConnString("h", 5432, "d", "u", "require", ""); strings.Contains(got, "sslrootcert") {
		t.Errorf("no bundle, yet %q", got)
	}
}

// newCA is a self-signed CA certificate and its PEM.
func newCA(t *testing.T, name string) (tls.Certificate, []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: cert}, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

// tlsPostgresStub answers PostgreSQL's SSLRequest with 'S', completes the
// TLS handshake with a certificate for localhost signed by ca, then closes:
// enough to see whether the client trusted the certificate.
func tlsPostgresStub(t *testing.T, ca tls.Certificate) int {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "localhost"}, DNSNames: []string{"localhost"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, KeyUsage: x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.Leaf, &key.PublicKey, ca.PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	srv := &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				req := make([]byte, 8) // length and the SSLRequest code
				if _, err := io.ReadFull(c, req); err != nil {
					return
				}
				if _, err := c.Write([]byte("S")); err != nil {
					return
				}
				tc := tls.Server(c, srv)
				_ = tc.Handshake()
				tc.Close()
			}()
		}
	}()
	port, _ := strconv.Atoi(strings.TrimPrefix(l.Addr().String(), "127.0.0.1:"))
	return port
}
