package transform

import (
	"context"
	"database/sql"
	"maps"
	"strconv"
	"testing"
)

// readPersonTouches is attrib_state.person_touches as person -> "first day first channel last day".
func readPersonTouches(t *testing.T, c *sql.Conn) map[string]string {
	t.Helper()
	return queryMap(t, c, `SELECT person_id,
		strftime(first_touch_at AT TIME ZONE 'UTC', '%m-%d') || ' ' || first_touch_channel || ' ' || strftime(last_touch_at AT TIME ZONE 'UTC', '%m-%d')
		FROM attrib_state.person_touches`)
}

// TestPersonTouches: each person's first touch (earliest, ties by touch id) with its channel, and
// last touch, worked by hand; the same in one pass and in four. An incremental run rebuilds only
// the people in inc_aff (a person merged away loses their row, a new one gets theirs, a person not
// in inc_aff keeps theirs even when their touches changed), and fills everyone when the table is
// missing (a warehouse made before it existed).
func TestPersonTouches(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := memConn(t)
	exec := func(qs ...string) {
		t.Helper()
		for _, q := range qs {
			if _, err := c.ExecContext(ctx, q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
	}
	moveTouches := testTouches(t, c)
	exec(`CREATE SCHEMA attrib_state`,
		`CREATE TABLE identity_map AS SELECT range AS identifier FROM range(10)`,
		// p1: Email on Jan 1, Search and Social on Jan 20, Display on Jan 25.
		// p2: Search (b2) and Social (a2) at the same first moment: a2's id sorts first.
		// old: a person an identity merge will take away.
		`INSERT INTO tin VALUES
		   ('t1', 'p1', '2025-01-01 10:00:00+00', 'Email'),
		   ('t3', 'p1', '2025-01-20 10:00:00+00', 'Search'),
		   ('t2', 'p1', '2025-01-20 10:00:00+00', 'Social'),
		   ('t4', 'p1', '2025-01-25 10:00:00+00', 'Display'),
		   ('b2', 'p2', '2025-03-01 10:00:00+00', 'Search'),
		   ('a2', 'p2', '2025-03-01 10:00:00+00', 'Social'),
		   ('c2', 'p2', '2025-03-04 10:00:00+00', 'Email'),
		   ('o1', 'old', '2025-02-10 10:00:00+00', 'TV'),
		   ('e1', 'p_40000000', '2025-02-11 10:00:00+00', 'Email')`, // a person id equal to a bound of four passes
		// Many more people, so that every pass has some: personID of q<i> touched on Feb 1 (Email) and Feb 21.
		`INSERT INTO tin SELECT 'x' || i, 'p_' || substr(md5('q' || (i // 2)), 1, 16), TIMESTAMPTZ '2025-02-01 00:00:00+00' + to_days((i % 2) * 20),
		   CASE WHEN i % 2 = 0 THEN 'Email' ELSE 'Search' END FROM range(400) r(i)`)
	moveTouches()
	want := map[string]string{
		"p1":         "01-01 Email 01-25",
		"p2":         "03-01 Social 03-04",
		"old":        "02-10 TV 02-10",
		"p_40000000": "02-11 Email 02-11",
	}
	var ids []string
	for i := range 200 {
		ids = append(ids, personID("q"+strconv.Itoa(i)))
		want[ids[i]] = "02-01 Email 02-21"
	}
	requireEveryPart(t, 4, ids)
	for _, n := range []int{1, 4} {
		exec(sqlPersonTouchesCreate)
		if err := execPersonPasses(ctx, c, n, sqlPersonTouches.get(pathData{})); err != nil {
			t.Fatal(err)
		}
		if got := readPersonTouches(t, c); !maps.Equal(got, want) {
			t.Fatalf("%d passes: %d people, want %d; p1 %q p2 %q old %q q7 %q", n, len(got), len(want), got["p1"], got["p2"], got["old"], got[ids[7]])
		}
	}

	// The next day: "old" merged into p2 (its touch now p2's, on Feb 10, before p2's first), a new
	// person p3, and a change to p1's touches that the run does not rebuild p1 for.
	exec(`UPDATE touchpoints SET person_id = 'p2' WHERE person_id = 'old'`,
		`INSERT INTO tin VALUES ('n1', 'p3', '2025-03-05 10:00:00+00', 'Branch'), ('n0', 'p1', '2024-12-01 10:00:00+00', 'Branch')`)
	moveTouches()
	exec(`CREATE TEMP TABLE inc_aff AS SELECT * FROM (VALUES ('p2'), ('old'), ('p3')) v(person_id)`,
		sqlAffectedTouches)
	if err := personTouches(ctx, c, pathData{Incremental: true}); err != nil {
		t.Fatal(err)
	}
	delete(want, "old")
	want["p2"] = "02-10 TV 03-04"
	want["p3"] = "03-05 Branch 03-05"
	if got := readPersonTouches(t, c); !maps.Equal(got, want) {
		t.Fatalf("incremental: %d people, want %d; p1 %q p2 %q p3 %q old %q", len(got), len(want), got["p1"], got["p2"], got["p3"], got["old"])
	}
	// The temp view the evaluation reads.
	var n int
	if err := c.QueryRowContext(ctx, `SELECT count(*) FROM person_touches`).Scan(&n); err != nil || n != len(want) {
		t.Fatalf("view person_touches: %d rows, %v", n, err)
	}

	// Without the table an incremental run fills it for everyone (p1 now from Dec 1).
	exec(`DROP TABLE attrib_state.person_touches`)
	if err := personTouches(ctx, c, pathData{Incremental: true}); err != nil {
		t.Fatal(err)
	}
	want["p1"] = "12-01 Branch 01-25"
	if got := readPersonTouches(t, c); !maps.Equal(got, want) {
		t.Fatalf("missing table: %d people, want %d; p1 %q p2 %q", len(got), len(want), got["p1"], got["p2"])
	}
}
