//go:build !race

package channel

import "testing"

// TestClassifyAllocations is built without -race only: under the race
// detector sync.Pool (used by regexp) drops items, so allocation counts mean
// nothing there. `go test ./transform/channel/` runs it.
func TestClassifyAllocations(t *testing.T) {
	// Not parallel: AllocsPerRun counts the allocations of the whole process.
	c := defaultClassifier()
	touch := Touch{Source: "google", Medium: "cpc", Campaign: "spring", Interaction: "click"}
	if n := testing.AllocsPerRun(100, func() { c.Classify(touch) }); n > 0 {
		t.Errorf("Classify of lower-case values allocates %v times, want 0", n)
	}
}
