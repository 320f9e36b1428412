package algorithm

import "testing"

// Numbers are written as titiler writes them: pydantic-core in JSON,
// Python's str() in messages (both checked with the peer's Python).
func TestFloatsAreWrittenAsTitilerWritesThem(t *testing.T) {
	jsonCases := map[float64]string{
		1e-6: "1e-6", 1e6: "1000000.0", 0.1: "0.1", 45: "45.0", 1.5e20: "1.5e+20", 1e16: "1e+16",
		1e15: "1000000000000000.0", -10000: "-10000.0", 0.00001: "0.00001", 1.2345e-7: "1.2345e-7",
		123456789012345678: "1.2345678901234568e+17", 2.5e-5: "0.000025", 0: "0.0",
	}
	for x, want := range jsonCases {
		if got := jsonFloat(x); got != want {
			t.Errorf("jsonFloat(%v) = %s, want %s", x, got, want)
		}
	}
	reprCases := map[float64]string{16777217: "16777217.0", 1e16: "1e+16", 1.5e-05: "1.5e-05", 0.0001: "0.0001", 1.2345678901234566e17: "1.2345678901234566e+17"}
	for x, want := range reprCases {
		if got := pyRepr(x); got != want {
			t.Errorf("pyRepr(%v) = %s, want %s", x, got, want)
		}
	}
}
