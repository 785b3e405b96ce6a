package ingest

import (
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"
)

// TestEncodingHint: a GB18030 file read as UTF-8 (no csv.encoding) whose
// mapped Chinese header is not found fails with a hint to set csv.encoding;
// with the encoding set it loads; a plain misnamed column gets no hint.
func TestEncodingHint(t *testing.T) {
	t.Parallel()
	gb, err := simplifiedchinese.GB18030.NewEncoder().String("到访时间,访客编号,渠道\n2025-01-02 10:00:00,v1,微信\n2025-01-03 11:00:00,v2,百度\n")
	if err != nil {
		t.Fatal(err)
	}
	src := "  - name: visits\n    dataset: touchpoints\n    path: data/visits.csv\n    columns: {occurred_at: 到访时间, anonymous_id: 访客编号, channel: 渠道}\n"

	h := newHarness(t, src)
	h.write("data/visits.csv", gb)
	rep, err := h.run()
	if err == nil {
		t.Fatal("a GB18030 file read as UTF-8 loaded")
	}
	f := only(t, rep)
	if f.Status != Failed || !strings.Contains(f.Message, `column "到访时间" (mapped to occurred_at) is not in the file`) ||
		!strings.Contains(f.Message, "set csv: {encoding: gb18030} on source visits") {
		t.Fatalf("status %s, message %q: no hint to set csv.encoding", f.Status, f.Message)
	}

	h = newHarness(t, src+"    csv: {encoding: gb18030}\n")
	h.write("data/visits.csv", gb)
	wantCounts(t, only(t, h.mustRun()), Loaded, 2, 2, 0, 0)
	if got := h.str(`SELECT string_agg(channel, ',' ORDER BY anonymous_id) FROM touchpoints`); got != "微信,百度" {
		t.Errorf("channels = %q", got)
	}

	h = newHarness(t, "  - name: web\n    dataset: touchpoints\n    path: data/w.csv\n    columns: {anonymous_id: cookie}\n")
	h.write("data/w.csv", "occurred_at,visitor\n2025-01-02 10:00:00,v1\n")
	rep, _ = h.run()
	if m := only(t, rep).Message; !strings.Contains(m, "is not in the file") || strings.Contains(m, "encoding") {
		t.Errorf("an ASCII misnamed column: %q", m)
	}
}
