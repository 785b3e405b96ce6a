package server

import (
	"os"
	"testing"
)

// TestMain lets the test binary serve as the statement worker the tests'
// servers start (worker.go).
func TestMain(m *testing.M) {
	MaybeRunWorker()
	os.Exit(m.Run())
}
