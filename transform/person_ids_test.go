package transform

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"

	"attrib/warehouse"
)

// personIDsTable is a touchpoints table with a NOT NULL column, a default and a CHECK, which
// setPersonIDs must keep when it rewrites the rows. The CHECK refuses the person id "p_bad".
const personIDsTable = `CREATE TABLE touchpoints (
    touchpoint_id INTEGER NOT NULL,
    customer_id   VARCHAR,
    anonymous_id  VARCHAR,
    email         VARCHAR,
    phone         VARCHAR,
    person_id     VARCHAR CHECK (person_id IS NULL OR person_id <> 'p_bad'),
    load_id       VARCHAR NOT NULL DEFAULT 'l0',
    note          VARCHAR
)`

// pidRows is the test table's size: more than one row group of 122,880 rows, so that the
// rewrite's scan and join run in parallel and row order could be lost.
const pidRows = 130_000

// pidRow is row i of the test table: its first identifier (by the stitch order c, a, e, p),
// picked by i mod 5 (4: none; the identifiers after the first have the same key k), and its
// person id before stitching.
func pidRow(i int) (first string, before sql.NullString) {
	k := fmt.Sprint(i % 1000)
	switch i % 5 {
	case 0:
		first = "c:" + k
	case 1:
		first = "a:" + k
	case 2:
		first = "e:" + k
	case 3:
		first = "p:" + k
	}
	if i%7 != 0 {
		before = sql.NullString{String: "old_" + fmt.Sprint(i%13), Valid: true}
	}
	return first, before
}

// openPersonIDs opens an in-memory DuckDB with the test table filled (pidRow: the
// columns after the first identifier hold other identifiers, which stitching must ignore) and
// an empty identity_map.
func openPersonIDs(t *testing.T) *sql.Conn {
	t.Helper()
	ctx := context.Background()
	c := memConn(t)
	for _, q := range []struct {
		q    string
		args []any
	}{{personIDsTable, nil},
		{`INSERT INTO touchpoints (touchpoint_id, customer_id, anonymous_id, email, phone, person_id, note)
		 SELECT i,
		   CASE WHEN i % 5 = 0 THEN (i % 1000)::VARCHAR END,
		   CASE WHEN i % 5 IN (0, 1) THEN (i % 1000)::VARCHAR END,
		   CASE WHEN i % 5 IN (0, 1, 2) THEN (i % 1000)::VARCHAR END,
		   CASE WHEN i % 5 <> 4 THEN (i % 1000)::VARCHAR END,
		   CASE WHEN i % 7 <> 0 THEN 'old_' || (i % 13) END,
		   'n' || i
		 FROM range(?) r(i) ORDER BY hash(i)`, []any{pidRows}},
		{`CREATE TABLE identity_map (identifier VARCHAR, identifier_type VARCHAR, person_id VARCHAR, component_size BIGINT)`, nil},
	} {
		if _, err := c.ExecContext(ctx, q.q, q.args...); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

// pidState is the table in row order: touchpoint ids and person ids.
type pidState struct {
	ids     []int
	persons []sql.NullString
}

func readPersonIDs(t *testing.T, c *sql.Conn) pidState {
	t.Helper()
	ctx := context.Background()
	var other int
	if err := c.QueryRowContext(ctx, `SELECT count(*) FROM touchpoints WHERE note IS DISTINCT FROM 'n' || touchpoint_id OR load_id <> 'l0'`).Scan(&other); err != nil || other != 0 {
		t.Fatalf("%d rows with another note or load_id (%v)", other, err)
	}
	rows, err := c.QueryContext(ctx, `SELECT touchpoint_id, person_id FROM touchpoints ORDER BY rowid`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var s pidState
	for rows.Next() {
		var id int
		var p sql.NullString
		if err := rows.Scan(&id, &p); err != nil {
			t.Fatal(err)
		}
		s.ids = append(s.ids, id)
		s.persons = append(s.persons, p)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return s
}

// fillMap puts the identifiers k (of every type) with k mod 1000 in keys into identity_map, each
// mapped to person(k).
func fillMap(t *testing.T, c *sql.Conn, keys func(k int) bool, person func(typ string, k int) string) map[string]string {
	t.Helper()
	m := map[string]string{}
	for _, typ := range []string{"c", "a", "e", "p"} {
		for k := 0; k < 1000; k++ {
			if keys(k) {
				m[typ+":"+fmt.Sprint(k)] = person(typ, k)
			}
		}
	}
	var ids, persons []string
	for id, p := range m {
		ids, persons = append(ids, id), append(persons, p)
	}
	if _, err := c.ExecContext(context.Background(), `INSERT INTO identity_map
		SELECT i, split_part(i, ':', 1), p, 1 FROM (SELECT unnest(?::VARCHAR[]) AS i, unnest(?::VARCHAR[]) AS p)`, ids, persons); err != nil {
		t.Fatal(err)
	}
	return m
}

// checkPersonIDs checks that the table holds the same rows (by touchpoint id, each once) and that
// each row's person id is the map's for its first identifier, or the one it had before when the
// map does not know it. With ordered, the rows also kept their order (an update does; a rewrite's
// passes need not).
func checkPersonIDs(t *testing.T, before, after pidState, m map[string]string, ordered bool) {
	t.Helper()
	if len(after.ids) != pidRows {
		t.Fatalf("%d rows after, want %d", len(after.ids), pidRows)
	}
	was := map[int]sql.NullString{}
	for i, id := range before.ids {
		was[id] = before.persons[i]
	}
	seen := map[int]bool{}
	for i, id := range after.ids {
		if ordered && id != before.ids[i] {
			t.Fatalf("row %d is touchpoint %d, was %d: row order changed", i, id, before.ids[i])
		}
		prev, ok := was[id]
		if !ok || seen[id] {
			t.Fatalf("touchpoint %d: not in the table before, or twice after", id)
		}
		seen[id] = true
		first, _ := pidRow(id)
		want := prev
		if p, ok := m[first]; ok && first != "" {
			want = sql.NullString{String: p, Valid: true}
		}
		if after.persons[i] != want {
			t.Fatalf("touchpoint %d (first identifier %q): person_id %v, want %v", id, first, after.persons[i], want)
		}
	}
}

// checkDefinition checks that the table's definition is the one it was created with and that no
// scratch table is left.
func checkDefinition(t *testing.T, c *sql.Conn, ddl string) {
	t.Helper()
	ctx := context.Background()
	var got string
	if err := c.QueryRowContext(ctx, `SELECT sql FROM duckdb_tables() WHERE table_name = 'touchpoints'`).Scan(&got); err != nil {
		t.Fatal(err)
	}
	if got != ddl {
		t.Fatalf("touchpoints is now\n%s\nwas\n%s", got, ddl)
	}
	var n int
	if err := c.QueryRowContext(ctx, `SELECT count(*) FROM duckdb_tables() WHERE table_name = 'stitch_person_ids_rewrite'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatal("the scratch table is left")
	}
	// The constraints still hold: NOT NULL, the default and the CHECK.
	if _, err := c.ExecContext(ctx, `INSERT INTO touchpoints (touchpoint_id) VALUES (NULL)`); err == nil {
		t.Fatal("NOT NULL touchpoint_id took a NULL")
	}
	if _, err := c.ExecContext(ctx, `INSERT INTO touchpoints (touchpoint_id, person_id) VALUES (-1, 'p_bad')`); err == nil {
		t.Fatal("the CHECK on person_id took p_bad")
	}
	var load string
	if err := c.QueryRowContext(ctx, `INSERT INTO touchpoints (touchpoint_id) VALUES (-2) RETURNING load_id`).Scan(&load); err != nil || load != "l0" {
		t.Fatalf("default load_id: %q, %v", load, err)
	}
}

func tableDDL(t *testing.T, c *sql.Conn) string {
	t.Helper()
	var ddl string
	if err := c.QueryRowContext(context.Background(), `SELECT sql FROM duckdb_tables() WHERE table_name = 'touchpoints'`).Scan(&ddl); err != nil {
		t.Fatal(err)
	}
	return ddl
}

// TestPersonIDsRewrite: when most rows change (every identifier with k mod 1000 < 900 gets a
// new person), the rows are updated in place when the update fits in memory and the table is
// rewritten when it does not; either way every matched row gets the map's person, the others keep
// theirs, nothing else changes, and the rows keep their order and the table its definition.
func TestPersonIDsRewrite(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		memory int64
		how    string
	}{{1 << 30, personIDsUpdated}, {1 << 20, personIDsRewritten}} {
		c := openPersonIDs(t)
		ddl := tableDDL(t, c)
		before := readPersonIDs(t, c)
		for i, id := range before.ids {
			if _, was := pidRow(id); before.persons[i] != was {
				t.Fatalf("fixture: touchpoint %d has person_id %v, want %v", id, before.persons[i], was)
			}
		}
		m := fillMap(t, c, func(k int) bool { return k < 900 }, func(typ string, k int) string { return fmt.Sprintf("p_%s%d", typ, k%37) })
		how, err := setPersonIDsIn(context.Background(), c, "touchpoints", tc.memory)
		if err != nil {
			t.Fatal(err)
		}
		if how != tc.how {
			t.Errorf("memory %d: person ids %s, want %s", tc.memory, how, tc.how)
		}
		checkPersonIDs(t, before, readPersonIDs(t, c), m, false)
		checkDefinition(t, c, ddl)
	}
}

// TestUpdateFits: an update of the changed rows is chosen over a rewrite when the rows and the
// identity map fit in DuckDB's memory_limit.
func TestUpdateFits(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		changed, identifiers, memory int64
		fits                         bool
	}{
		{10_000_000, 3_629_995, 3_000_000_000, true},  // the 10 M-touchpoint benchmark
		{10_000_000, 3_629_995, 1_500_000_000, true},  // measured at full speed
		{10_000_000, 3_629_995, 1_000_000_000, false}, // measured 1.4x slower
		{104_000_000, 36_830_120, 1932735283, false},  // 18 M people, a first run
		{1_000, 1_000, 0, false},                      // limit unknown
	} {
		if got := updateFits(tc.changed, tc.identifiers, tc.memory); got != tc.fits {
			t.Errorf("updateFits(%d, %d, %d) = %v, want %v", tc.changed, tc.identifiers, tc.memory, got, tc.fits)
		}
	}
}

// TestPersonIDsRewritePasses: a rewrite in several passes (as a large identity map against a
// small memory_limit takes) gives every row once, with the same person ids as one pass.
func TestPersonIDsRewritePasses(t *testing.T) {
	t.Parallel()
	c := openPersonIDs(t)
	ddl := tableDDL(t, c)
	before := readPersonIDs(t, c)
	m := fillMap(t, c, func(k int) bool { return k < 900 }, func(typ string, k int) string { return fmt.Sprintf("p_%s%d", typ, k%37) })
	if err := rewritePersonIDs(context.Background(), c, "touchpoints", pidRows, map[string]int{"c": 7, "a": 3, "e": 1, "p": 2}); err != nil {
		t.Fatal(err)
	}
	after := readPersonIDs(t, c)
	checkPersonIDs(t, before, after, m, false)
	// A row count that does not match the passes' is refused, the table left as it was.
	if err := rewritePersonIDs(context.Background(), c, "touchpoints", pidRows+1, map[string]int{"c": 2, "a": 2, "e": 2, "p": 2}); err == nil || !strings.Contains(err.Error(), "wrote 130000 rows of 130001") {
		t.Fatalf("a row count that does not match: %v", err)
	}
	checkPersonIDs(t, after, readPersonIDs(t, c), nil, true)
	checkDefinition(t, c, ddl)
}

// TestRewritePasses: the identity map is cut so that one pass's part fills at most half of
// DuckDB's memory_limit, as DuckDB prints it.
func TestRewritePasses(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		limit       string
		bytes       int64
		identifiers int64
		passes      int
	}{
		{"1.8 GiB", 1932735283, 36_830_120, 4}, // 18 M people: 3.54 GB over 0.97 GB
		{"1.8 GiB", 1932735283, 4_000_000, 1},  // 2 M people
		{"512.0 MiB", 512 << 20, 2_796_203, 2}, // 32 B over 256 MiB
		{"512.0 MiB", 512 << 20, 2_796_202, 1},
		{"2.0 GB", 2_000_000_000, 0, 1},
		{"unreadable", 0, 36_830_120, 1},
	} {
		got := warehouse.ParseMemorySetting(tc.limit)
		if got != tc.bytes {
			t.Errorf("ParseMemorySetting(%q) = %d, want %d", tc.limit, got, tc.bytes)
		}
		if p := warehouse.Passes(tc.identifiers, bytesPerIdentifier, got); p != tc.passes {
			t.Errorf("Passes(%d, %d, %s) = %d, want %d", tc.identifiers, bytesPerIdentifier, tc.limit, p, tc.passes)
		}
	}
}

// TestPersonIDsUpdate: when few rows change (the map gives most rows the person they have, and
// one identifier key in a hundred a new one: under 10% of the rows), the rows are updated in
// place, with the same result.
func TestPersonIDsUpdate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := openPersonIDs(t)
	ddl := tableDDL(t, c)
	// First give every row with an identifier a person of its own first identifier.
	fillMap(t, c, func(k int) bool { return true }, func(typ string, k int) string { return fmt.Sprintf("p_%s%d", typ, k) })
	if err := setPersonIDs(ctx, c, "touchpoints"); err != nil {
		t.Fatal(err)
	}
	before := readPersonIDs(t, c)
	if _, err := c.ExecContext(ctx, `DELETE FROM identity_map`); err != nil {
		t.Fatal(err)
	}
	m := fillMap(t, c, func(k int) bool { return k < 990 }, func(typ string, k int) string {
		if k%100 == 0 {
			return "p_moved"
		}
		return fmt.Sprintf("p_%s%d", typ, k)
	})
	// Keys 0, 100, ..., 900 move: the rows whose first identifier has such a key are those with
	// i mod 100 = 0 (then i mod 5 = 0: a customer id), 1,300 of the 130,000 rows; fewer than
	// rewriteShare. Counted in one pass and in three, as large maps are.
	for _, n := range []int{1, 3} {
		var changed int64
		for p := range n {
			var part int64
			if err := c.QueryRowContext(ctx, sqlPersonIDsChanged.get("touchpoints", false), n, p).Scan(&part); err != nil {
				t.Fatal(err)
			}
			changed += part
		}
		if changed != 1300 || float64(changed) > rewriteShare*pidRows {
			t.Fatalf("%d passes: %d rows change, want 1300 (the update path)", n, changed)
		}
	}
	// Under 10% of the rows: updated, even with too little memory for an update of every row.
	if how, err := setPersonIDsIn(ctx, c, "touchpoints", 1<<20); err != nil || how != personIDsUpdated {
		t.Fatalf("person ids %s (%v), want %s", how, err, personIDsUpdated)
	}
	checkPersonIDs(t, before, readPersonIDs(t, c), m, true)
	if how, err := setPersonIDsIn(ctx, c, "touchpoints", 1<<20); err != nil || how != personIDsUnchanged {
		t.Fatalf("again: person ids %s (%v), want %s", how, err, personIDsUnchanged)
	}
	checkDefinition(t, c, ddl)
}

// TestPersonIDsRewriteFails: a rewrite that fails after the table was emptied (the CHECK refuses
// a person id when the rows go back) or is cancelled leaves the table as it was; so does an
// update the CHECK refuses.
func TestPersonIDsRewriteFails(t *testing.T) {
	t.Parallel()
	c := openPersonIDs(t)
	ddl := tableDDL(t, c)
	before := readPersonIDs(t, c)
	fillMap(t, c, func(k int) bool { return k < 900 }, func(typ string, k int) string {
		if k == 5 {
			return "p_bad"
		}
		return "p_new"
	})
	for _, memory := range []int64{1 << 20, 1 << 30} { // a rewrite, an update
		if how, err := setPersonIDsIn(context.Background(), c, "touchpoints", memory); err == nil {
			t.Fatalf("memory %d: no error from person ids the CHECK refuses (%s)", memory, how)
		}
		checkPersonIDs(t, before, readPersonIDs(t, c), nil, true)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := setPersonIDsIn(ctx, c, "touchpoints", 1<<20); err == nil {
		t.Fatal("no error from a cancelled rewrite")
	}
	checkPersonIDs(t, before, readPersonIDs(t, c), nil, true)
	checkDefinition(t, c, ddl)
}

// TestRewritePassesByType: each type of identifier gets the passes its own identifiers need; a
// type the map does not hold gets one.
func TestRewritePassesByType(t *testing.T) {
	t.Parallel()
	c := openPersonIDs(t)
	if _, err := c.ExecContext(context.Background(), `INSERT INTO identity_map
		SELECT 'a:' || i, 'a', 'p_' || i, 1 FROM range(3000) r(i)
		UNION ALL SELECT 'c:' || i, 'c', 'p_' || i, 1 FROM range(1000) r(i)
		UNION ALL SELECT 'p:' || i, 'p', 'p_' || i, 1 FROM range(1001) r(i)`); err != nil {
		t.Fatal(err)
	}
	// Half of the memory holds 1,000 identifiers of bytesPerIdentifier.
	byType, err := identifierCounts(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	got := rewritePasses(byType, 2*1000*bytesPerIdentifier)
	want := map[string]int{"a": 3, "c": 1, "e": 1, "p": 2}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("passes %v, want %v", got, want)
	}
}
