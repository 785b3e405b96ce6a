package ingest

import (
	"bytes"
	"compress/gzip"
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/klauspost/compress/zstd"
	"golang.org/x/text/encoding/simplifiedchinese"
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

// TestFormats loads one good and one bad row (no time) from every format;
// the good row must arrive typed, the bad one in rejected_rows with its raw
// record (e-mail masked).
func TestFormats(t *testing.T) {
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
	h := newHarness(t, tpSource, "ingest:\n  reject_threshold: 0.9\n")
	h.write("data/a.arrow", arrowFileBytes(t, false, "v"))
	h.mustRun()
	h.close()
	h.open()
	if n := h.int(`SELECT count(*) FROM duckdb_views() WHERE NOT internal`); n != 0 {
		t.Fatalf("%d views left", n)
	}
	if n := h.int(`SELECT count(*) FROM touchpoints`); n != 1 {
		t.Fatalf("touchpoints %d", n)
	}
}

func TestArrowCorruptFails(t *testing.T) {
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
