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

// TestDataDrivenViewMatchesMigration: the published view attribution_credits_data_driven (migration
// 0046) and this run's all_credits show the wide data-driven part the same way: the view's text in the
// migration is data_driven_long (attribution_credits_view.sql.tmpl) for the published table, and both
// name a credit column for each of dataDrivenModels, in that order.
func TestDataDrivenViewMatchesMigration(t *testing.T) {
	ms, err := warehouse.Migrations()
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := tmpls.ExecuteTemplate(&b, "data_driven_long", "attribution_credits_data_driven_wide"); err != nil {
		t.Fatal(err)
	}
	want := strings.Join(strings.Fields(b.String()), " ")
	for _, m := range dataDrivenModels {
		if !strings.Contains(want, "'"+m+"' AS model") || !strings.Contains(want, m+" AS credit") {
			t.Errorf("data_driven_long does not show model %s", m)
		}
	}
	for _, m := range ms {
		if m.Version != 46 {
			continue
		}
		const head = "CREATE VIEW attribution_credits_data_driven AS"
		_, view, ok := strings.Cut(m.SQL, head)
		if !ok {
			t.Fatalf("migration 0046_%s has no %q", m.Name, head)
		}
		view, _, _ = strings.Cut(view, ";")
		if got := strings.Join(strings.Fields(view), " "); got != want {
			t.Fatalf("migration 0046's view:\n%s\ndata_driven_long for the published table:\n%s", got, want)
		}
		return
	}
	t.Fatal("no migration 0046")
}
