package server

import (
	"testing"

	"attrib/testkit"
)

// TestMain lets the test binary serve as the statement worker the tests'
// servers start (worker.go); testkit removes its cache when the tests end.
func TestMain(m *testing.M) {
	MaybeRunWorker()
	testkit.Main(m)
}
