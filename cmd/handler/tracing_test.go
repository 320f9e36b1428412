package main_test

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	collectortrace "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"

	"tilefunc/internal/testenv"
)

// otlpReceiver is an OTLP/HTTP collector: it keeps the spans sent to
// /v1/traces, decoded from protobuf as a real collector decodes them.
type otlpReceiver struct {
	*httptest.Server
	mu      sync.Mutex
	spans   []*tracepb.Span
	service string
}

func newOTLPReceiver(t *testing.T) *otlpReceiver {
	rc := &otlpReceiver{}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var req collectortrace.ExportTraceServiceRequest
		if r.URL.Path != "/v1/traces" || r.Header.Get("Content-Type") != "application/x-protobuf" || proto.Unmarshal(b, &req) != nil {
			t.Errorf("the exporter sent %s %s (%s), not OTLP/HTTP protobuf", r.Method, r.URL.Path, r.Header.Get("Content-Type"))
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		rc.mu.Lock()
		for _, rs := range req.ResourceSpans {
			for _, a := range rs.GetResource().GetAttributes() {
				if a.Key == "service.name" {
					rc.service = a.GetValue().GetStringValue()
				}
			}
			for _, ss := range rs.ScopeSpans {
				rc.spans = append(rc.spans, ss.Spans...)
			}
		}
		rc.mu.Unlock()
		out, _ := proto.Marshal(&collectortrace.ExportTraceServiceResponse{})
		w.Header().Set("Content-Type", "application/x-protobuf")
		w.Write(out)
	}))
	t.Cleanup(rc.Close)
	return rc
}

func (rc *otlpReceiver) received() []*tracepb.Span {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]*tracepb.Span(nil), rc.spans...)
}

// With TITILER_PGSTAC_API_TELEMETRY_ENABLED the request the Functions host
// forwards with its traceparent becomes a server span in the host's trace,
// named after the function, with pgSTAC query and render spans under it.
// The batch waits a minute: the span arrives because exit flushes it.
func TestTracesJoinTheHostsTraceAndFlushAtExit(t *testing.T) {
	cat := testenv.DemoCatalog(t, false)
	rc := newOTLPReceiver(t)
	base, logs, cmd := launch(t, "DATABASE_URL="+cat.DatabaseURL, "TILEFUNC_LOCAL_ASSET_DIRS="+testenv.COGDir(t),
		"TITILER_PGSTAC_API_TELEMETRY_ENABLED=true", "OTEL_EXPORTER_OTLP_ENDPOINT="+rc.URL, "OTEL_BSP_SCHEDULE_DELAY=60000")
	const traceID, parentID = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
	req, _ := http.NewRequest(http.MethodGet, base+"/collections/demo-rgb/tiles/WebMercatorQuad/8/128/92.png?assets=visual", nil)
	req.Header.Set("traceparent", "00-"+traceID+"-"+parentID+"-01")
	req.Header.Set("X-Azure-Functions-InvocationId", "0f8fad5b-d9cb-469f-a165-70867728950e")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("tile answered %d", resp.StatusCode)
	}
	if n := len(rc.received()); n != 0 {
		t.Fatalf("%d spans sent before the batch delay or exit", n)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		t.Fatalf("the handler did not exit on SIGTERM:\n%s", logs)
	}

	var server *tracepb.Span
	byParent := map[string][]*tracepb.Span{}
	for _, s := range rc.received() {
		if hex.EncodeToString(s.TraceId) != traceID {
			continue
		}
		byParent[hex.EncodeToString(s.ParentSpanId)] = append(byParent[hex.EncodeToString(s.ParentSpanId)], s)
		if s.Kind == tracepb.Span_SPAN_KIND_SERVER {
			server = s
		}
	}
	if server == nil {
		t.Fatalf("no server span in trace %s among %d spans received:\n%s", traceID, len(rc.received()), logs)
	}
	if server.Name != "collection_tile" || hex.EncodeToString(server.ParentSpanId) != parentID {
		t.Errorf("server span %q with parent %x, want collection_tile under the host's %s", server.Name, server.ParentSpanId, parentID)
	}
	attrs := map[string]string{}
	for _, a := range server.Attributes {
		attrs[a.Key] = a.Value.String()
	}
	for k, want := range map[string]string{
		"http.route":                `string_value:"/collections/{collection_id}/tiles/{tileMatrixSetId}/{z}/{x}/{y}"`,
		"http.request.method":       `string_value:"GET"`,
		"http.response.status_code": `int_value:200`,
		"faas.invocation_id":        `string_value:"0f8fad5b-d9cb-469f-a165-70867728950e"`,
	} {
		if attrs[k] != want {
			t.Errorf("server span %s = %s, want %s", k, attrs[k], want)
		}
	}
	children := map[string]bool{}
	for _, c := range byParent[hex.EncodeToString(server.SpanId)] {
		children[c.Name] = true
	}
	if !children["render"] {
		t.Errorf("no render span under the request's; children %v", children)
	}
	if !hasQuery(byParent, hex.EncodeToString(server.SpanId)) {
		t.Errorf("no pgSTAC query span under the request's; children %v", children)
	}
	if rc.service != "tilefunc" {
		t.Errorf("service.name %q, want tilefunc", rc.service)
	}
}

// hasQuery says whether a database client span is under span id.
func hasQuery(byParent map[string][]*tracepb.Span, id string) bool {
	for _, c := range byParent[id] {
		if c.Kind == tracepb.Span_SPAN_KIND_CLIENT {
			for _, a := range c.Attributes {
				if a.Key == "db.system.name" && a.Value.GetStringValue() == "postgresql" {
					return true
				}
			}
		}
		if hasQuery(byParent, hex.EncodeToString(c.SpanId)) {
			return true
		}
	}
	return false
}

// A collector that does not answer costs a warning, as a JSON line, and
// neither the request nor a prompt exit.
func TestAnUnreachableCollectorIsAWarningLine(t *testing.T) {
	cat := testenv.DemoCatalog(t, false)
	dead := httptest.NewServer(http.NotFoundHandler())
	dead.Close() // its port now refuses connections
	base, logs, cmd := launch(t, "DATABASE_URL="+cat.DatabaseURL, "TITILER_PGSTAC_API_TELEMETRY_ENABLED=true",
		"OTEL_EXPORTER_OTLP_ENDPOINT="+dead.URL)
	if st, _ := get(t, base+"/colorMaps"); st != 200 {
		t.Fatalf("colorMaps answered %d with the collector down", st)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("exit: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("no exit within 10 s of SIGTERM with the collector down:\n%s", logs)
	}
	var warned bool
	for _, l := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(l), &m) != nil {
			t.Errorf("a log line is not JSON: %s", l)
		}
		warned = warned || m["msg"] == "telemetry" && m["level"] == "WARN" && strings.Contains(fmt.Sprint(m["error"]), "traces export")
	}
	if !warned {
		t.Errorf("no telemetry warning line for the failed export:\n%s", logs)
	}
}
