package transform

import (
	"context"
	"crypto/md5"
	"database/sql"
	"encoding/hex"
	"slices"
	"testing"

	"attrib/warehouse"
)

// memConn is one connection to a fresh in-memory DuckDB, closed with its database when the test
// ends: for tests of single statements on tables they create.
func memConn(t *testing.T) *sql.Conn {
	t.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	c, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// queryMap reads query q's two string columns as key -> value, failing on a key twice.
func queryMap(t *testing.T, c *sql.Conn, q string) map[string]string {
	t.Helper()
	rows, err := c.QueryContext(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			t.Fatal(err)
		}
		if _, dup := out[k]; dup {
			t.Fatalf("%s twice", k)
		}
		out[k] = v
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// testTouches makes, on c, what the touches view (touches.sql.tmpl) reads and the view itself:
// a touchpoints table whose touches say only their source (the lower-case name of a channel),
// channel_map classifying each such source as its channel (Branch, Display, Email, Search, Social
// or TV), and a temp table tin(touchpoint_id, person_id, occurred_at, channel) to write touches
// to: moveTouches moves tin's rows into touchpoints. A touch without a person is there too, and no
// statement may read it.
func testTouches(t *testing.T, c *sql.Conn) (moveTouches func()) {
	t.Helper()
	ctx := context.Background()
	exec := func(qs ...string) {
		t.Helper()
		for _, q := range qs {
			if _, err := c.ExecContext(ctx, q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
	}
	exec(`CREATE TABLE touchpoints (touchpoint_id VARCHAR, person_id VARCHAR, occurred_at TIMESTAMPTZ,
		   channel VARCHAR, source VARCHAR, medium VARCHAR, campaign VARCHAR, interaction VARCHAR)`,
		`INSERT INTO touchpoints VALUES ('nobody', NULL, '2025-01-30 10:00:00+00', NULL, 'tv', NULL, NULL, 'visit')`,
		sqlChannelMapCreate,
		// touches.sql.tmpl matches coalesce(touch attribute, '') with the map's keys.
		`INSERT INTO channel_map SELECT '', lower(ch), '', '', 'visit', ch, 'Group', 'rule'
		   FROM (VALUES ('Branch'), ('Display'), ('Email'), ('Search'), ('Social'), ('TV')) v(ch)`,
		sqlTouches,
		`CREATE TEMP TABLE tin (touchpoint_id VARCHAR, person_id VARCHAR, occurred_at TIMESTAMPTZ, channel VARCHAR)`)
	return func() {
		t.Helper()
		exec(`INSERT INTO touchpoints SELECT touchpoint_id, person_id, occurred_at, NULL, lower(channel), NULL, NULL, 'visit' FROM tin`,
			`DELETE FROM tin`)
	}
}

// personID is a person id of the form identity_map gives: "p_" and 16 hex digits of the MD5 of name
// (in SQL, 'p_' || substr(md5(name), 1, 16)). Tests of statements cut by person id use them so that
// every pass, not only the first and the last, has people.
func personID(name string) string {
	h := md5.Sum([]byte(name))
	return "p_" + hex.EncodeToString(h[:])[:16]
}

// requireEveryPart fails the test unless each of the n passes of warehouse.PersonParts holds one
// of ids at least.
func requireEveryPart(t *testing.T, n int, ids []string) {
	t.Helper()
	for k, p := range warehouse.PersonParts(n) {
		if !slices.ContainsFunc(ids, p.Holds) {
			t.Fatalf("pass %d of %d (%+v) has no person of the test", k+1, n, p)
		}
	}
}
