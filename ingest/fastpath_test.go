package ingest

import (
	"bytes"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"golang.org/x/text/encoding/simplifiedchinese"

	"attrib/warehouse"
)

// stepLog is a Progress that keeps the steps each file went through.
type stepLog struct{ steps map[string][]string }

func (s *stepLog) Start(string, int64)      {}
func (s *stepLog) Done(FileResult)          {}
func (s *stepLog) Step(path, step string)   { s.steps[path] = append(s.steps[path], step) }
func (s *stepLog) route(path string) string { return routeOf(s.steps[path]) }

// routeOf names the way a file was loaded from its steps: "fast" (written
// in one go), "refused" (the fast path rolled back, then the full path) or
// "full" (the check pass first).
func routeOf(steps []string) string {
	switch strings.Join(steps, " ") {
	case "hash read write":
		return "fast"
	case "hash read write read validate write":
		return "refused"
	case "hash read validate write":
		return "full"
	}
	return strings.Join(steps, " ")
}

// fastFile is one file of a fast-path case: its name, content, the way it
// must be loaded, and its counts (read, loaded, rejected, duplicate).
type fastFile struct {
	name, content, route string
	counts               [4]int64
}

// TestFastPath loads files that the fast path takes, refuses or skips, each
// case twice: with the fast path, and with the full path only. The route
// each file took is asserted, and the two warehouses must hold the same
// rows, rejected rows and per-file counts.
func TestFastPath(t *testing.T) {
	// Not parallel: it switches the package variables smallFileBytes and fastPath.
	defer func(n int64) { smallFileBytes = n }(smallFileBytes)
	smallFileBytes = 0
	const head = "touchpoint_id,occurred_at,anonymous_id,channel\n"
	rows := func(ids ...string) string {
		var b strings.Builder
		b.WriteString(head)
		for _, id := range ids {
			b.WriteString(id + ",2025-01-02 10:00:00,p" + id + ",Email\n")
		}
		return b.String()
	}
	many := func(prefix string, n int) []string {
		var out []string
		for i := 0; i < n; i++ {
			out = append(out, prefix+itoa(int64(i)))
		}
		return out
	}
	gb, err := simplifiedchinese.GB18030.NewEncoder().String(head + "g1,2025-01-02 10:00:00,p1,春季理财\ng2,2025-01-02 11:00:00,p2,微信\n")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		source string // lines added to the source's config
		files  []fastFile
	}{
		{"clean file", "", []fastFile{
			{"a.csv", rows("t1", "t2", "t3"), "fast", [4]int64{3, 3, 0, 0}},
		}},
		{"rows without ids get content ids", "", []fastFile{
			{"a.csv", baseCSV, "fast", [4]int64{2, 2, 0, 0}},
		}},
		{"a row fails validation", "", []fastFile{
			{"a.csv", rows(many("t", 30)...) + "t99,yesterday,p99,Email\n", "refused", [4]int64{31, 30, 1, 0}},
		}},
		{"a negative cost", "", []fastFile{
			{"a.csv", "occurred_at,anonymous_id,cost\n" + strings.Repeat("2025-01-02 10:00:00,n1,1.5\n", 1) +
				"2025-01-02 11:00:00,n2,2\n2025-01-02 12:00:00,n3,-4\n", "refused", [4]int64{3, 2, 1, 0}},
		}},
		{"the file repeats an id", "", []fastFile{
			{"a.csv", rows("t1", "t2", "t1"), "refused", [4]int64{3, 2, 0, 1}},
		}},
		{"rows without ids in a file with ids", "", []fastFile{
			{"a.csv", rows("t1") + ",2025-01-02 10:00:00,px,Email\n,2025-01-02 10:00:00,px,Email\n", "refused", [4]int64{3, 2, 0, 1}},
		}},
		{"the same rows twice without ids", "", []fastFile{
			{"a.csv", baseCSV + "2025-01-01 10:00:00,base1,Email\n", "refused", [4]int64{3, 2, 0, 1}},
		}},
		{"a late re-export under another name", "", []fastFile{
			{"a.csv", rows("t1", "t2"), "fast", [4]int64{2, 2, 0, 0}},
			{"b.csv", rows("t2", "t3"), "refused", [4]int64{2, 1, 0, 1}},
		}},
		{"new ids in a table with rows", "", []fastFile{
			{"a.csv", rows("t1", "t2"), "fast", [4]int64{2, 2, 0, 0}},
			{"b.csv", rows("t3", "t4"), "fast", [4]int64{2, 2, 0, 0}},
		}},
		{"an unreadable record", "", []fastFile{
			{"a.csv", rows(many("t", 30)...) + "t99,2025-01-02 10:00:00,p99,Email,extra,fields\n", "refused", [4]int64{31, 30, 1, 0}},
		}},
		{"after a load with rejects the source takes the full path", "", []fastFile{
			{"a.csv", rows(many("t", 30)...) + "t99,,p99,Email\n", "refused", [4]int64{31, 30, 1, 0}},
			{"b.csv", rows("u1", "u2"), "full", [4]int64{2, 2, 0, 0}},
			{"c.csv", rows("v1", "v2"), "fast", [4]int64{2, 2, 0, 0}},
		}},
		{"a new version of a file takes the full path", "", []fastFile{
			{"a.csv", rows("t1", "t2"), "fast", [4]int64{2, 2, 0, 0}},
			{"a.csv", rows("t1", "t2", "t3"), "full", [4]int64{3, 1, 0, 2}},
		}},
		// The full path inserts every good row, then takes out those whose
		// id an earlier load holds (drop_loaded.sql.tmpl).
		{"rows loaded before and a rejected row", "", []fastFile{
			{"a.csv", rows("t1", "t2"), "fast", [4]int64{2, 2, 0, 0}},
			{"b.csv", rows("t2", "t3") + "t9,yesterday,p9,Email\n", "refused", [4]int64{3, 1, 1, 1}},
		}},
		{"ndjson rows loaded before and an unreadable line", "", []fastFile{
			{"a.ndjson", ndjsonRows("k1", "k2", "k3"), "fast", [4]int64{3, 3, 0, 0}},
			{"b.ndjson", ndjsonRows("k2", "k3", "k4", "k5") + "{not json\n", "full", [4]int64{5, 2, 1, 2}},
		}},
		{"gb18030", "    csv: {encoding: gb18030}\n", []fastFile{
			{"a.csv", gb, "fast", [4]int64{2, 2, 0, 0}},
		}},
		{"ndjson", "", []fastFile{
			{"a.ndjson", `{"touchpoint_id":"j1","occurred_at":"2025-01-02T10:00:00Z","anonymous_id":"a"}` + "\n", "fast", [4]int64{1, 1, 0, 0}},
			{"b.ndjson", `{"touchpoint_id":"j2","occurred_at":"2025-01-02T10:00:00Z","anonymous_id":"b"}` + "\n{not json\n", "full", [4]int64{2, 1, 1, 0}},
		}},
		{"parquet", "", []fastFile{
			{"a.parquet", parquetBytes(t, `SELECT 'q' || i AS touchpoint_id, TIMESTAMP '2025-01-02 10:00:00' AS occurred_at, 'p' || i AS anonymous_id FROM range(3) t(i)`),
				"fast", [4]int64{3, 3, 0, 0}},
			// The check after the insert (id hashes sorted in Go) finds the
			// repeat; a build without Arrow scans the id column first and
			// goes straight to the full path.
			{"b.parquet", parquetBytes(t, `SELECT 'r' || (i % 2) AS touchpoint_id, TIMESTAMP '2025-01-02 10:00:00' AS occurred_at, 'p' || i AS anonymous_id FROM range(3) t(i)`),
				parquetRepeatRoute, [4]int64{3, 2, 0, 1}},
			// Rows without an id: the check after the insert finds the repeated content.
			{"c.parquet", parquetBytes(t, `SELECT CASE WHEN i > 0 THEN NULL ELSE 's' END AS touchpoint_id, TIMESTAMP '2025-01-02 10:00:00' AS occurred_at, 'x' AS anonymous_id FROM range(3) t(i)`),
				"full", [4]int64{3, 2, 0, 1}},
		}},
		{"parquet rows without ids", "", []fastFile{
			{"c.parquet", parquetBytes(t, `SELECT CASE WHEN i > 0 THEN NULL ELSE 's' END AS touchpoint_id, TIMESTAMP '2025-01-02 10:00:00' AS occurred_at, 'x' AS anonymous_id FROM range(3) t(i)`),
				"refused", [4]int64{3, 2, 0, 1}},
		}},
		{"arrow", "", []fastFile{
			{"a.arrow", cleanArrow(t, "c", false), "fast", [4]int64{2, 2, 0, 0}},
			{"a2.arrows", cleanArrow(t, "e", true), "fast", [4]int64{2, 2, 0, 0}},
			{"b.arrow", arrowFileBytes(t, false, "d"), "refused", [4]int64{4, 1, 2, 1}},
		}},
		// Clean rows, one repeated: found after the insert by sorting the id
		// hashes in Go, on the Arrow view's connection.
		{"arrow repeats a row", "", []fastFile{
			{"a.arrow", repeatArrow(t), "refused", [4]int64{3, 2, 0, 1}},
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var results [2]string
			for i, fast := range []bool{true, false} {
				fastPath = fast
				h := newHarness(t, tpSource+c.source, "ingest:\n  reject_threshold: 0.6\n")
				for _, f := range c.files {
					path := h.write("data/"+f.name, f.content)
					log := &stepLog{steps: map[string][]string{}}
					rep, err := h.run(func(o *Options) { o.Progress = log })
					if err != nil {
						t.Fatalf("%s: %v", f.name, err)
					}
					var got FileResult
					for _, r := range rep.Files {
						if r.Path == path {
							got = r
						}
					}
					wantCounts(t, got, Loaded, f.counts[0], f.counts[1], f.counts[2], f.counts[3])
					want := f.route
					if !fast {
						want = "full"
					}
					if r := log.route(path); r != want {
						t.Fatalf("%s: route %q, want %q", f.name, r, want)
					}
				}
				if n := h.int(`SELECT count(*) - count(DISTINCT touchpoint_id) FROM touchpoints`); n != 0 {
					t.Fatalf("%d touchpoint ids loaded twice", n)
				}
				// The Arrow and NDJSON inserts run unordered (inAnyOrder):
				// the connections go back to the pool with DuckDB's default.
				if got := strings.Join(h.strs(`SELECT current_setting('preserve_insertion_order')::VARCHAR`), ""); got != "true" {
					t.Fatalf("preserve_insertion_order after the loads: %q, want true", got)
				}
				results[i] = strings.Join(h.strs(`SELECT concat_ws(' ', 'row', touchpoint_id, occurred_at, customer_id, anonymous_id,
					channel, campaign, cost, email, source_name) FROM touchpoints
					UNION ALL SELECT concat_ws(' ', 'reject', source, regexp_replace(path, '.*/', ''), line, field, reason, raw) FROM rejected_rows
					UNION ALL SELECT concat_ws(' ', 'file', regexp_replace(path, '.*/', ''), status, rows_read, rows_loaded, rows_rejected, rows_duplicate,
					regexp_replace(message, '/\S*/|loaded as \S+', '', 'g'))
					FROM ingest_files ORDER BY 1`), "\n")
			}
			fastPath = true
			if c.name == "gb18030" && !strings.Contains(results[0], "春季理财") {
				t.Fatalf("GB18030 text not decoded:\n%s", results[0])
			}
			if results[0] != results[1] {
				t.Fatalf("fast path and full path differ:\n--- with the fast path\n%s\n--- full path only\n%s", results[0], results[1])
			}
		})
	}
}

// ndjsonRows is an NDJSON file of a touchpoint per id.
func ndjsonRows(ids ...string) string {
	var b strings.Builder
	for _, id := range ids {
		b.WriteString(`{"touchpoint_id":"` + id + `","occurred_at":"2025-01-02T10:00:00Z","anonymous_id":"p` + id + `"}` + "\n")
	}
	return b.String()
}

// parquetBytes is a Parquet file of the rows of query, made by DuckDB.
func parquetBytes(t *testing.T, query string) string {
	t.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	path := filepath.Join(t.TempDir(), "x.parquet")
	if _, err := db.Exec("COPY (" + query + ") TO " + warehouse.QuoteLiteral(path) + " (FORMAT parquet)"); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// parquetRepeatRoute is the route of a Parquet file repeating a given id:
// refused after the insert when the id hashes are sorted in Go, else found
// by the scan of the id column before it.
var parquetRepeatRoute = map[bool]string{true: "refused", false: "full"}[goIDCheck]

// repeatArrow is an Arrow IPC file of three touchpoints without ids, the
// first and the last the same.
func repeatArrow(t *testing.T) string {
	t.Helper()
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "occurred_at", Type: &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}},
		{Name: "anonymous_id", Type: arrow.BinaryTypes.String},
	}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	ts := arrow.Timestamp(time.Date(2025, 1, 2, 10, 0, 0, 0, time.UTC).UnixMicro())
	b.Field(0).(*array.TimestampBuilder).AppendValues([]arrow.Timestamp{ts, ts + 1, ts}, nil)
	b.Field(1).(*array.StringBuilder).AppendValues([]string{"r1", "r2", "r1"}, nil)
	rec := b.NewRecordBatch()
	defer rec.Release()
	return ipcFile(t, rec)
}

// cleanArrow is an Arrow IPC file (or stream) of two good touchpoints.
func cleanArrow(t *testing.T, prefix string, stream bool) string {
	t.Helper()
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "occurred_at", Type: &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}},
		{Name: "anonymous_id", Type: arrow.BinaryTypes.String},
	}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	ts := arrow.Timestamp(time.Date(2025, 1, 2, 10, 0, 0, 0, time.UTC).UnixMicro())
	b.Field(0).(*array.TimestampBuilder).AppendValues([]arrow.Timestamp{ts, ts + 1}, nil)
	b.Field(1).(*array.StringBuilder).AppendValues([]string{prefix + "1", prefix + "2"}, nil)
	rec := b.NewRecordBatch()
	defer rec.Release()
	if stream {
		var buf bytes.Buffer
		w := ipc.NewWriter(&buf, ipc.WithSchema(schema))
		if err := w.Write(rec); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		return buf.String()
	}
	return ipcFile(t, rec)
}
