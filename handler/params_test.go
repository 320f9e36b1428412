package handler

import (
	"net/url"
	"reflect"
	"testing"

	"tilefunc/tiles"
)

// The Functions host in forwarding mode joins the values of a repeated key
// with commas; an assets value splits back into the assets a client sent.
func TestSplitAssetsRecoversJoinedValues(t *testing.T) {
	cases := []struct {
		value string
		want  []string
	}{
		{"visual", []string{"visual"}},
		{"red,nir", []string{"red", "nir"}},
		{"red|bidx=1,2", []string{"red|bidx=1,2"}},
		{"red|bidx=1,2,nir", []string{"red|bidx=1,2", "nir"}},
		{"red|bidx=1,2,nir|bidx=3", []string{"red|bidx=1,2", "nir|bidx=3"}},
		{"red|bidx=1, 2 ,nir", []string{"red|bidx=1, 2 ", "nir"}},
		{"red|bidx=1,2|expression=b1*2,nir", []string{"red|bidx=1,2|expression=b1*2", "nir"}},
		{"red|expression=where(b1>0,b1,0),nir|bidx=1", []string{"red|expression=where(b1>0,b1,0)", "nir|bidx=1"}},
		{"red|expression=b1/2,nir", []string{"red|expression=b1/2", "nir"}},
		{"a|bidx=1,b2", []string{"a|bidx=1", "b2"}},
		{"stack|bands=nir,red", []string{"stack|bands=nir,red"}},
		{"stack|bands=nir,red,visual|bidx=1", []string{"stack|bands=nir,red", "visual|bidx=1"}},
		// The one shape a join makes ambiguous: an all-digit asset name
		// after a bidx list reads as a band.
		{"a|bidx=1,2", []string{"a|bidx=1,2"}},
	}
	for _, c := range cases {
		if got := splitAssets(c.value); !reflect.DeepEqual(got, c.want) {
			t.Errorf("splitAssets(%q) = %q, want %q", c.value, got, c.want)
		}
	}
}

func TestLayerReadsRepeatedAndJoinedAssetsAlike(t *testing.T) {
	want := []tiles.AssetSpec{{Name: "red", Bidx: []int{1, 2}}, {Name: "nir"}, {Name: "swir", Bidx: []int{4}}}
	for _, raw := range []string{
		"assets=red|bidx=1,2&assets=nir&assets=swir|bidx=4",
		"assets=red%7Cbidx%3D1,2,nir,swir%7Cbidx%3D4", // as the forwarding host sends it
	} {
		v, _ := url.ParseQuery(raw)
		q := newQuery(v)
		var l layerParams
		l.parse(q)
		if q.err != nil || !reflect.DeepEqual(l.Assets, want) {
			t.Errorf("%s: assets %+v (err %v), want %+v", raw, l.Assets, q.err, want)
		}
	}
}

func TestRenderReadsRescaleRepeatedJoinedOrBracketed(t *testing.T) {
	want := [][2]float64{{0, 10}, {5, 50}}
	for _, raw := range []string{
		"rescale=0,10&rescale=5,50",
		"rescale=0,10,5,50",
		"rescale=[0,10]&rescale=[5, 50]",
		"rescale=%5B0%2C10%5D,%5B5%2C50%5D",
	} {
		v, _ := url.ParseQuery(raw)
		q := newQuery(v)
		var r renderingParams
		r.parse(q)
		if q.err != nil || !reflect.DeepEqual(r.rescale, want) {
			t.Errorf("%s: rescale %v (err %v), want %v", raw, r.rescale, q.err, want)
		}
	}
	for _, raw := range []string{"rescale=0,10,5", "rescale=a,b", "rescale="} {
		v, _ := url.ParseQuery(raw)
		q := newQuery(v)
		var r renderingParams
		r.parse(q)
		if q.err == nil {
			t.Errorf("%s: accepted", raw)
		}
	}
}

func TestQueryValuesKeepsSemicolons(t *testing.T) {
	got := queryValues("expression=b1;b2&expression=b3%3Bb4&assets=a+b&bad=%zz&&flag")
	want := url.Values{"expression": {"b1;b2", "b3;b4"}, "assets": {"a b"}, "flag": {""}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("queryValues = %v, want %v", got, want)
	}
}
