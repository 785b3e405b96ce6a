package transform

import (
	"strings"
	"testing"

	"attrib/warehouse"
)

// TestCreditsMigrationSplitsDataDrivenModels: migration 0045 splits an existing attribution_credits
// table by the data-driven models' names, which it spells out; they must be dataDrivenModels, or a
// warehouse upgraded in place would keep a data-driven model's credits in the rule-based part,
// where no run replaces them.
func TestCreditsMigrationSplitsDataDrivenModels(t *testing.T) {
	ms, err := warehouse.Migrations()
	if err != nil {
		t.Fatal(err)
	}
	var q []string
	for _, m := range dataDrivenModels {
		q = append(q, "'"+m+"'")
	}
	want := "model IN (" + strings.Join(q, ", ") + ")"
	for _, m := range ms {
		if m.Version == 45 {
			if n := strings.Count(m.SQL, want); n != 2 {
				t.Fatalf("migration 0045_%s: %q appears %d times, want 2 (the copy and the delete)", m.Name, want, n)
			}
			return
		}
	}
	t.Fatal("no migration 0045")
}
