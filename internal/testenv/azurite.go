package testenv

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
)

// wellKnownKey is Azurite's published development account key.
const wellKnownKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="

// OAuthAzurite is an Azurite blob service on HTTPS that accepts bearer
// tokens (--oauth basic): azcore sends tokens over HTTPS only.
type OAuthAzurite struct {
	Endpoint string // https://127.0.0.1:PORT/devstoreaccount1/
	CertFile string // its self-signed certificate, for SSL_CERT_FILE
	client   *azblob.Client
}

// StartOAuthAzurite runs a private Azurite with OAuth on a free port.
func StartOAuthAzurite(t testing.TB) *OAuthAzurite {
	t.Helper()
	dir := t.TempDir()
	cert, key := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if out, err := exec.Command("openssl", "req", "-new", "-x509", "-days", "1", "-nodes", "-subj", "/CN=127.0.0.1",
		"-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", cert).CombinedOutput(); err != nil {
		t.Fatalf("certificate for Azurite: %v %s", err, out)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
	l.Close()
	cmd := exec.Command(filepath.Join(RepoRoot(t), "node_modules/.bin/azurite-blob"), "--blobHost", "127.0.0.1", "--blobPort", port,
		"--location", filepath.Join(dir, "data"), "--silent", "--skipApiVersionCheck", "--loose",
		"--oauth", "basic", "--cert", cert, "--key", key)
	if err := cmd.Start(); err != nil {
		t.Fatalf("start Azurite: %v", err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	a := &OAuthAzurite{Endpoint: "https://127.0.0.1:" + port + "/devstoreaccount1/", CertFile: cert}
	pem, _ := os.ReadFile(cert)
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	httpc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	conn := fmt.Sprintf("DefaultEndpointsProtocol=https;AccountName=devstoreaccount1;AccountKey=%s;BlobEndpoint=%s;", wellKnownKey, a.Endpoint)
	a.client, err = azblob.NewClientFromConnectionString(conn, &azblob.ClientOptions{ClientOptions: policy.ClientOptions{Transport: httpc}})
	if err != nil {
		t.Fatal(err)
	}
	for start := time.Now(); ; time.Sleep(100 * time.Millisecond) {
		if c, err := net.Dial("tcp", "127.0.0.1:"+port); err == nil {
			c.Close()
			return a
		}
		if time.Since(start) > 20*time.Second {
			t.Fatal("Azurite with OAuth did not listen")
		}
	}
}

// Upload puts files into container with the account key and returns
// their URLs by base name.
func (a *OAuthAzurite) Upload(t testing.TB, container string, paths map[string]string) map[string]string {
	t.Helper()
	ctx := context.Background()
	if _, err := a.client.CreateContainer(ctx, container, nil); err != nil {
		t.Fatalf("create container: %v", err)
	}
	urls := map[string]string{}
	for name, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		_, err = a.client.UploadFile(ctx, container, filepath.Base(p), f, nil)
		f.Close()
		if err != nil {
			t.Fatalf("upload %s: %v", p, err)
		}
		urls[name] = a.Endpoint + container + "/" + filepath.Base(p)
	}
	return urls
}
