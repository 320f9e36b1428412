package bench

import (
	"os"
	"testing"
	"time"
)

func TestServerTimingReadsEachMetricsDuration(t *testing.T) {
	got := ServerTiming(`catalog;dur=1.25, read;desc="GDAL";dur=8, encode;dur=2.5,total;dur=12.75, miss`)
	want := map[string]float64{"catalog": 1.25, "read": 8, "encode": 2.5, "total": 12.75}
	if len(got) != len(want) {
		t.Fatalf("ServerTiming = %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, want %v", k, got[k], v)
		}
	}
}

func TestQuantileIsTheNearestRank(t *testing.T) {
	var lat []time.Duration
	for i := 1; i <= 100; i++ {
		lat = append(lat, time.Duration(i)*time.Millisecond)
	}
	for q, want := range map[float64]time.Duration{0.5: 50 * time.Millisecond, 0.99: 99 * time.Millisecond, 1: 100 * time.Millisecond} {
		if got := quantile(lat, q); got != want {
			t.Errorf("quantile(%v) = %v, want %v", q, got, want)
		}
	}
}

// The /proc readers see this process: CPU it has spent and memory it holds.
func TestProcReadersSeeThisProcess(t *testing.T) {
	before, err := CPUTime(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	after := before
	for deadline := time.Now().Add(10 * time.Second); after-before < 50*time.Millisecond && time.Now().Before(deadline); {
		after, _ = CPUTime(os.Getpid())
	}
	if after-before < 50*time.Millisecond {
		t.Errorf("CPU time grew by %v over 10 s of spinning", after-before)
	}
	buf := make([]byte, 64<<20)
	for i := range buf {
		buf[i] = 1
	}
	if rss, err := PeakRSS(os.Getpid()); err != nil || rss < 64<<20 {
		t.Errorf("PeakRSS = %d, %v; want at least the 64 MiB just touched", rss, err)
	}
	_ = buf[len(buf)-1]
}
