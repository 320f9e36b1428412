package malloc_test

import (
	"strings"
	"testing"

	"github.com/airbusgeo/godal"

	"tilefunc/internal/malloc"
)

// GDAL is a shared library: its allocations go through jemalloc only if
// the executable's malloc is the one the dynamic linker binds it to.
func TestGDALAllocatesWithJemalloc(t *testing.T) {
	if a := malloc.Allocator(); !strings.HasPrefix(a, "jemalloc 5.") {
		t.Fatalf("Allocator() = %q, want jemalloc 5.x", a)
	}
	godal.RegisterAll()
	before := malloc.Allocated()
	ds, err := godal.Create(godal.Memory, "", 3, godal.Byte, 2000, 2000)
	if err != nil {
		t.Fatal(err)
	}
	grown := malloc.Allocated() - before
	ds.Close()
	if grown < 3*2000*2000 {
		t.Fatalf("a 12 MB GDAL MEM dataset grew jemalloc's allocated bytes by %d: GDAL allocates elsewhere", grown)
	}
	if after := malloc.Allocated(); after > before+1<<20 {
		t.Errorf("closing the dataset left %d bytes allocated", after-before)
	}
}
