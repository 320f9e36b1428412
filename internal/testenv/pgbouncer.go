package testenv

import (
	"bytes"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// PgBouncer starts a real PgBouncer in transaction-pooling mode in front of
// the test cluster, as Azure's built-in one, and returns its port. Clients
// log in with their own password (a token too): PgBouncer looks the role's
// SCRAM secret up with auth_query and passes the login through.
func PgBouncer(t testing.TB) string {
	t.Helper()
	admin, err := url.Parse(need(t, "TILEFUNC_TEST_ADMIN_URL"))
	if err != nil {
		t.Fatal(err)
	}
	pass, _ := admin.User.Password()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
	l.Close()
	dir, err := os.MkdirTemp("", "tilefunc-pgbouncer-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	ini := fmt.Sprintf(`[databases]
* = host=%s port=%s
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = %s
unix_socket_dir =
pool_mode = transaction
auth_type = scram-sha-256
auth_file = %s/userlist.txt
auth_user = %s
max_client_conn = 200
default_pool_size = 4
logfile = %s/pgbouncer.log
pidfile = %s/pgbouncer.pid
client_tls_sslmode = allow
client_tls_cert_file = %s/tls.crt
client_tls_key_file = %s/tls.key
server_tls_sslmode = prefer
`, admin.Hostname(), admin.Port(), port, dir, admin.User.Username(), dir, dir, dir, dir)
	// TLS to clients, as Azure's PgBouncer: token mode connects with sslmode=require.
	if out, err := exec.Command("openssl", "req", "-new", "-x509", "-days", "1", "-nodes", "-subj", "/CN=127.0.0.1",
		"-keyout", filepath.Join(dir, "tls.key"), "-out", filepath.Join(dir, "tls.crt")).CombinedOutput(); err != nil {
		t.Fatalf("make a TLS certificate for pgbouncer: %v %s", err, out)
	}
	files := map[string]string{"pgbouncer.ini": ini, "userlist.txt": fmt.Sprintf("%q %q\n", admin.User.Username(), pass)}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	args := []string{"-d", filepath.Join(dir, "pgbouncer.ini")} // -d: daemon, stopped by its pid file
	cmd := exec.Command("pgbouncer", args...)
	if os.Geteuid() == 0 { // PgBouncer refuses to run as root
		pg, err := user.Lookup("postgres")
		if err != nil {
			t.Fatal(err)
		}
		uid, _ := strconv.Atoi(pg.Uid)
		for _, p := range []string{dir, filepath.Join(dir, "pgbouncer.ini"), filepath.Join(dir, "userlist.txt"), filepath.Join(dir, "tls.key"), filepath.Join(dir, "tls.crt")} {
			os.Chown(p, uid, -1)
		}
		cmd = exec.Command("runuser", append([]string{"-u", "postgres", "--", "pgbouncer"}, args...)...)
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("start pgbouncer: %v %s", err, out)
	}
	t.Cleanup(func() {
		if pid, err := os.ReadFile(filepath.Join(dir, "pgbouncer.pid")); err == nil {
			if n, err := strconv.Atoi(string(bytes.TrimSpace(pid))); err == nil {
				syscall.Kill(n, syscall.SIGTERM)
			}
		}
	})
	for start := time.Now(); time.Since(start) < 10*time.Second; time.Sleep(50 * time.Millisecond) {
		if c, err := net.Dial("tcp", "127.0.0.1:"+port); err == nil {
			c.Close()
			return port
		}
	}
	log, _ := os.ReadFile(filepath.Join(dir, "pgbouncer.log"))
	t.Fatalf("pgbouncer did not listen: %s %s", out, log)
	return ""
}
