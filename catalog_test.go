package tilefunc_test

import (
	"encoding/json"
	"testing"

	"tilefunc"
)

// An asset keeps the keys rendering does not read, so that the assets
// routes show items as the catalog holds them.
func TestAssetKeepsEveryKey(t *testing.T) {
	in := `{"href":"https://a.blob.core.windows.net/c/k.tif","type":"image/tiff","roles":["data"],"title":"Visual","raster:bands":[{"nodata":0,"data_type":"uint8"}],"file:header_size":16384}`
	var a tilefunc.Asset
	if err := json.Unmarshal([]byte(in), &a); err != nil {
		t.Fatal(err)
	}
	if a.Href != "https://a.blob.core.windows.net/c/k.tif" || a.Type != "image/tiff" || len(a.Roles) != 1 || len(a.Extra) != 3 {
		t.Fatalf("read %+v", a)
	}
	out, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	var got, want map[string]any
	json.Unmarshal(out, &got)
	json.Unmarshal([]byte(in), &want)
	if string(mustJSON(t, got)) != string(mustJSON(t, want)) {
		t.Fatalf("round trip:\n%s\nwant\n%s", out, in)
	}
	if err := json.Unmarshal([]byte(`{"href":3}`), &a); err == nil {
		t.Fatal("a numeric href was accepted")
	}
	b, _ := json.Marshal(tilefunc.Asset{Href: "x"})
	if string(b) != `{"href":"x"}` {
		t.Fatalf("a bare asset is %s", b)
	}
}

// mustJSON marshals v with sorted keys (encoding/json sorts map keys).
func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestRedactHidesSASSignatures(t *testing.T) {
	for in, want := range map[string]string{
		"https://a.blob.core.windows.net/c/x.tif?sv=2022&sig=abc%2B%3D&se=2030": "https://a.blob.core.windows.net/c/x.tif?sv=2022&sig=REDACTED&se=2030",
		`{"href":"x.tif?sp=r\u0026SIG=abc"}`:                                    `{"href":"x.tif?sp=r\u0026sig=REDACTED"}`,
		"open /vsicurl/https://h/x.tif?sig=abc: failed":                         "open /vsicurl/https://h/x.tif?sig=REDACTED: failed",
		"a design=plain word":                                                   "a design=plain word",
	} {
		if got := tilefunc.Redact(in); got != want {
			t.Errorf("Redact(%q) = %q, want %q", in, got, want)
		}
	}
}
