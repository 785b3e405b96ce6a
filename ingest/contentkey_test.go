package ingest

import (
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// TestContentKeyCountsRepeatedRows: on the streaming road, a file without an
// id column has its rows' ids made from their content, and the check pass
// counts the content's hashes (__content_key) instead of the ids. A row
// repeated within the file is then still a duplicate (loaded once), and rows
// that differ in one value are not, for touchpoints and for activity, with a
// bad row sending the file down the full road. An Arrow file that gives ids
// still has them counted: a repeated id with other content is a duplicate.
func TestContentKeyCountsRepeatedRows(t *testing.T) {
	// Not parallel: it switches the package variable smallFileBytes.
	defer func(n int64) { smallFileBytes = n }(smallFileBytes)
	smallFileBytes = 0
	for _, c := range []struct{ sources, file, body, table string }{
		{tpSource, "data/a.csv", "occurred_at,anonymous_id,campaign\n" +
			"2025-01-02 10:00:00,a,spring\n" +
			"2025-01-02 10:00:00,a,spring\n" + // the row before, again
			"2025-01-02 10:00:00,a,summer\n" +
			"2025-01-02 10:00:01,a,spring\n" +
			"never,a,spring\n", "touchpoints"},
		{"  - name: act\n    dataset: activity\n    path: data/*\n", "data/b.csv", "occurred_at,customer_id,event,value\n" +
			"2025-01-02 10:00:00,C1,login,\n" +
			"2025-01-02 10:00:00,C1,transaction,12.50\n" +
			"2025-01-02 10:00:00,C1,transaction,12.5\n" + // the same value: the same row
			"2025-01-02 10:00:00,C1,transaction,12.51\n" +
			"never,C1,login,\n", "activity"},
	} {
		h := newHarness(t, c.sources, "ingest:\n  reject_threshold: 0.5\n")
		h.write(c.file, c.body)
		wantCounts(t, only(t, h.mustRun()), Loaded, 5, 3, 1, 1)
		if n := h.int(`SELECT count(DISTINCT ` + tables[c.table].ID + `) FROM ` + c.table); n != 3 {
			t.Fatalf("%s: %d distinct ids, want 3", c.table, n)
		}
	}

	schema := arrow.NewSchema([]arrow.Field{
		{Name: "touchpoint_id", Type: arrow.BinaryTypes.String},
		{Name: "occurred_at", Type: &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}, Nullable: true},
		{Name: "anonymous_id", Type: arrow.BinaryTypes.String},
	}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	ts := arrow.Timestamp(time.Date(2025, 1, 2, 10, 0, 0, 0, time.UTC).UnixMicro())
	b.Field(0).(*array.StringBuilder).AppendValues([]string{"t1", "t1", "t2", "t3"}, nil)
	// Three good rows of three contents and two ids: counting contents would
	// find no repeat, and t1 would be loaded twice.
	b.Field(1).(*array.TimestampBuilder).AppendValues([]arrow.Timestamp{ts, ts + 1, ts + 2, 0}, []bool{true, true, true, false})
	b.Field(2).(*array.StringBuilder).AppendValues([]string{"a", "b", "c", "d"}, nil)
	rec := b.NewRecordBatch()
	defer rec.Release()
	h := newHarness(t, tpSource, "ingest:\n  reject_threshold: 0.5\n")
	h.write("data/c.arrow", ipcFile(t, rec))
	wantCounts(t, only(t, h.mustRun()), Loaded, 4, 2, 1, 1)
	if got := h.strs(`SELECT touchpoint_id || ' ' || anonymous_id FROM touchpoints ORDER BY 1`); len(got) != 2 || got[0] != "t1 a" || got[1] != "t2 c" {
		t.Fatalf("touchpoints %v, want t1 a, t2 c (the first t1 kept)", got)
	}
}
