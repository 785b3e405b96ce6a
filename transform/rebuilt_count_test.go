package transform_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"attrib/transform"
)

// TestRebuiltCountsPeopleWhoStillExist: an incremental run's Rebuilt counts the people it rebuilt
// who exist after it, whatever put them in attrib_state.transform_pending. The first run stitches
// four people: cookies ckA and ckB alone, customer C1 with cookie ck1 (X), customer C2 with cookie
// ck2 (Y). The next day's file links cookie ckB to C1, so B's person merges into X's (X keeps its id:
// a:ck1 is the smallest identifier), and brings a new cookie ckN (a new person N). Two ids were left
// pending as if by a run that died before publishing: Y's, who still exists, and one no identifier
// belongs to. Rebuilt: X, N and Y, 3; not B's old id, nor the id of no one. (Thirty more cookies,
// each alone, keep the new rows a share small enough for an incremental run.)
func TestRebuiltCountsPeopleWhoStillExist(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var filler strings.Builder
	for i := range 30 {
		fmt.Fprintf(&filler, "ckF%02d,,,2025-05-02T10:%02d:00Z,Display\n", i, i)
	}
	writeFiles(t, dir, map[string]string{
		"attrib.yaml": `warehouse:
  path: attrib.duckdb
pii:
  key: rebuilt-test-key
sources:
  - name: web
    dataset: touchpoints
    path: data/touchpoints*.csv
  - name: conversions
    dataset: conversions
    path: data/conversions.csv
attribution:
  models: [last_touch]
evaluation:
  acquisition_model: last_touch
`,
		"data/touchpoints.csv": "anonymous_id,customer_id,email,occurred_at,channel\n" +
			"ckA,,,2025-05-01T10:00:00Z,Display\n" +
			"ckB,,,2025-05-01T11:00:00Z,Display\n" +
			"ck1,C1,,2025-05-01T12:00:00Z,Paid Search\n" +
			"ck2,C2,,2025-05-01T13:00:00Z,Email\n" + filler.String(),
		"data/conversions.csv": "customer_id,email,occurred_at,conversion_type,revenue\n" +
			"C1,,2025-05-03T10:00:00Z,account_opened,100\n",
	})
	cfg, w := openConfig(t, dir)
	res := runPipeline(t, cfg, w)
	if res.Stitch.Persons != 34 {
		t.Fatalf("first run: %d persons, want 34", res.Stitch.Persons)
	}
	ctx := context.Background()
	db := w.DB()
	var x, y string
	for id, dst := range map[string]*string{"c:C1": &x, "c:C2": &y} {
		if err := db.QueryRowContext(ctx, `SELECT person_id FROM identity_map WHERE identifier = ?`, id).Scan(dst); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO attrib_state.transform_pending VALUES (?), ('p_0000000000000000')`, y); err != nil {
		t.Fatal(err)
	}
	day2 := "anonymous_id,customer_id,email,occurred_at,channel\n" +
		"ckB,C1,,2025-05-04T10:00:00Z,Email\n" +
		"ckN,,,2025-05-04T11:00:00Z,Display\n"
	if err := os.WriteFile(filepath.Join(dir, "data", "touchpoints-day2.csv"), []byte(day2), 0o644); err != nil {
		t.Fatal(err)
	}
	res = runPipeline(t, cfg, w)
	if res.Mode != transform.ModeIncremental {
		t.Fatalf("second run: mode %q (%s), want incremental", res.Mode, res.FullReason)
	}
	if res.Rebuilt != 3 {
		t.Errorf("second run rebuilt %d people, want 3 (X after the merge, the new cookie's person, Y left pending)", res.Rebuilt)
	}
	var persons int
	var xNow string
	if err := db.QueryRowContext(ctx, `SELECT count(DISTINCT person_id), any_value(person_id) FILTER (WHERE identifier = 'a:ckB') FROM identity_map`).Scan(&persons, &xNow); err != nil {
		t.Fatal(err)
	}
	if persons != 34 || xNow != x {
		t.Errorf("after the second run: %d persons, ckB in %s; want 34 (A, X, Y, N and the 30) and ckB in X's person %s", persons, xNow, x)
	}
}
