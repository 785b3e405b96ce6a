package ingest

import (
	"strings"
	"testing"
)

// TestRejectsByContent: on the streaming road, rejected rows are found by
// content and then numbered (keyedRejects). Identical bad records at
// different lines are each rejected at their own line; and when keys
// collide the rejects are numbered the serial way, with the same result.
func TestRejectsByContent(t *testing.T) {
	// Not parallel: it switches the package variables smallFileBytes and collideKeys.
	defer func(n int64) { smallFileBytes = n }(smallFileBytes)
	smallFileBytes = 0
	var b strings.Builder
	b.WriteString("occurred_at,anonymous_id,cost,email\n")
	for i := 0; i < 40; i++ {
		switch i {
		case 5, 30: // the same bad record twice
			b.WriteString("soon,dup,1,Jane@example.org\n")
		case 12:
			b.WriteString("2025-01-02 10:00:00,neg,-3,\n")
		default:
			b.WriteString("2025-01-02 10:00:00,p" + itoa(int64(i)) + ",1.5,\n")
		}
	}
	want := []string{
		`7 occurred_at unparseable time "soon" {"occurred_at":"soon","anonymous_id":"dup","cost":"1","email":"***"}`,
		`14 cost negative cost "-3" {"occurred_at":"2025-01-02 10:00:00","anonymous_id":"neg","cost":"-3","email":"***"}`,
		`32 occurred_at unparseable time "soon" {"occurred_at":"soon","anonymous_id":"dup","cost":"1","email":"***"}`,
	}
	for _, collide := range []bool{false, true} {
		collideKeys = collide
		h := newHarness(t, tpSource, "ingest:\n  reject_threshold: 0.2\n")
		h.write("data/a.csv", b.String())
		before := serialRejectScans.Load()
		wantCounts(t, only(t, h.mustRun()), Loaded, 40, 37, 3, 0)
		if serial := serialRejectScans.Load() > before; serial != collide {
			t.Fatalf("collide=%v: rejects numbered by the serial scan: %v", collide, serial)
		}
		got := h.strs(`SELECT concat_ws(' ', line, field, reason, raw) FROM rejected_rows ORDER BY line`)
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Fatalf("collide=%v: rejected rows\n%s\nwant\n%s", collide, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}
	collideKeys = false
}
