package config_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"tilefunc/config"
)

// POSTGRES_SSLROOTCERT names a PEM bundle that must exist and hold a
// certificate; the pool gets its absolute path. Anything else stops
// start-up with one line naming the setting.
func TestSSLRootCert(t *testing.T) {
	dir := t.TempDir()
	// A real CA certificate, as the package carries them.
	ca, err := os.ReadFile("/usr/share/ca-certificates/mozilla/DigiCert_Global_Root_G2.crt")
	if err != nil {
		t.Fatalf("Debian's ca-certificates: %v", err)
	}
	good := filepath.Join(dir, "roots.pem")
	notPEM := filepath.Join(dir, "roots.txt")
	for path, b := range map[string][]byte{good: ca, notPEM: []byte("not a certificate\n")} {
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	mi := map[string]string{"USE_POSTGRES_MI": "true", "POSTGRES_HOST": "h", "POSTGRES_DB": "d", "POSTGRES_USER": "u", "POSTGRES_SSLMODE": "verify-full"}
	load := func(bundle string) (*config.Config, error) {
		e := map[string]string{"POSTGRES_SSLROOTCERT": bundle}
		for k, v := range mi {
			e[k] = v
		}
		return config.Load(env(e))
	}

	c, err := load("")
	if err != nil || c.Database.SSLRootCert != "" {
		t.Fatalf("unset: %q %v, want none (the system's CAs)", c.Database.SSLRootCert, err)
	}
	t.Chdir(dir)
	c, err = load("roots.pem")
	if err != nil {
		t.Fatal(err)
	}
	if c.Database.SSLRootCert != good {
		t.Errorf("relative path: SSLRootCert %q, want %q (absolute, from the working directory)", c.Database.SSLRootCert, good)
	}
	for _, bad := range []string{filepath.Join(dir, "missing.pem"), notPEM, dir} {
		_, err := load(bad)
		if err == nil {
			t.Fatalf("%s: accepted", bad)
		}
		if msg := err.Error(); !strings.Contains(msg, "POSTGRES_SSLROOTCERT") || !strings.Contains(msg, bad) || strings.Contains(msg, "\n") {
			t.Errorf("%s: error %q should be one line naming the setting and the file", bad, msg)
		}
	}
}
