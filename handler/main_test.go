package handler_test

import (
	"os"
	"testing"

	"tilefunc/internal/testenv"
)

// TestMain deletes the rasters the tests wrote once they have run.
func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }
