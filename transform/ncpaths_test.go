package transform

import (
	"context"
	"strconv"
	"testing"
)

// TestNonconvertingPathsPasses: the non-converting paths are the same in one pass and in
// several (each pass takes the people of one range of person ids), and they are what
// the definition gives, worked by hand: a person's touches within the lookback before their
// last touch, in time order, ties by touch id. Both forms of the statement give them: the one
// that finds each person's last touch among the pass's touches, and the one a full run without a
// conversion window uses, which reads it from person_touches.
func TestNonconvertingPathsPasses(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := memConn(t)
	day := int64(86_400_000_000)
	moveTouches := testTouches(t, c)
	for _, q := range []string{
		`CREATE SCHEMA attrib_state`,
		// p1: Email on day 1, Search and Social at the same time on day 20 (Social's id sorts
		// first), Display on day 25: with 10 days of lookback before day 25, [Social, Search, Display];
		// with 30 days, all four.
		`INSERT INTO tin VALUES
		   ('t1', 'p1', '2025-01-01 10:00:00+00', 'Email'),
		   ('t3', 'p1', '2025-01-20 10:00:00+00', 'Search'),
		   ('t2', 'p1', '2025-01-20 10:00:00+00', 'Social'),
		   ('t4', 'p1', '2025-01-25 10:00:00+00', 'Display'),
		   ('t5', 'p2', '2025-03-01 10:00:00+00', 'Search'),
		   ('e1', 'p_33333333', '2025-03-01 10:00:00+00', 'Email')`, // a person id equal to a bound of five passes
		// Many more people, two touches each, with person ids of identity_map's form (personID of
		// q<i>), so that every pass has some.
		`INSERT INTO tin SELECT 'x' || i, 'p_' || substr(md5('q' || (i // 2)), 1, 16), TIMESTAMPTZ '2025-02-01 00:00:00+00' + to_days((i % 2) * 20), CASE WHEN i % 3 = 0 THEN 'Email' ELSE 'Search' END FROM range(2000) r(i)`,
	} {
		if _, err := c.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	moveTouches()
	for _, q := range []string{
		`CREATE TEMP TABLE channel_ids AS SELECT channel, (row_number() OVER (ORDER BY channel) - 1)::INTEGER AS cid FROM (SELECT DISTINCT channel FROM touches)`,
		`CREATE TEMP TABLE lookbacks (conversion_type VARCHAR, lookback_us BIGINT)`,
		`CREATE TEMP TABLE person_touches AS SELECT person_id, min(occurred_at) AS first_touch_at, max(occurred_at) AS last_touch_at FROM touches GROUP BY person_id`,
	} {
		if _, err := c.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.ExecContext(ctx, `INSERT INTO lookbacks VALUES ('a', ?), ('b', ?), ('c', ?)`, 10*day, 30*day, 10*day); err != nil {
		t.Fatal(err)
	}
	read := func() map[string]string {
		t.Helper()
		return queryMap(t, c, `SELECT n.lookback_us // 86400000000 || ' ' || n.person_id,
			list_transform(n.steps, x -> m.names[x + 1])::VARCHAR
			FROM attrib_state.nc_paths n, (SELECT list(channel ORDER BY cid) AS names FROM channel_ids) m`)
	}
	var ids []string
	for i := range 1000 {
		ids = append(ids, personID("q"+strconv.Itoa(i)))
	}
	requireEveryPart(t, 5, ids)
	var one map[string]string
	for _, run := range []struct {
		n int
		q byPart
	}{{1, sqlNonconvertingPaths.get(pathData{})}, {5, sqlNonconvertingPaths.get(pathData{})}, {1, sqlNCPathsLastKnown}, {5, sqlNCPathsLastKnown}} {
		n := run.n
		if _, err := c.ExecContext(ctx, sqlNCPathsCreate); err != nil {
			t.Fatal(err)
		}
		if err := execPersonPasses(ctx, c, n, run.q, nil); err != nil {
			t.Fatal(err)
		}
		got := read()
		for k, want := range map[string]string{
			"10 p1":                "[Social, Search, Display]",
			"30 p1":                "[Email, Social, Search, Display]",
			"10 p2":                "[Search]",
			"30 p2":                "[Search]",
			"30 p_33333333":        "[Email]",
			"10 " + personID("q0"): "[Search]",        // x0 (Email) on Feb 1 is 20 days before x1 (Search)
			"30 " + personID("q0"): "[Email, Search]", // both within 30 days
			"30 " + personID("q1"): "[Search, Email]", // x2 Search (day 0), x3 Email (day 20)
		} {
			if got[k] != want {
				t.Errorf("%d passes: %s = %q, want %q", n, k, got[k], want)
			}
		}
		if len(got) != 2*(3+1000) {
			t.Errorf("%d passes: %d paths, want %d (two lookbacks of 1003 people)", n, len(got), 2*1003)
		}
		if one == nil {
			one = got
			continue
		}
		for k, v := range one {
			if got[k] != v {
				t.Fatalf("%s: %q in one pass, %q in %d", k, v, got[k], n)
			}
		}
	}
}

// A full run reads the last touch from person_touches only when it cuts the people into passes: in
// one pass that join ran out of memory at 2 M people (ncPathsStatement).
func TestNonconvertingPathsStatementChoice(t *testing.T) {
	full, inc := pathData{}, pathData{Incremental: true}
	for _, c := range []struct {
		name string
		inc  pathData
		hi   any
		n    int
		want byPart
	}{
		{"full, one pass", full, nil, 1, sqlNonconvertingPaths.get(full)},
		{"full, seven passes", full, nil, 7, sqlNCPathsLastKnown},
		{"full with a window, seven passes", full, "2025-06-30", 7, sqlNonconvertingPaths.get(full)},
		{"incremental, three passes", inc, nil, 3, sqlNonconvertingPaths.get(inc)},
	} {
		if got := ncPathsStatement(c.inc, c.hi, c.n); got != c.want {
			t.Errorf("%s: got another statement than expected", c.name)
		}
	}
	if sqlNCPathsLastKnown == sqlNonconvertingPaths.get(full) {
		t.Fatal("the two statements are the same text: the test cannot tell them apart")
	}
}
