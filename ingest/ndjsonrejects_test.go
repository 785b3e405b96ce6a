package ingest

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/md5"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// ndjsonWithRejects is a streamed NDJSON file with four bad objects among
// blank lines, CRLF and spaces around objects: the same bad object twice
// (records 2 and 24), a negative cost (record 25) and one on the last line,
// which has no line end (record 38). Its 40 lines hold 38 records.
func ndjsonWithRejects() string {
	good := func(id string) string { return `{"occurred_at":"2025-01-02 10:00:00","anonymous_id":"` + id + `"}` }
	bad := `{"occurred_at":"soon","anonymous_id":"dup","email":"Jane@example.org"}`
	var b strings.Builder
	b.WriteString(good("p0") + "\n")        // line 1, record 1
	b.WriteString("\n")                     // line 2, blank
	b.WriteString(bad + "\r\n")             // line 3, record 2
	b.WriteString("  " + good("p1") + "\n") // line 4, record 3
	for i := 2; i < 22; i++ {               // lines 5-24, records 4-23
		b.WriteString(good("p"+itoa(int64(i))) + "\n")
	}
	b.WriteString("   \n")                                                                         // line 25, blank
	b.WriteString(bad + "\t\n")                                                                    // line 26, record 24
	b.WriteString(`{"occurred_at":"2025-01-02 10:00:00","anonymous_id":"neg","cost":"-3"}` + "\n") // line 27, record 25
	for i := 22; i < 34; i++ {                                                                     // lines 28-39, records 26-37
		b.WriteString(good("p"+itoa(int64(i))) + "\n")
	}
	b.WriteString(`{"occurred_at":"2025-01-02 10:00:00","anonymous_id":"neg2","cost":"-4"}`) // line 40, record 38
	return b.String()
}

// TestNDJSONRejectsFoundByLine: a streamed NDJSON file's rejected rows are
// found by their text in a scan of the file in Go (ndjsonRejects), not by
// numbering every record in DuckDB, plain and gzip-compressed, with record
// numbers (blank lines not counted) and masked raw records (the mask adds
// the e-mail key where it is missing, as the serial way does); when content
// keys collide, the serial way gives the same rows, and when the texts are
// too many for Go, the numbered scan does.
func TestNDJSONRejectsFoundByLine(t *testing.T) {
	// Not parallel: it switches the package variables smallFileBytes and collideKeys.
	defer func(n int64) { smallFileBytes = n }(smallFileBytes)
	smallFileBytes = 0
	defer func() { collideKeys = false }()
	want := []string{
		`2 occurred_at unparseable time "soon" {"occurred_at":"soon","anonymous_id":"dup","email":"***"}`,
		`24 occurred_at unparseable time "soon" {"occurred_at":"soon","anonymous_id":"dup","email":"***"}`,
		`25 cost negative cost "-3" {"occurred_at":"2025-01-02 10:00:00","anonymous_id":"neg","cost":"-3","email":"***"}`,
		`38 cost negative cost "-4" {"occurred_at":"2025-01-02 10:00:00","anonymous_id":"neg2","cost":"-4","email":"***"}`,
	}
	content := ndjsonWithRejects()
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	if _, err := zw.Write([]byte(content)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	defer func(n int64) { ndjsonRejectTextsMaxBytes = n }(ndjsonRejectTextsMaxBytes)
	defer func() { ndjsonSigs = true }()
	for _, c := range []struct {
		name, body       string
		collide, tooMany bool // keys collide; the rejected texts are over what Go may hold
		sigs             bool // the check pass keeps signatures (only a file scanned when hashed: not gzip)
	}{
		{"a.ndjson", content, false, false, true}, {"a.ndjson", content, false, false, false},
		{"a.ndjson.gz", gz.String(), false, false, true}, {"a.ndjson", content, true, false, true},
		{"a.ndjson", content, false, true, false},
	} {
		collideKeys = c.collide
		ndjsonSigs = c.sigs
		ndjsonRejectTextsMaxBytes = 64 << 20
		if c.tooMany {
			ndjsonRejectTextsMaxBytes = 100 // the three distinct texts take 211 bytes
		}
		h := newHarness(t, tpSource, "ingest:\n  reject_threshold: 0.2\n")
		h.write("data/"+c.name, c.body)
		finds, serial, bySig := ndjsonLineFinds.Load(), serialRejectScans.Load(), ndjsonSigFinds.Load()
		wantCounts(t, only(t, h.mustRun()), Loaded, 38, 34, 4, 0)
		if sig := ndjsonSigFinds.Load() > bySig; sig != (c.sigs && !c.collide && !strings.HasSuffix(c.name, ".gz")) {
			t.Fatalf("%s collide=%v sigs=%v: rejects found by signature: %v", c.name, c.collide, c.sigs, sig)
		}
		if found := ndjsonLineFinds.Load() > finds; found == (c.collide || c.tooMany) {
			t.Fatalf("%s collide=%v tooMany=%v: rejects found by line in Go: %v", c.name, c.collide, c.tooMany, found)
		}
		if s := serialRejectScans.Load() > serial; s != c.collide {
			t.Fatalf("%s collide=%v: rejects numbered by the serial scan: %v", c.name, c.collide, s)
		}
		got := h.strs(`SELECT concat_ws(' ', line, field, reason, raw) FROM rejected_rows ORDER BY line`)
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Fatalf("%s collide=%v: rejected rows\n%s\nwant\n%s", c.name, c.collide, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}
}

// TestFindNDJSONLines: lines across chunk boundaries and at the end of the
// file without a line end are found, blank and space-only lines are not
// records, and a line of the same length as a text but other bytes is not
// a match.
func TestFindNDJSONLines(t *testing.T) {
	t.Parallel()
	long := `{"k":"` + strings.Repeat("x", 3<<20) + `"}` // longer than a read chunk
	body := "{\"a\":1}\n\n" + long + "\r\n \t\n{\"a\":2}\n{\"a\":1}  \n" + long
	path := filepath.Join(t.TempDir(), "f.ndjson")
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	var got []string
	texts := map[string]struct{}{`{"a":1}`: {}, long: {}}
	err := findNDJSONLines(context.Background(), path, newTextSet(texts), func(text string, _ uint64, rec int64) error {
		if len(text) > 10 {
			text = "long"
		}
		got = append(got, itoa(rec)+" "+text)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := `1 {"a":1}|2 long|4 {"a":1}|5 long`
	if g := strings.Join(got, "|"); g != want {
		t.Fatalf("got %s, want %s", g, want)
	}
}

// TestSigSetMatch: a line matches a signature only with the same first 48
// characters (code points, as DuckDB's left counts them), byte length and
// md5; the match gives the signature's key.
func TestSigSetMatch(t *testing.T) {
	t.Parallel()
	zh := `{"campaign":"` + strings.Repeat("招商银行", 12) + `","n":1}` // 48 characters take more than 48 bytes
	comb := `{"k":"` + strings.Repeat("e\u0301", 3) + strings.Repeat("é", 40) + `"}`
	sigOf := func(text string, key uint64) (string, sig) {
		return string(head([]byte(text), sigHead)), sig{bytes: len(text), md5: md5.Sum([]byte(text)), key: key}
	}
	set := sigSet{}
	for i, text := range []string{zh, comb} {
		h, g := sigOf(text, uint64(i+7))
		set[h] = append(set[h], g)
	}
	if h := head([]byte(zh), sigHead); string(h) != `{"campaign":"`+strings.Repeat("招商银行", 8)+`招商银` {
		t.Fatalf("head %q", h)
	}
	for _, c := range []struct {
		line string
		key  uint64
		ok   bool
	}{
		{zh, 7, true},
		{comb, 8, true},
		{strings.Replace(zh, `"n":1`, `"n":2`, 1), 0, false},       // same head and length, other bytes
		{strings.Replace(zh, `"n":1`, `"n":12`, 1), 0, false},      // same head, longer
		{strings.Replace(zh, `campaign`, `campaigm`, 1), 0, false}, // another head
	} {
		key, ok := set.match([]byte(c.line))
		if ok != c.ok || key != c.key {
			t.Errorf("%q: key %d ok %v, want %d %v", c.line, key, ok, c.key, c.ok)
		}
	}
}

// TestNDJSONRejectSigsNonASCII: rejected objects whose first 48 characters
// are not ASCII (Chinese campaign names, a combining accent) are found by
// signature: DuckDB's left and the scan in Go count the same characters.
func TestNDJSONRejectSigsNonASCII(t *testing.T) {
	// Not parallel: it switches the package variable smallFileBytes and reads counters.
	defer func(n int64) { smallFileBytes = n }(smallFileBytes)
	smallFileBytes = 0
	var b strings.Builder
	for i := 0; i < 30; i++ {
		fmt.Fprintf(&b, `{"campaign":"招商银行信用卡%d","occurred_at":"2025-01-02 10:00:00","anonymous_id":"p%d"}`+"\n", i, i)
	}
	b.WriteString(`{"campaign":"招商银行信用卡春节","occurred_at":"不是时间","anonymous_id":"bad1"}` + "\n")            // record 31
	b.WriteString(`{"campaign":"cafe` + "\u0301" + `","occurred_at":"soon","anonymous_id":"bad2"}` + "\n") // record 32
	b.WriteString(`{"campaign":"café","occurred_at":"2025-01-02 10:00:00","anonymous_id":"p99"}` + "\n")
	h := newHarness(t, tpSource, "ingest:\n  reject_threshold: 0.2\n")
	h.write("data/a.ndjson", b.String())
	bySig := ndjsonSigFinds.Load()
	wantCounts(t, only(t, h.mustRun()), Loaded, 33, 31, 2, 0)
	if ndjsonSigFinds.Load() == bySig {
		t.Fatal("rejects not found by signature")
	}
	got := h.strs(`SELECT concat_ws(' ', line, field, raw) FROM rejected_rows ORDER BY line`)
	want := []string{
		`31 occurred_at {"campaign":"招商银行信用卡春节","occurred_at":"不是时间","anonymous_id":"bad1"}`,
		`32 occurred_at {"campaign":"cafe` + "\u0301" + `","occurred_at":"soon","anonymous_id":"bad2"}`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("rejected rows\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
