// Package malloc puts jemalloc under every C allocation of the process:
// GDAL's, PROJ's, libtiff's and libjpeg's. A tile server's GDAL allocates
// and frees blocks, warp buffers and datasets from whichever thread a cgo
// call runs on; glibc's per-thread arenas keep what those threads freed,
// so the resident size grew to five times what GDAL held (measured: 59 MB
// of heap at the peak, 317 MB resident, most of it in eight 64 MB arenas).
// jemalloc, linked statically into the executable, defines malloc and free
// there, ahead of glibc's for every library the process loads.
//
// Importing the package is what links it: a test binary that measures
// what the handler costs imports it as the handler does.
package malloc

/*
#cgo LDFLAGS: -l:libjemalloc_pic.a -lm -lpthread -ldl
#include <stddef.h>

// jemalloc reads its options from this symbol at its first allocation.
// Unused pages go back to the kernel within a second of being freed
// (jemalloc's default keeps them ten seconds), so a burst of low-zoom
// mosaics does not leave its peak resident.
const char *malloc_conf = "dirty_decay_ms:1000,muzzy_decay_ms:0";

int mallctl(const char *name, void *oldp, size_t *oldlenp, void *newp, size_t newlen);

// jemalloc_allocated is the bytes the program holds, or 0 without jemalloc.
static size_t jemalloc_allocated(void) {
	unsigned long long epoch = 1;
	size_t n = sizeof epoch, v = 0;
	mallctl("epoch", NULL, NULL, &epoch, n); // stats are refreshed on a new epoch
	n = sizeof v;
	if (mallctl("stats.allocated", &v, &n, NULL, 0) != 0) return 0;
	return v;
}

static const char *jemalloc_version(void) {
	const char *v = NULL;
	size_t n = sizeof v;
	if (mallctl("version", &v, &n, NULL, 0) != 0) return NULL;
	return v;
}
*/
import "C"

// Allocator names the C allocator in use, "jemalloc <version>", for the
// start-up log.
func Allocator() string {
	v := C.jemalloc_version()
	if v == nil {
		return "glibc"
	}
	return "jemalloc " + C.GoString(v)
}

// Allocated is the bytes of C memory the process holds, as jemalloc
// counts them (0 when jemalloc does not allocate).
func Allocated() uint64 { return uint64(C.jemalloc_allocated()) }
