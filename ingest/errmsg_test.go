package ingest

import (
	"strings"
	"testing"
)

func TestCleanMessage(t *testing.T) {
	t.Parallel()
	in := "Invalid Input Error: CSV Error on Line: 3\nOriginal Line: 2025-01-02,alice@example.com,+44 20 7946 0958\n" +
		"Maximum line size of 16777216 bytes exceeded. Contact bob@example.org or +1 (555) 010-4477 on 2025-01-02 10:00\n" +
		"Malformed JSON: unexpected character. Input: {\"email\":\"carol@example.net\"}"
	got := cleanMessage(in)
	want := "Invalid Input Error: CSV Error on Line: 3 | Maximum line size of 16777216 bytes exceeded. Contact *** or *** on 2025-01-02 10:00 | Malformed JSON: unexpected character. Input: (not shown)"
	if got != want {
		t.Fatalf("got  %q\nwant %q", got, want)
	}
	long := cleanMessage(strings.Repeat("é", 1000))
	if len(long) > maxMessage+4 || !strings.HasSuffix(long, " ...") || !strings.HasPrefix(long, "éé") {
		t.Fatalf("long message cut to %d bytes: %q...", len(long), long[:20])
	}
}
