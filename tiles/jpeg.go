package tiles

/*
#cgo LDFLAGS: -ljpeg
#include <stdio.h>
#include <stdlib.h>
#include <setjmp.h>
#include <jpeglib.h>

struct jpegErrors {
	struct jpeg_error_mgr mgr;
	jmp_buf back;
};

static void jpegFailed(j_common_ptr c) {
	longjmp(((struct jpegErrors *)c->err)->back, 1);
}

// compressJPEG writes w×h pixels of n components (1: grey, 3: RGB), rows
// one after another, as a JPEG of the given quality into a buffer libjpeg
// allocates (*out, *outLen; the caller frees it). Returns 0 on success.
static int compressJPEG(const unsigned char *pix, int w, int h, int n, int quality,
                        unsigned char **out, unsigned long *outLen) {
	struct jpeg_compress_struct c;
	struct jpegErrors e;
	*out = NULL;
	*outLen = 0;
	c.err = jpeg_std_error(&e.mgr);
	e.mgr.error_exit = jpegFailed;
	if (setjmp(e.back)) {
		jpeg_destroy_compress(&c);
		free(*out);
		*out = NULL;
		return 1;
	}
	jpeg_create_compress(&c);
	jpeg_mem_dest(&c, out, outLen);
	c.image_width = w;
	c.image_height = h;
	c.input_components = n;
	c.in_color_space = n == 1 ? JCS_GRAYSCALE : JCS_RGB;
	jpeg_set_defaults(&c);
	jpeg_set_quality(&c, quality, TRUE);
	jpeg_start_compress(&c, TRUE);
	while (c.next_scanline < c.image_height) {
		JSAMPROW row = (JSAMPROW)(pix + (size_t)c.next_scanline * w * n);
		jpeg_write_scanlines(&c, &row, 1);
	}
	jpeg_finish_compress(&c);
	jpeg_destroy_compress(&c);
	return 0;
}
*/
import "C"

import (
	"errors"
	"unsafe"

	"tilefunc/tiles/raster"
)

// encodeJPEG writes one band as grey, three as RGB, at quality 85 (as
// rio-tiler's JPEG profile), with libjpeg-turbo: the library GDAL's JPEG
// driver, and so titiler, encodes with, three to four times faster than
// image/jpeg for a 256 px tile.
func encodeJPEG(img *raster.Image) ([]byte, error) {
	n := 3
	if img.Count() == 1 {
		n = 1
	}
	pix := raster.Scratch[byte](img.Pixels() * n)
	defer raster.Release(pix)
	for b := range n {
		for p, v := range img.Bands[b] {
			pix[p*n+b] = uint8(v)
		}
	}
	var out *C.uchar
	var size C.ulong
	if C.compressJPEG((*C.uchar)(unsafe.Pointer(&pix[0])), C.int(img.Width), C.int(img.Height), C.int(n), 85, &out, &size) != 0 {
		return nil, errors.New("tiles: libjpeg could not encode the image")
	}
	defer C.free(unsafe.Pointer(out))
	return C.GoBytes(unsafe.Pointer(out), C.int(size)), nil
}
