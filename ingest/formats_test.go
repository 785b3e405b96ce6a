package ingest

import (
	"bytes"
	"compress/gzip"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/klauspost/compress/zstd"
	"golang.org/x/text/encoding/simplifiedchinese"

	"attrib/warehouse"
)

func gzipBytes(t *testing.T, s string) string {
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	if _, err := zw.Write([]byte(s)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func zstdBytes(t *testing.T, s string) string {
	enc, err := zstd.NewWriter(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer enc.Close()
	return string(enc.EncodeAll([]byte(s), nil))
}

// touchRecord builds an Arrow batch: fmt1 is a good row, fmt2 has no time.
func touchRecord(prefix string) arrow.RecordBatch {
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "occurred_at", Type: &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}, Nullable: true},
		{Name: "anonymous_id", Type: arrow.BinaryTypes.String},
		{Name: "cost", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "email", Type: arrow.BinaryTypes.String, Nullable: true},
	}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	ts := time.Date(2025, 1, 2, 10, 0, 0, 0, time.UTC).UnixMicro()
	b.Field(0).(*array.TimestampBuilder).AppendValues([]arrow.Timestamp{arrow.Timestamp(ts), 0}, []bool{true, false})
	b.Field(1).(*array.StringBuilder).AppendValues([]string{prefix + "1", prefix + "2"}, nil)
	b.Field(2).(*array.Float64Builder).AppendValues([]float64{1.25, 0}, []bool{true, false})
	b.Field(3).(*array.StringBuilder).AppendValues([]string{"A@x.org", "secret@x.org"}, nil)
	return b.NewRecordBatch()
}

func arrowFileBytes(t *testing.T, stream bool, prefix string) string {
	rec := touchRecord(prefix)
	defer rec.Release()
	var buf bytes.Buffer
	var w interface {
		Write(arrow.RecordBatch) error
		Close() error
	}
	if stream {
		w = ipc.NewWriter(&buf, ipc.WithSchema(rec.Schema()))
	} else {
		fw, err := ipc.NewFileWriter(&buf, ipc.WithSchema(rec.Schema()))
		if err != nil {
			t.Fatal(err)
		}
		w = fw
	}
	// Two batches: the reader must walk them all.
	for i := 0; i < 2; i++ {
		if err := w.Write(rec); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// ipcFile is an Arrow IPC file of the record batches.
func ipcFile(t *testing.T, recs ...arrow.RecordBatch) string {
	t.Helper()
	var buf bytes.Buffer
	w, err := ipc.NewFileWriter(&buf, ipc.WithSchema(recs[0].Schema()))
	if err != nil {
		t.Fatal(err)
	}
	for _, rec := range recs {
		if err := w.Write(rec); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// TestFormats loads one good and one bad row (no time) from every format;
// the good row must arrive typed, the bad one in rejected_rows with its raw
// record (e-mail masked).
func TestFormats(t *testing.T) {
	t.Parallel()
	csv := func(p string) string {
		return "occurred_at,anonymous_id,cost,email\n2025-01-02 10:00:00," + p + "1,1.25,A@x.org\n," + p + "2,,secret@x.org\n"
	}
	ndjson := func(p string) string {
		return `{"occurred_at":"2025-01-02T10:00:00Z","anonymous_id":"` + p + `1","cost":1.25,"email":"A@x.org"}` + "\n" +
			`{"anonymous_id":"` + p + `2","email":"secret@x.org"}` + "\n"
	}
	gb, err := simplifiedchinese.GB18030.NewEncoder().String("occurred_at,anonymous_id,cost,email,campaign\n2025-01-02 10:00:00,gb1,1.25,A@x.org,春季理财\n,gb2,,secret@x.org,春季理财\n")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, file, content, extra string
		dup                        int64
	}{
		{name: "csv", file: "a.csv", content: csv("csv")},
		{name: "tsv", file: "a.tsv", content: strings.ReplaceAll(csv("tsv"), ",", "\t")},
		{name: "csv gzip", file: "a.csv.gz", content: gzipBytes(t, csv("cgz"))},
		{name: "csv zstd", file: "a.csv.zst", content: zstdBytes(t, csv("czs"))},
		{name: "ndjson", file: "a.ndjson", content: ndjson("nd")},
		{name: "ndjson gzip", file: "a.jsonl.gz", content: gzipBytes(t, ndjson("ngz"))},
		{name: "ndjson zstd", file: "a.ndjson.zst", content: zstdBytes(t, ndjson("nzs"))},
		{name: "gb18030", file: "a.csv", content: gb, extra: "    csv: {encoding: gb18030}\n"},
		{name: "arrow file", file: "a.arrow", content: arrowFileBytes(t, false, "af"), dup: 1},
		{name: "arrow stream", file: "a.arrows", content: arrowFileBytes(t, true, "as"), dup: 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t, tpSource+c.extra, "ingest:\n  reject_threshold: 0.9\n")
			h.write("data/"+c.file, c.content)
			f := only(t, h.mustRun())
			// Arrow files carry their two rows twice (two batches): the repeat is a duplicate and a second reject.
			wantCounts(t, f, Loaded, 2+2*c.dup, 1, 1+c.dup, c.dup)
			got := h.str(`SELECT anonymous_id || ' ' || occurred_at::VARCHAR || ' ' || cost::VARCHAR || ' ' || (email = ?) FROM touchpoints`, hmacHex("test-key", "a@x.org"))
			if !strings.HasSuffix(got, "1 2025-01-02 10:00:00+00 1.2500 true") {
				t.Fatalf("row: %q", got)
			}
			rej := h.str(`SELECT line || ' ' || reason || ' ' || raw FROM rejected_rows ORDER BY line LIMIT 1`)
			if !strings.Contains(rej, "missing time") || !strings.Contains(rej, `2"`) || strings.Contains(rej, "secret") || !strings.Contains(rej, `***`) {
				t.Fatalf("reject: %q", rej)
			}
			if c.name == "gb18030" {
				if got := h.str(`SELECT campaign FROM touchpoints`); got != "春季理财" {
					t.Fatalf("campaign %q", got)
				}
			}
		})
	}
}

// Arrow views must not outlive the load: after a load the warehouse file
// reopens and no view is left in it.
func TestArrowLeavesNoView(t *testing.T) {
	t.Parallel()
	h := newHarness(t, tpSource, "ingest:\n  reject_threshold: 0.9\n")
	h.write("data/a.arrow", arrowFileBytes(t, false, "v"))
	h.mustRun()
	h.close()
	h.open()
	// attribution_credits and attribution_credits_data_driven are the schema's views (migrations 0045
	// and 0046).
	if n := h.int(`SELECT count(*) FROM duckdb_views() WHERE NOT internal AND view_name NOT IN ('attribution_credits', 'attribution_credits_data_driven')`); n != 0 {
		t.Fatalf("%d views left", n)
	}
	if n := h.int(`SELECT count(*) FROM touchpoints`); n != 1 {
		t.Fatalf("touchpoints %d", n)
	}
}

func TestArrowCorruptFails(t *testing.T) {
	t.Parallel()
	h := newHarness(t, tpSource)
	full := arrowFileBytes(t, true, "c")
	h.write("data/a.arrows", full[:len(full)-40])
	rep, err := h.run()
	if err == nil {
		t.Fatal("no error for a truncated arrow stream")
	}
	if f := only(t, rep); f.Status != Failed {
		t.Fatalf("%+v", f)
	}
	if n := h.int(`SELECT count(*) FROM touchpoints`); n != 0 {
		t.Fatalf("%d rows from a truncated stream", n)
	}
}

func TestParquet(t *testing.T) {
	t.Parallel()
	h := newHarness(t, tpSource, "ingest:\n  reject_threshold: 0.9\n")
	p := h.dir + "/data/a.parquet"
	if err := os.MkdirAll(h.dir+"/data", 0o755); err != nil {
		t.Fatal(err)
	}
	// Typed columns: a TIMESTAMPTZ time, DECIMAL cost, and a row without a time.
	_, err := h.w.DB().ExecContext(context.Background(), `COPY (
		SELECT * FROM (VALUES (TIMESTAMPTZ '2025-01-02 10:00:00+00', 'pq1', 1.25::DECIMAL(10, 2), 'A@x.org'),
		                      (NULL, 'pq2', NULL, 'secret@x.org')) v(occurred_at, anonymous_id, cost, email)
	) TO '`+p+`' (FORMAT parquet)`)
	if err != nil {
		t.Fatal(err)
	}
	wantCounts(t, only(t, h.mustRun()), Loaded, 2, 1, 1, 0)
	if got := h.str(`SELECT anonymous_id || ' ' || occurred_at::VARCHAR || ' ' || cost::VARCHAR FROM touchpoints`); got != "pq1 2025-01-02 10:00:00+00 1.2500" {
		t.Fatalf("row %q", got)
	}
	if got := h.str(`SELECT line || ' ' || raw FROM rejected_rows`); !strings.HasPrefix(got, "2 ") || !strings.Contains(got, `"pq2"`) || strings.Contains(got, "secret") {
		t.Fatalf("reject %q", got)
	}
}

// An Arrow file with columns the mapping does not read, in any order: the
// values land in the right columns (duckdb-go's Arrow scan ignores DuckDB's
// column projection, see withArrowView), and a rejected row's raw record
// still has every column.
func TestArrowUnmappedColumns(t *testing.T) {
	t.Parallel()
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "note", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "cost", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "anonymous_id", Type: arrow.BinaryTypes.String},
		{Name: "extra", Type: arrow.PrimitiveTypes.Int64},
		{Name: "occurred_at", Type: &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}, Nullable: true},
	}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	ts := arrow.Timestamp(time.Date(2025, 1, 2, 10, 0, 0, 0, time.UTC).UnixMicro())
	b.Field(0).(*array.StringBuilder).AppendValues([]string{"", "keep me", ""}, []bool{false, true, false})
	b.Field(1).(*array.Float64Builder).AppendValues([]float64{1.25, 2, 3.5}, nil)
	b.Field(2).(*array.StringBuilder).AppendValues([]string{"u1", "u2", "u3"}, nil)
	b.Field(3).(*array.Int64Builder).AppendValues([]int64{7, 8, 9}, nil)
	b.Field(4).(*array.TimestampBuilder).AppendValues([]arrow.Timestamp{ts, 0, ts}, []bool{true, false, true})
	rec := b.NewRecordBatch()
	defer rec.Release()
	h := newHarness(t, tpSource, "ingest:\n  reject_threshold: 0.9\n")
	h.write("data/a.arrow", ipcFile(t, rec))
	wantCounts(t, only(t, h.mustRun()), Loaded, 3, 2, 1, 0)
	got := h.strs(`SELECT anonymous_id || ' ' || cost::VARCHAR || ' ' || occurred_at::VARCHAR FROM touchpoints ORDER BY 1`)
	if strings.Join(got, "; ") != "u1 1.2500 2025-01-02 10:00:00+00; u3 3.5000 2025-01-02 10:00:00+00" {
		t.Fatalf("rows %q", got)
	}
	if raw := h.str(`SELECT raw FROM rejected_rows`); !strings.Contains(raw, `"keep me"`) || !strings.Contains(raw, `"extra":8`) {
		t.Fatalf("raw %q", raw)
	}
}

// Parquet columns that arrive typed (timestamps, dates, decimals, integers)
// are taken as they are, without the round trip through text: the row ids
// must still be the ones the text path gives, so the same rows as text (a
// CSV of the values cast to VARCHAR, which is what the text path typed) are
// all duplicates, money included.
func TestNativeTypesKeepRowIDs(t *testing.T) {
	t.Parallel()
	srcs := `  - name: tp
    dataset: touchpoints
    path: tp/*
  - name: sp
    dataset: spend
    path: sp/*
`
	h := newHarness(t, srcs, "ingest:\n  reject_threshold: 0.9\n")
	for _, d := range []string{"tp", "sp"} {
		if err := os.MkdirAll(h.dir+"/"+d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	touches := `SELECT * FROM (VALUES
		(TIMESTAMPTZ '2025-01-02 10:00:00.123456+00', TIMESTAMP '2025-01-02 11:00:00', '2025-01-02 12:00:00'::TIMESTAMP_S, '2025-01-02 13:00:00.5'::TIMESTAMP_MS, DATE '2025-01-03', 'a1', 1.25::DECIMAL(10, 2), 3::INTEGER),
		(TIMESTAMPTZ '2025-01-02 23:59:59+08', TIMESTAMP '2025-01-02 00:00:00', '2025-01-02 00:00:01'::TIMESTAMP_S, '2025-01-02 00:00:00.001'::TIMESTAMP_MS, DATE '2024-12-31', 'a2', 0.5::DECIMAL(18, 4), 12345678901234::BIGINT)
	) v(t_tz, t_plain, t_s, t_ms, t_date, anonymous_id, cost_dec, cost_int)`
	spend := `SELECT * FROM (VALUES (DATE '2025-01-02', 'Search', 12.5::DECIMAL(10, 2), 100::INTEGER, 5::UBIGINT),
		(DATE '2025-01-03', 'TV', 7::DECIMAL(10, 2), NULL::INTEGER, NULL::UBIGINT)) v(date, channel, spend, impressions, clicks)`
	ctx := context.Background()
	copyTo := func(q, file, opts string) {
		t.Helper()
		// COPY takes no bound file name; these are the test's own temp paths.
		if _, err := h.w.DB().ExecContext(ctx, "COPY ("+q+") TO "+warehouse.QuoteLiteral(h.dir+"/"+file)+" ("+opts+")"); err != nil {
			t.Fatal(err)
		}
	}
	asText := func(q string) string {
		return "SELECT COLUMNS(*)::VARCHAR FROM (" + q + ")"
	}
	cols := []struct{ time, cost string }{{"t_tz", "cost_dec"}, {"t_plain", "cost_int"}, {"t_s", "cost_dec"}, {"t_ms", "cost_int"}, {"t_date", "cost_dec"}}
	for i, c := range cols {
		q := "SELECT " + c.time + " AS occurred_at, anonymous_id, " + c.cost + " AS cost FROM (" + touches + ")"
		copyTo(q, "tp/"+itoa(int64(i))+"a.parquet", "FORMAT parquet")
		copyTo(asText(q), "tp/"+itoa(int64(i))+"b.csv", "FORMAT csv, HEADER")
	}
	copyTo(spend, "sp/a.parquet", "FORMAT parquet")
	copyTo(asText(spend), "sp/b.csv", "FORMAT csv, HEADER")
	rep := h.mustRun()
	for _, f := range rep.Files {
		switch filepath.Ext(f.Path) {
		case ".parquet":
			wantCounts(t, f, Loaded, 2, 2, 0, 0)
		case ".csv":
			wantCounts(t, f, Loaded, 2, 0, 0, 2)
		}
	}
	if n := h.int(`SELECT count(*) FROM touchpoints`); n != 10 {
		t.Fatalf("touchpoints %d, want 10", n)
	}
}
