package queries_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"attrib/queries"
	"attrib/warehouse"
)

// TestEvalPersonPasses: eval_person built in several passes over ranges of person ids (as large
// warehouses are) holds the same rows as in one pass, each person once.
func TestEvalPersonPasses(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := evalRun(t, goldenYAML, goldenData()...)
	read := func() []string {
		t.Helper()
		var out []string
		for _, r := range query(t, c, `SELECT e::VARCHAR FROM eval_person e ORDER BY person_id`) {
			out = append(out, fmt.Sprint(r[0]))
		}
		return out
	}
	one := read()
	if len(one) < 3 {
		t.Fatalf("eval_person has %d rows: the fixture needs people", len(one))
	}
	// Each of the four passes below must have people, the middle ones too.
	var ids []string
	for _, r := range query(t, c, `SELECT person_id FROM eval_person`) {
		ids = append(ids, fmt.Sprint(r[0]))
	}
	for k, p := range warehouse.PersonParts(4) {
		if !slices.ContainsFunc(ids, p.Holds) {
			t.Fatalf("pass %d of 4 (%+v) has no person in the fixture: %v", k+1, p, ids)
		}
	}
	for _, n := range []int{4, 1} {
		if err := queries.EvalPersonInPasses(ctx, c, n); err != nil {
			t.Fatal(err)
		}
		got := read()
		if fmt.Sprint(got) != fmt.Sprint(one) {
			t.Fatalf("%d passes:\n%v\none pass:\n%v", n, got, one)
		}
	}
	var dup int
	if err := c.QueryRowContext(ctx, `SELECT count(*) - count(DISTINCT person_id) FROM eval_person`).Scan(&dup); err != nil || dup != 0 {
		t.Fatalf("%d people twice (%v)", dup, err)
	}
}
