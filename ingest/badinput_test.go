package ingest

import (
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// badInputSources has a touchpoints source with an explicit delimiter, one
// with a column mapping, and a spend source.
const badInputSources = `  - name: web
    dataset: touchpoints
    path: data/*
    csv: {delimiter: ",", quote: "\""}
  - name: mapped
    dataset: touchpoints
    path: mapped/*
    columns: {occurred_at: ts, anonymous_id: cookie}
  - name: sp
    dataset: spend
    path: spend/*
`

const baseCSV = "occurred_at,anonymous_id,channel\n2025-01-01 10:00:00,base1,Email\n2025-01-01 11:00:00,base2,Email\n"

type vanishing struct{ target string }

func (v vanishing) Start(path string, size int64) {
	if filepath.Base(path) == v.target {
		_ = os.Remove(path)
	}
}
func (vanishing) Done(FileResult) {}

// TestBadInput loads a good file, then each kind of bad input; each has one
// documented outcome (docs/ingest.md), and the rows loaded before stay.
func TestBadInput(t *testing.T) {
	t.Parallel()
	gz := func(s string) string {
		var b bytes.Buffer
		zw := gzip.NewWriter(&b)
		_, _ = zw.Write([]byte(s))
		_ = zw.Close()
		return b.String()
	}
	var big strings.Builder
	big.WriteString(strings.Repeat("x", 10<<20))
	longCampaign := big.String()
	var longRows strings.Builder
	for i := 0; i < 200; i++ {
		longRows.WriteString("2025-01-02 10:00:00,r" + string(rune('a'+i%26)) + ",Email\n")
	}
	truncated := gz(baseCSV + strings.Repeat("2025-01-02 10:00:00,tail,Email\n", 2000))
	truncated = truncated[:len(truncated)/2]

	type check func(t *testing.T, h *harness, f FileResult)
	cases := []struct {
		name    string
		file    string // path under the harness dir
		content string
		hooks   func(*Options)
		st      Status
		counts  [4]int64 // read, loaded, rejected, duplicate
		msg     string   // part of the file's message
		check   check
	}{
		{name: "empty file", file: "data/b.csv", content: "", st: Loaded, msg: "empty file"},
		{name: "header only", file: "data/b.csv", content: "occurred_at,anonymous_id\n", st: Loaded, msg: "no rows"},
		{name: "wrong delimiter", file: "data/b.csv", content: "occurred_at;anonymous_id\n2025-01-02 10:00:00;x\n",
			st: Failed, msg: `required column occurred_at is neither mapped nor in the file; its columns are: occurred_at;anonymous_id`},
		{name: "truncated gzip", file: "data/b.csv.gz", content: truncated, st: Failed, msg: "damaged or truncated gzip file",
			check: func(t *testing.T, h *harness, f FileResult) {
				if n := h.int(`SELECT count(*) FROM ingest_files WHERE status = 'failed' AND path LIKE '%b.csv.gz'`); n != 1 {
					t.Errorf("failed gzip recorded %d times, want 1", n)
				}
			}},
		{name: "mixed types in a column", file: "data/b.csv",
			content: "occurred_at,anonymous_id,cost\n2025-01-02 10:00:00,m1,1.50\n2025-01-02 10:00:00,m2,abc\n2025-01-02 10:00:00,m3,2\n",
			st:      Loaded, counts: [4]int64{3, 2, 1, 0},
			check: func(t *testing.T, h *harness, f FileResult) {
				if got := h.str(`SELECT line || ' ' || field || ' ' || reason FROM rejected_rows`); got != `3 cost unparseable cost "abc"` {
					t.Errorf("reject = %q", got)
				}
				if got := h.str(`SELECT sum(cost)::VARCHAR FROM touchpoints WHERE anonymous_id IN ('m1', 'm3')`); got != "3.5000" {
					t.Errorf("cost sum = %s, want 3.5000", got)
				}
			}},
		{name: "BOM", file: "data/b.csv", content: "\ufeffoccurred_at,anonymous_id\n2025-01-02 10:00:00,bom1\n",
			st: Loaded, counts: [4]int64{1, 1, 0, 0},
			check: func(t *testing.T, h *harness, f FileResult) {
				if got := h.str(`SELECT occurred_at::VARCHAR FROM touchpoints WHERE anonymous_id = 'bom1'`); got != "2025-01-02 10:00:00+00" {
					t.Errorf("occurred_at = %s", got)
				}
			}},
		{name: "CRLF", file: "data/b.csv", content: "occurred_at,anonymous_id\r\n2025-01-02 10:00:00,crlf1\r\n2025-01-02 11:00:00,crlf2\r\n",
			st: Loaded, counts: [4]int64{2, 2, 0, 0},
			check: func(t *testing.T, h *harness, f FileResult) {
				if n := h.int(`SELECT count(*) FROM touchpoints WHERE anonymous_id IN ('crlf1', 'crlf2')`); n != 2 {
					t.Errorf("values carry a carriage return: %d exact matches", n)
				}
			}},
		{name: "quoted newlines", file: "data/b.csv",
			content: "occurred_at,anonymous_id,campaign\n2025-01-02 10:00:00,q1,\"spring\nsale\"\nnot a time,q2,x\n2025-01-02 11:00:00,q3,y\n",
			st:      Loaded, counts: [4]int64{3, 2, 1, 0},
			check: func(t *testing.T, h *harness, f FileResult) {
				if got := h.str(`SELECT campaign FROM touchpoints WHERE anonymous_id = 'q1'`); got != "spring\nsale" {
					t.Errorf("campaign = %q", got)
				}
				// line is the physical line: q2 is the 2nd data record and starts on line 4,
				// after the record spanning lines 2-3.
				if n := h.int(`SELECT line FROM rejected_rows`); n != 4 {
					t.Errorf("line = %d, want 4", n)
				}
			}},
		{name: "10 MB line", file: "data/b.csv",
			content: "occurred_at,anonymous_id,campaign\n2025-01-02 10:00:00,long1," + longCampaign + "\n2025-01-02 10:00:00,long2,short\n",
			st:      Loaded, counts: [4]int64{2, 2, 0, 0},
			check: func(t *testing.T, h *harness, f FileResult) {
				if n := h.int(`SELECT length(campaign) FROM touchpoints WHERE anonymous_id = 'long1'`); n != 10<<20 {
					t.Errorf("campaign length %d", n)
				}
			}},
		{name: "a line over 16 MiB", file: "data/b.csv",
			content: "occurred_at,anonymous_id,campaign\n2025-01-02 10:00:00,huge," + longCampaign + longCampaign + "\n2025-01-02 10:00:00,after,short\n",
			st:      Failed, msg: "Maximum line size of 16777216 bytes exceeded",
			check: func(t *testing.T, h *harness, f FileResult) {
				// DuckDB quotes the offending line; the message keeps none of it.
				if strings.Contains(f.Message, "xxxxxxxx") || len(f.Message) > 1000 {
					t.Errorf("message carries the raw line (%d bytes)", len(f.Message))
				}
			}},
		{name: "unknown time zone", file: "data/b.csv",
			content: "occurred_at,anonymous_id\n2025-01-02 10:00:00 Mars/Olympus,tz1\n2025-01-02 10:00:00+08:00,tz2\n",
			st:      Loaded, counts: [4]int64{2, 1, 1, 0},
			check: func(t *testing.T, h *harness, f FileResult) {
				if got := h.str(`SELECT reason FROM rejected_rows`); got != `unparseable time "2025-01-02 10:00:00 Mars/Olympus"` {
					t.Errorf("reason = %q", got)
				}
				if got := h.str(`SELECT occurred_at::VARCHAR FROM touchpoints WHERE anonymous_id = 'tz2'`); got != "2025-01-02 02:00:00+00" {
					t.Errorf("explicit offset read as %s", got)
				}
			}},
		{name: "negative spend", file: "spend/s.csv",
			content: "date,channel,spend\n2025-01-02,Email,10.5\n2025-01-02,Display,-3\n",
			st:      Loaded, counts: [4]int64{2, 1, 1, 0},
			check: func(t *testing.T, h *harness, f FileResult) {
				if got := h.str(`SELECT line || ' ' || field || ' ' || reason FROM rejected_rows`); got != `3 spend negative spend "-3"` {
					t.Errorf("reject = %q", got)
				}
				if got := h.str(`SELECT spend::VARCHAR FROM spend`); got != "10.5000" {
					t.Errorf("spend = %s", got)
				}
			}},
		{name: "dates in the future", file: "data/b.csv",
			content: "occurred_at,anonymous_id\n2030-01-01 00:00:00,f1\n2025-06-01 23:00:00,f2\n",
			st:      Loaded, counts: [4]int64{2, 1, 1, 0},
			check: func(t *testing.T, h *harness, f FileResult) {
				// testNow + 24h tolerance: 2025-06-01 23:00 is accepted, 2030 is not.
				if got := h.str(`SELECT reason FROM rejected_rows`); got != `time in the future "2030-01-01 00:00:00"` {
					t.Errorf("reason = %q", got)
				}
			}},
		{name: "duplicate ids within a file", file: "data/b.csv",
			content: "touchpoint_id,occurred_at,anonymous_id,channel\nt1,2025-01-02 10:00:00,d1,First\nt1,2025-01-02 10:00:00,d1,Second\nt2,2025-01-02 10:00:00,d2,Other\n",
			st:      Loaded, counts: [4]int64{3, 2, 0, 1},
			check: func(t *testing.T, h *harness, f FileResult) {
				if got := h.str(`SELECT channel FROM touchpoints WHERE touchpoint_id = 't1'`); got != "First" {
					t.Errorf("kept %s, want the first occurrence", got)
				}
			}},
		{name: "duplicate rows without an id in a file with ids", file: "data/b.csv",
			content: "touchpoint_id,occurred_at,anonymous_id,channel\nt1,2025-01-02 10:00:00,d1,First\n,2025-01-02 11:00:00,d3,Same\n, 2025-01-02 11:00:00 ,d3,Same \nt2,2025-01-02 10:00:00,d2,Other\n",
			st:      Loaded, counts: [4]int64{4, 3, 0, 1},
			check: func(t *testing.T, h *harness, f FileResult) {
				if n := h.int(`SELECT count(*) FROM touchpoints WHERE anonymous_id = 'd3' AND starts_with(touchpoint_id, 'tp_')`); n != 1 {
					t.Errorf("%d rows of d3, want 1 with its content hash", n)
				}
			}},
		{name: "invalid UTF-8", file: "data/b.csv",
			content: "occurred_at,anonymous_id\n2025-01-02 10:00:00,ok1\n2025-01-02 10:00:00,bad\xff\xfe\n2025-01-02 10:00:00,ok2\n",
			st:      Loaded, counts: [4]int64{3, 2, 1, 0},
			check: func(t *testing.T, h *harness, f FileResult) {
				if got := h.str(`SELECT line || ' ' || reason FROM rejected_rows`); !strings.HasPrefix(got, "3 invalid encoding: ") {
					t.Errorf("reject = %q", got)
				}
			}},
		{name: "wrong number of fields", file: "data/b.csv",
			content: "occurred_at,anonymous_id\n2025-01-02 10:00:00\n2025-01-02 10:00:00,w1\n2025-01-02 10:00:00,w2,extra\nnot a time,w3\n",
			st:      Loaded, counts: [4]int64{4, 1, 3, 0},
			check: func(t *testing.T, h *harness, f FileResult) {
				got := strings.Join(h.strs(`SELECT line || ' ' || split_part(reason, ':', 1) FROM rejected_rows ORDER BY line`), "; ")
				if got != "2 missing columns; 4 too many columns; 5 unparseable time \"not a time\"" {
					t.Errorf("rejects = %q", got)
				}
			}},
		{name: "a column mapped that does not exist", file: "mapped/m.csv",
			content: "ts,visitor\n2025-01-02 10:00:00,v1\n", st: Failed,
			msg: `column "cookie" (mapped to anonymous_id) is not in the file; its columns are: ts, visitor`},
		{name: "a file that vanishes mid-run", file: "data/b.csv", content: baseCSV + "2025-01-03 10:00:00,gone,Email\n",
			hooks: func(o *Options) { o.Progress = vanishing{target: "b.csv"} },
			st:    Failed, msg: "file vanished"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t, badInputSources, "ingest:\n  reject_threshold: 0.8\n")
			h.write("data/a_base.csv", baseCSV)
			wantCounts(t, only(t, h.mustRun()), Loaded, 2, 2, 0, 0)

			h.write(c.file, c.content)
			opts := []func(*Options){}
			if c.hooks != nil {
				opts = append(opts, c.hooks)
			}
			rep, err := h.run(opts...)
			checkAccounting(t, rep)
			f := byBase(t, rep, filepath.Base(c.file))
			if (err != nil) != (c.st == Failed) {
				t.Fatalf("run error %v for status %s", err, f.Status)
			}
			if byBase(t, rep, "a_base.csv").Status != Skipped {
				t.Errorf("the loaded file was not skipped")
			}
			wantCounts(t, f, c.st, c.counts[0], c.counts[1], c.counts[2], c.counts[3])
			if !strings.Contains(f.Message, c.msg) {
				t.Errorf("message %q does not contain %q", f.Message, c.msg)
			}
			// Nothing loaded before is lost.
			if n := h.int(`SELECT count(*) FROM touchpoints WHERE anonymous_id IN ('base1', 'base2')`); n != 2 {
				t.Errorf("base rows: %d, want 2", n)
			}
			if c.st == Failed {
				if n := h.int(`SELECT count(*) FROM touchpoints`) + h.int(`SELECT count(*) FROM spend`); n != 2 {
					t.Errorf("a failed file left rows: %d rows, want 2", n)
				}
				if n := h.int(`SELECT count(*) FROM rejected_rows`); n != 0 {
					t.Errorf("a failed file left %d rejected rows", n)
				}
			}
			if c.check != nil {
				c.check(t, h, f)
			}
		})
	}
}

// A damaged Parquet file fails the whole file: nothing of it loads, the
// message says where, and earlier loads stay.
func TestBrokenStructuredFilesFail(t *testing.T) {
	t.Parallel()
	h := newHarness(t, tpSource)
	h.write("data/a_base.csv", baseCSV)
	h.mustRun()
	h.write("data/c.parquet", "PAR1 this is not a parquet file PAR1")
	rep, err := h.run()
	if err == nil {
		t.Fatal("no error")
	}
	if f := byBase(t, rep, "c.parquet"); f.Status != Failed || !strings.HasPrefix(f.Message, "read") {
		t.Errorf("c.parquet: %s %q", f.Status, f.Message)
	}
	if n := h.int(`SELECT count(*) FROM touchpoints`); n != 2 {
		t.Fatalf("touchpoints %d, want the 2 loaded before", n)
	}
}

// A malformed NDJSON line (not JSON, or not UTF-8) is one rejected row with
// its physical line, field json, the parser's reason and the line with its
// e-mail address and phone number masked; the other lines load, with LF or
// CRLF line ends, plain or compressed, and blank lines still count as lines.
func TestMalformedNDJSONLines(t *testing.T) {
	t.Parallel()
	var lines []string
	for i := 1; i <= 40; i++ {
		lines = append(lines, `{"occurred_at":"2025-01-02T10:00:00Z","anonymous_id":"n`+itoa(int64(i))+`","cost":"1.5"}`)
	}
	// Physical lines: 3 malformed (holding an e-mail address and a phone number), 6 blank,
	// 10 not UTF-8, 12 a good JSON line with an unparseable time.
	lines = append(lines[:2], append([]string{`{"occurred_at": "2025-01-02T10:00:00Z", "email": "Jane.Doe@example.org", "phone": "+44 20 7946 0958", "anonymous_id": }`}, lines[2:]...)...)
	lines = append(lines[:5], append([]string{""}, lines[5:]...)...)
	lines = append(lines[:9], append([]string{"{\"occurred_at\":\"2025-01-02T10:00:00Z\",\"anonymous_id\":\"caf\xe9\"}"}, lines[9:]...)...)
	lines = append(lines[:11], append([]string{`{"occurred_at":"yesterday","anonymous_id":"late"}`}, lines[11:]...)...)
	lf := strings.Join(lines, "\n") + "\n"
	crlf := strings.Join(lines, "\r\n") + "\r\n"
	cases := []struct{ name, file, content string }{
		{"lf", "a.ndjson", lf},
		{"crlf", "a.ndjson", crlf},
		{"crlf gzip", "a.ndjson.gz", gzipBytes(t, crlf)},
		{"lf zstd", "a.jsonl.zst", zstdBytes(t, lf)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t, tpSource, "ingest:\n  reject_threshold: 0.1\n")
			h.write("data/"+c.file, c.content)
			f := only(t, h.mustRun())
			wantCounts(t, f, Loaded, 43, 40, 3, 0)
			got := h.strs(`SELECT line || ' ' || field || ' ' || reason FROM rejected_rows ORDER BY line`)
			want := []string{"3 json malformed JSON at byte ", "10 json invalid encoding", "12 occurred_at unparseable time \"yesterday\""}
			if len(got) != len(want) {
				t.Fatalf("rejects %q", got)
			}
			for i := range want {
				if !strings.HasPrefix(got[i], want[i]) {
					t.Fatalf("reject %d: %q, want %q...", i, got[i], want[i])
				}
			}
			raw := h.str(`SELECT raw FROM rejected_rows WHERE line = 3`)
			if strings.Contains(raw, "Jane") || strings.Contains(raw, "7946") || !strings.Contains(raw, `"anonymous_id": }`) {
				t.Fatalf("raw of the malformed line: %q", raw)
			}
			if n := h.int(`SELECT count(*) FROM touchpoints WHERE anonymous_id LIKE 'n%' AND cost = 1.5 AND NOT contains(anonymous_id, chr(13))`); n != 40 {
				t.Fatalf("%d good rows loaded", n)
			}
		})
	}
}

// A file that is nothing but malformed lines is over the threshold: it fails, loads nothing, and says why.
func TestMalformedNDJSONOverThreshold(t *testing.T) {
	t.Parallel()
	h := newHarness(t, tpSource)
	h.write("data/a.ndjson", "{\"occurred_at\": \n{oops}\n")
	rep, err := h.run()
	if err == nil {
		t.Fatal("no error")
	}
	f := only(t, rep)
	if f.Status != Failed || !strings.Contains(f.Message, "2 of 2 rows") || !strings.Contains(f.Message, "line 1 json: malformed JSON") {
		t.Fatalf("%s %q", f.Status, f.Message)
	}
	if n := h.int(`SELECT count(*) FROM touchpoints`) + h.int(`SELECT count(*) FROM rejected_rows`); n != 0 {
		t.Fatalf("%d rows stored", n)
	}
}

// TestCSVRejectLinesArePhysical: rejected rows of a CSV file carry the line an
// editor shows, also after blank lines, a quoted field spanning two lines and
// a record the reader could not split; with LF or CRLF, plain or gzip.
func TestCSVRejectLinesArePhysical(t *testing.T) {
	t.Parallel()
	// Physical lines: 1 header, 2 blank, 3 good, 4-5 one record, 6 blank, 7 bad
	// time, 8 too many fields, 9 blank, 10 bad time, 11 good.
	lf := "occurred_at,anonymous_id,campaign\n\n2025-01-02 10:00:00,a,x\n2025-01-02 10:00:00,b,\"two\nlines\"\n\n" +
		"not a time,c,x\n2025-01-02 10:00:00,d,x,extra\n\nbad again,e,x\n2025-01-02 11:00:00,f,x\n"
	crlf := strings.ReplaceAll(lf, "\n", "\r\n")
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	_, _ = zw.Write([]byte(crlf))
	_ = zw.Close()
	for _, tc := range []struct{ name, file, content string }{
		{"LF", "data/a.csv", lf},
		{"CRLF", "data/a.csv", crlf},
		{"CRLF gzip", "data/a.csv.gz", gz.String()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, "  - name: web\n    dataset: touchpoints\n    path: data/*\n", "ingest:\n  reject_threshold: 0.9\n")
			h.write(tc.file, tc.content)
			if _, err := h.run(); err != nil {
				t.Fatal(err)
			}
			got := strings.Join(h.strs(`SELECT line::VARCHAR || ' ' || coalesce(field, '') FROM rejected_rows ORDER BY line`), "; ")
			if want := "7 occurred_at; 8 ; 10 occurred_at"; got != want { // a record with too many fields names no field
				t.Errorf("rejected lines %q, want %q", got, want)
			}
			if n := h.int(`SELECT count(*) FROM touchpoints`); n != 3 {
				t.Errorf("%d rows loaded, want 3 (a, b, f)", n)
			}
		})
	}
}
