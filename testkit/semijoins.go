package testkit

import (
	"io/fs"
	"regexp"
	"strings"
	"testing"
)

// bareSemiJoin is a semi join on a table of people without a filter of its own.
var bareSemiJoin = regexp.MustCompile(`IN \(SELECT person_id FROM (inc_aff|eval_scope)\)`)

// SemiJoinsFiltered checks the SQL files under sql/ in fsys: every semi join on the small tables of
// people (inc_aff, eval_scope) keeps a filter of its own, person_id > ”, so that DuckDB 1.5 pushes
// a Bloom filter into the large table's scan (transform/sql/README.md, "Semi joins on a few
// people"), and at least atLeast of them are on table (so that a rename does not pass unseen).
func SemiJoinsFiltered(t testing.TB, fsys fs.FS, table string, atLeast int) {
	t.Helper()
	filtered := "FROM " + table + " WHERE person_id > ''"
	n := 0
	err := fs.WalkDir(fsys, "sql", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		n += strings.Count(string(b), filtered)
		for _, m := range bareSemiJoin.FindAllString(string(b), -1) {
			t.Errorf("%s: %q has no filter of its own: write WHERE person_id > '' in it", p, m)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < atLeast {
		t.Errorf("only %d semi joins on %s found: has it been renamed?", n, table)
	}
}
