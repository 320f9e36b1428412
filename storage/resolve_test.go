package storage_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"

	"tilefunc"
	"tilefunc/internal/testenv"
	"tilefunc/storage"
)

func TestLocalPathsOnlyInsideAllowedFolders(t *testing.T) {
	dir := t.TempDir()
	outside := t.TempDir()
	os.WriteFile(filepath.Join(dir, "a.tif"), []byte("x"), 0o644)
	os.WriteFile(filepath.Join(outside, "secret.tif"), []byte("x"), 0o644)
	os.Symlink(filepath.Join(outside, "secret.tif"), filepath.Join(dir, "link.tif"))
	r := storage.NewResolver(nil, "", []string{dir}, nil)

	for _, href := range []string{filepath.Join(dir, "a.tif"), "file://" + filepath.Join(dir, "a.tif")} {
		if _, err := r.Path(href); err != nil {
			t.Errorf("%s: %v", href, err)
		}
	}
	for _, href := range []string{
		filepath.Join(outside, "secret.tif"),
		dir + "/../" + filepath.Base(outside) + "/secret.tif",
		filepath.Join(dir, "link.tif"), // a link out of the folder
		"a.tif",                        // relative
		"/etc/passwd",
		"http://169.254.169.254/metadata",
		"https://example.com/x.tif",
		"/vsicurl/https://example.com/x.tif",
	} {
		_, err := r.Path(href)
		if tilefunc.ErrorCode(err) != tilefunc.EFORBIDDEN {
			t.Errorf("%s: want a refusal, got %v", href, err)
		}
	}
}

func TestNoLocalPathsByDefault(t *testing.T) {
	r := storage.NewResolver(nil, "", nil, nil)
	if _, err := r.Path(t.TempDir() + "/a.tif"); tilefunc.ErrorCode(err) != tilefunc.EFORBIDDEN {
		t.Fatalf("want local files refused when no folder is allowed, got %v", err)
	}
}

func TestHTTPSOnlyForAllowedHosts(t *testing.T) {
	r := storage.NewResolver(nil, "", nil, []string{"data.example.org"})
	p, err := r.Path("https://data.example.org/cogs/a.tif")
	if err != nil || !strings.HasSuffix(p, "/data.example.org/cogs/a.tif") || strings.Contains(p, "/vsicurl/") {
		t.Fatalf("got %q, %v", p, err)
	}
	_, err = r.Path("https://evil.example.org/a.tif?sig=SECRETSAS")
	if tilefunc.ErrorCode(err) != tilefunc.EFORBIDDEN || strings.Contains(err.Error(), "SECRETSAS") {
		t.Fatalf("want a refusal that hides the query, got %v", err)
	}
}

func TestBlobHrefsMapToTheBlobHandler(t *testing.T) {
	b, err := storage.NewBlobFromConnectionString(testenv.Azurite(t), 16)
	if err != nil {
		t.Fatal(err)
	}
	client, err := azblob.NewClientFromConnectionString(testenv.Azurite(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	container := fmt.Sprintf("tf-resolve-%d", time.Now().UnixNano())
	if _, err := client.CreateContainer(ctx, container, nil); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"a/b.tif", "b.tif", "c d.tif"} {
		if _, err := client.UploadBuffer(ctx, container, name, []byte("x"), nil); err != nil {
			t.Fatal(err)
		}
	}
	r := storage.NewResolver(b, "myaccount", nil, nil)
	// A path names the reader and the blob's version (its ETag) before it.
	for href, want := range map[string]string{
		"az://" + container + "/a/b.tif":                                             "/" + container + "/a/b.tif",
		"https://myaccount.blob.core.windows.net/" + container + "/b.tif?sv=x&sig=y": "/" + container + "/b.tif",
		b.ServiceURL() + container + "/c%20d.tif":                                    "/" + container + "/c d.tif",
	} {
		got, err := r.Path(href)
		if err != nil || !strings.HasPrefix(got, "/vsitilefunc/") || !strings.HasSuffix(got, want) {
			t.Errorf("%s: got %q, %v; want /vsitilefunc/.../%s", href, got, err, want)
		}
	}
	if _, err := r.Path("az://" + container + "/missing.tif"); tilefunc.ErrorCode(err) != tilefunc.ENOTFOUND {
		t.Errorf("a missing blob: want not found, got %v", err)
	}
	if _, err := r.Path("https://otheraccount.blob.core.windows.net/cogs/b.tif"); tilefunc.ErrorCode(err) != tilefunc.EFORBIDDEN {
		t.Errorf("another account's blob: want a refusal, got %v", err)
	}
}

func TestBlobConnectionStringErrorHidesTheKey(t *testing.T) {
	_, err := storage.NewBlobFromConnectionString("AccountName=x;AccountKey=SECRETKEY;Nonsense", 16)
	if err == nil || strings.Contains(err.Error(), "SECRETKEY") {
		t.Fatalf("want an error without the key, got %v", err)
	}
}
