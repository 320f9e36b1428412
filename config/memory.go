package config

import (
	"bufio"
	"math"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
)

// memoryLimit is the memory the process may use: the least of its cgroup's
// limit (v2 memory.max, v1 memory.limit_in_bytes), GOMEMLIMIT and the
// machine's memory; 0 when none can be read.
func memoryLimit() int64 {
	limit := int64(math.MaxInt64)
	for _, f := range []string{"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"} {
		if n, ok := readBytes(f); ok {
			limit = min(limit, n)
		}
	}
	if n := debug.SetMemoryLimit(-1); n > 0 {
		limit = min(limit, n)
	}
	if n, ok := memTotal(); ok {
		limit = min(limit, n)
	}
	if limit == math.MaxInt64 {
		return 0
	}
	return limit
}

// readBytes reads a cgroup limit file: a number of bytes, or "max".
func readBytes(path string) (int64, bool) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, false
	}
	n, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
	return n, err == nil && n > 0
}

// memTotal is /proc/meminfo's MemTotal in bytes.
func memTotal() (int64, bool) {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "MemTotal:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10, err == nil && kb > 0
		}
	}
	return 0, false
}
