package access

import (
	"bytes"
	"context"
	"database/sql"
	"testing"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"
)

// TestWriteTable: numbers right-aligned, a DOUBLE from round(x, 1) with one
// decimal, integers without decimals, Chinese text two columns per
// character, an instant in the configured zone.
func TestWriteTable(t *testing.T) {
	t.Parallel()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	res, err := Query(context.Background(), db, `SELECT * FROM (VALUES
		(round(78.04::DOUBLE, 1), 12::BIGINT, '微信朋友圈', TIMESTAMPTZ '2025-01-02 10:00:00+00'),
		(round(3.46::DOUBLE, 1), 7::BIGINT, 'Email', TIMESTAMPTZ '2025-01-02 20:30:00+00')) t(roas, n, channel, seen_at)`, 0)
	if err != nil {
		t.Fatal(err)
	}
	sh, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := WriteTable(&b, res, sh); err != nil {
		t.Fatal(err)
	}
	want := "" +
		"roas   n  channel     seen_at\n" +
		"78.0  12  微信朋友圈  2025-01-02 18:00:00+08:00\n" +
		" 3.5   7  Email       2025-01-03 04:30:00+08:00\n"
	if b.String() != want {
		t.Errorf("table:\n%s\nwant:\n%s", b.String(), want)
	}

	// Through serve the values arrive as JSON text with their types: the same table.
	viaJSON := &Result{Columns: []string{"roas", "n"}, Types: []string{"DOUBLE", "BIGINT"},
		Rows: [][]any{{"78", "12"}, {"0.125", "7"}, {nil, "1000"}}}
	b.Reset()
	if err := WriteTable(&b, viaJSON, nil); err != nil {
		t.Fatal(err)
	}
	want = "" +
		"  roas     n\n" +
		"78.000    12\n" +
		" 0.125     7\n" +
		"        1000\n"
	if b.String() != want {
		t.Errorf("table via JSON:\n%q\nwant:\n%q", b.String(), want)
	}
}

// TestWriteTableDecimals: a DECIMAL column keeps its exact digits, padded to
// the column's longest fraction so the points line up.
func TestWriteTableDecimals(t *testing.T) {
	t.Parallel()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	res, err := Query(context.Background(), db, `SELECT * FROM (VALUES (3731.89::DECIMAL(18,2)), (1914.5::DECIMAL(18,2)), (0::DECIMAL(18,2)), (NULL)) t(spend)`, 0)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := WriteTable(&b, res, nil); err != nil {
		t.Fatal(err)
	}
	if want := "  spend\n3731.89\n1914.50\n   0.00\n\n"; b.String() != want {
		t.Errorf("table:\n%q\nwant\n%q", b.String(), want)
	}
}

func TestDisplayWidth(t *testing.T) {
	t.Parallel()
	for s, w := range map[string]int{"abc": 3, "微信": 4, "Ｗ": 2, "春节理财 A": 10, "": 0} {
		if got := DisplayWidth(s); got != w {
			t.Errorf("DisplayWidth(%q) = %d, want %d", s, got, w)
		}
	}
}
