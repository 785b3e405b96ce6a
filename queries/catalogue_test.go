package queries_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"attrib/queries"
	"attrib/schema"
	"attrib/transform"
)

// TestCatalogueMatchesSchema runs the pipeline on the golden data with every kind of table built (markov
// among the models, a truth file) and checks that each catalogued table exists with exactly the
// catalogued columns in order, that every published table is catalogued, and that every example query runs.
func TestCatalogueMatchesSchema(t *testing.T) {
	t.Parallel()
	truth := filepath.Join(t.TempDir(), "truth.csv")
	if err := os.WriteFile(truth, []byte("conversion_type,channel,true_share\naccount_opened,Paid Search,0.6\naccount_opened,Email,0.4\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	yaml := strings.Replace(goldenYAML, "[last_touch, last_non_direct, linear]", "[last_touch, last_non_direct, linear, markov]", 1) +
		"evaluation: {truth_file: '" + truth + "'}\n"
	c := evalRun(t, yaml, goldenData()...)
	actual := map[string][]string{}
	for _, r := range query(t, c, `SELECT table_name, list(column_name ORDER BY ordinal_position)::VARCHAR[] FROM information_schema.columns
		WHERE table_schema = 'main' AND table_catalog = current_database() GROUP BY table_name`) {
		var cols []string
		for _, v := range r[1].([]any) {
			cols = append(cols, v.(string))
		}
		actual[r[0].(string)] = cols
	}
	names := map[string]bool{}
	for _, tb := range schema.Catalogue {
		if names[tb.Name] {
			t.Errorf("%s catalogued twice", tb.Name)
		}
		names[tb.Name] = true
		cols, ok := actual[tb.Name]
		if !ok {
			t.Errorf("catalogued table %s does not exist after a run", tb.Name)
			continue
		}
		var doc []string
		for _, col := range tb.Columns {
			doc = append(doc, col.Name)
			if col.Definition == "" {
				t.Errorf("%s.%s has no definition", tb.Name, col.Name)
			}
		}
		if !slices.Equal(doc, cols) {
			t.Errorf("%s: catalogue columns %v, table columns %v", tb.Name, doc, cols)
		}
		if tb.Grain == "" || tb.About == "" || tb.Example == "" {
			t.Errorf("%s: grain, about and example are required", tb.Name)
		}
		if rows, err := c.QueryContext(t.Context(), tb.Example); err != nil {
			t.Errorf("%s example: %v", tb.Name, err)
		} else {
			rows.Close()
		}
	}
	for _, p := range append(slices.Clone(transform.Published), queries.Published...) {
		if !names[p] {
			t.Errorf("published table %s is not in the catalogue", p)
		}
	}
	for _, p := range []string{"touchpoints", "conversions", "spend", "identity_links", "activity", "fx_rates", "experiments", "ingest_files", "rejected_rows", "pipeline_runs"} {
		if !names[p] {
			t.Errorf("table %s of DESIGN.md is not in the catalogue", p)
		}
	}
}
