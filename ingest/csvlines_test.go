package ingest

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

func TestScanCSVRecords(t *testing.T) {
	t.Parallel()
	scan := func(s string, quote, escape byte, header int) string {
		var out []string
		err := scanCSVRecords(strings.NewReader(s), quote, escape, header, func(logical, physical int64) {
			out = append(out, fmt.Sprintf("%d/%d", logical, physical))
		})
		if err != nil {
			t.Fatal(err)
		}
		return strings.Join(out, " ")
	}
	for _, tc := range []struct {
		name, in      string
		quote, escape byte
		header        int
		want          string
	}{
		{"plain", "h\na\nb\n", '"', '"', 1, "2/2 3/3"},
		{"no final newline", "h\na\nb", '"', '"', 1, "2/2 3/3"},
		{"blank lines count as lines, not records", "h\n\na\n\n\nb\n", '"', '"', 1, "3/3 6/6"},
		{"quoted newline: one logical line, two physical", "h\n\"x\ny\",1\nb\n", '"', '"', 1, "2/2 3/4"},
		{"doubled quote stays inside", "h\n\"say \"\"hi\"\"\nthere\",1\nb\n", '"', '"', 1, "2/2 3/4"},
		{"backslash escape", "h\n\"a \\\" b\nc\",1\nb\n", '"', '\\', 1, "2/2 3/4"},
		{"CRLF and lone CR", "h\r\na\r\n\r\nb\rc\n", '"', '"', 1, "2/2 4/4 5/5"},
		{"no header", "a\nb\n", '"', '"', 0, "1/1 2/2"},
		{"blank line before the header", "\nh\na\n", '"', '"', 1, "3/3"},
	} {
		if got := scan(tc.in, tc.quote, tc.escape, tc.header); got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, got, tc.want)
		}
	}
}

// BenchmarkScanCSVRecords measures the scan that finds physical lines of a
// CSV file's rejected rows (run only for files with rejected rows).
//
//	go test -tags duckdb_arrow -run '^$' -bench ScanCSVRecords ./ingest/
func BenchmarkScanCSVRecords(b *testing.B) {
	row := "2025-01-02 10:00:00,visitor-123456,google,cpc,\"spring, sale\",click,0.25\n"
	data := []byte(strings.Repeat(row, (64<<20)/len(row)))
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		n := 0
		if err := scanCSVRecords(bytes.NewReader(data), '"', '"', 1, func(int64, int64) { n++ }); err != nil {
			b.Fatal(err)
		}
	}
}
