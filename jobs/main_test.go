package jobs

import (
	"testing"

	"attrib/testkit"
)

// TestMain removes testkit's cache of demo data sets and built folders
// when the tests end.
func TestMain(m *testing.M) { testkit.Main(m) }
