package access

import (
	"errors"
	"reflect"
	"testing"
)

func TestCheckReadOnly(t *testing.T) {
	t.Parallel()
	ok := []string{
		"SELECT 1", "  select * from t;", "WITH x AS (SELECT 1) SELECT * FROM x", "FROM t", "(SELECT 1) UNION (SELECT 2)",
		"-- comment\nSELECT 1", "/* c */ DESCRIBE t", "EXPLAIN SELECT 1", "EXPLAIN ANALYZE SELECT 1",
		"SELECT 'a;b' AS x", `SELECT "we;ird" FROM t`, "SELECT $$x;y$$", "SUMMARIZE t", "SHOW TABLES", "VALUES (1)",
	}
	for _, q := range ok {
		if err := CheckReadOnly(q); err != nil {
			t.Errorf("%q: %v", q, err)
		}
	}
	bad := map[string]error{
		"DELETE FROM t":                          ErrNotReadOnly,
		"COPY t TO 'x.csv'":                      ErrNotReadOnly,
		"ATTACH 'x.db'":                          ErrNotReadOnly,
		"/* SELECT */ DROP TABLE t":              ErrNotReadOnly,
		"EXPLAIN ANALYZE COPY t TO 'x'":          ErrNotReadOnly,
		"EXPLAIN INSERT INTO t VALUES (1)":       ErrNotReadOnly,
		"SELECT 1; DROP TABLE t":                 ErrMultipleStatements,
		"SELECT 1; SELECT 2":                     ErrMultipleStatements,
		"SET threads = 1":                        ErrNotReadOnly,
		"PRAGMA version":                         ErrNotReadOnly,
		"SELECT 'x'; -- trailing\nDELETE FROM t": ErrMultipleStatements,
	}
	for q, want := range bad {
		if err := CheckReadOnly(q); !errors.Is(err, want) {
			t.Errorf("%q: %v, want %v", q, err, want)
		}
	}
	if err := CheckReadOnly(" ; -- nothing\n"); err == nil {
		t.Error("empty statement accepted")
	}
}

func TestSplitStatements(t *testing.T) {
	t.Parallel()
	got := SplitStatements("SELECT 'a;b'; SELECT \"c;\" /* ; */ ; -- x;\nSELECT $t$;$t$ ;;")
	want := []string{"SELECT 'a;b'", "SELECT \"c;\" /* ; */", "-- x;\nSELECT $t$;$t$"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
	// "/*/" opens a comment that never closes: no statement, as Words sees it too.
	if got := SplitStatements("SELECT 1; /*/ x"); !reflect.DeepEqual(got, []string{"SELECT 1"}) {
		t.Errorf("unclosed /*/ comment: got %q", got)
	}
	if w := Words("  (( select x", 2); !reflect.DeepEqual(w, []string{"select", "x"}) {
		t.Errorf("Words = %q", w)
	}
}
