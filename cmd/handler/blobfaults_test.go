package main_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"tilefunc/internal/faultproxy"
	"tilefunc/internal/testenv"
)

// Blob store faults under steady tile load, through an HTTP proxy in
// front of Azurite: answers slower than the request deadline, connections
// reset, 503 ServerBusy, 429, 404 BlobNotFound. Each: no 500, no answer
// past the deadline, 200 again soon after, goroutines and backends at rest.
// The SDK's retries may hide a fault (success is a right answer); that the
// fault met requests is checked on the proxy.
// (storage's own read timeout is 30 s and not settable, so "slower than
// the timeout" here is slower than the 3 s request deadline.)
func TestBlobStoreFaultsUnderLoad(t *testing.T) {
	endpoint := blobEndpoint(t)
	px := faultproxy.NewHTTP(t, strings.TrimSuffix(endpoint, "/devstoreaccount1"))
	blobCat := testenv.DemoCatalog(t, true) // uploads the COGs to Azurite
	hrefs := map[string]string{}
	for name, h := range blobCat.Hrefs {
		hrefs[name] = px.URL + strings.TrimPrefix(h, strings.TrimSuffix(endpoint, "/devstoreaccount1"))
	}
	cat := testenv.LoadCatalog(t, hrefs) // the same items, read through the proxy
	conn := strings.Replace(testenv.Azurite(t), "BlobEndpoint="+endpoint, "BlobEndpoint="+px.URL+"/devstoreaccount1", 1)
	base, _ := start(t, faultEnv("DATABASE_URL="+cat.DatabaseURL, "AZURE_STORAGE_CONNECTION_STRING="+conn)...)
	id := registerID(t, base, `{"collections":["demo-rgb"]}`)
	var paths []string
	for _, x := range []string{"127", "128"} {
		for _, y := range []string{"91", "92"} {
			paths = append(paths, "/searches/"+id+"/tiles/WebMercatorQuad/8/"+x+"/"+y+".png?assets=visual")
		}
	}
	warm(t, base, paths)
	before := measure(t, base, cat.DatabaseURL)

	faults := []struct {
		name    string
		fault   faultproxy.Fault
		allowed []int // answers besides 200 and 503 that are right for this fault
	}{
		{"answers slower than the deadline", faultproxy.Fault{Delay: 2 * faultDeadline}, nil},
		{"connections reset", faultproxy.Fault{Reset: true}, nil},
		{"503 server busy", faultproxy.Fault{Status: http.StatusServiceUnavailable, Code: "ServerBusy"}, nil},
		{"429 too many requests", faultproxy.Fault{Status: http.StatusTooManyRequests, Code: "TooManyRequests"}, nil},
		{"404 blob not found", faultproxy.Fault{Status: http.StatusNotFound, Code: "BlobNotFound"}, []int{http.StatusNotFound}},
	}
	for _, f := range faults {
		t.Run(f.name, func(t *testing.T) {
			tr := startTraffic(base, paths, 4)
			time.Sleep(time.Second)
			faulted := px.Faulted()
			from := time.Now()
			px.Set(f.fault)
			time.Sleep(3 * time.Second)
			px.Set(faultproxy.Fault{})
			cleared := time.Now()
			time.Sleep(5 * time.Second)
			o := summarize(tr.halt(), from, cleared)
			if px.Faulted() == faulted {
				t.Errorf("no request reached the store during the fault")
			}
			settle(t, base, cat.DatabaseURL, before)
			t.Log(o)
			problems := o.problems(faultDeadline+time.Second, f.allowed...)
			for _, p := range problems {
				t.Error(p)
			}
		})
	}
}

// blobEndpoint is the BlobEndpoint of the test Azurite's connection string.
func blobEndpoint(t *testing.T) string {
	for _, part := range strings.Split(testenv.Azurite(t), ";") {
		if v, ok := strings.CutPrefix(part, "BlobEndpoint="); ok {
			return v
		}
	}
	t.Fatal("AZURE_STORAGE_CONNECTION_STRING has no BlobEndpoint")
	return ""
}
