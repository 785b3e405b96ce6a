package ingest

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func hmacHex(key, msg string) string {
	m := hmac.New(sha256.New, []byte(key))
	m.Write([]byte(msg))
	return hex.EncodeToString(m.Sum(nil))
}

// TestPIINeverReachesTheFile loads e-mail addresses and phone numbers (good
// rows, a row rejected by validation and a record the CSV reader cannot
// split), checkpoints, closes, and scans every byte of the warehouse files.
func TestPIINeverReachesTheFile(t *testing.T) {
	t.Parallel()
	h := newHarness(t, tpSource, "ingest:\n  reject_threshold: 0.6\n")
	h.write("data/a.csv", "occurred_at,email,phone,campaign\n"+
		"2025-01-02 10:00:00, Alice.Smith@Example.com ,+44 20 7946 0958,canary-campaign-one\n"+
		"2025-01-02 11:00:00,bob.jones@example.org,020 7946 0999,canary-campaign-two\n"+
		"not-a-time,carol.white@example.net,+1 (555) 010-4477,canary-campaign-three\n"+
		"2025-01-02 12:00:00,dave.black@example.com,+33 1 23 45 67 89,x,extra\n")
	wantCounts(t, only(t, h.mustRun()), Loaded, 4, 2, 2, 0)

	// The stored values are the HMACs of the normalised values.
	if got := h.str(`SELECT email FROM touchpoints WHERE campaign = 'canary-campaign-one'`); got != hmacHex("test-key", "alice.smith@example.com") {
		t.Fatalf("email stored as %s", got)
	}
	if got := h.str(`SELECT phone FROM touchpoints WHERE campaign = 'canary-campaign-two'`); got != hmacHex("test-key", "442079460999") {
		t.Fatalf("phone stored as %s", got)
	}
	raws := strings.Join(h.strs(`SELECT raw FROM rejected_rows ORDER BY line`), "\n")
	if strings.Count(raws, "***") != 4 {
		t.Fatalf("raw records not masked: %s", raws)
	}
	// Store strings uncompressed, so that any raw value would show in the bytes.
	ctx := context.Background()
	if _, err := h.w.DB().ExecContext(ctx, `SET force_compression = 'uncompressed'`); err != nil {
		t.Fatal(err)
	}
	if _, err := h.w.DB().ExecContext(ctx, `CHECKPOINT`); err != nil {
		t.Fatal(err)
	}
	h.close()

	files, _ := filepath.Glob(filepath.Join(h.dir, "wh.duckdb*"))
	var all []byte
	for _, f := range files {
		if fi, err := os.Stat(f); err != nil || fi.IsDir() {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, bytes.ToLower(b)...)
	}
	// The scan can see strings: the campaigns are there in clear.
	for _, canary := range []string{"canary-campaign-one", "canary-campaign-three", hmacHex("test-key", "alice.smith@example.com")} {
		if !bytes.Contains(all, []byte(canary)) {
			t.Fatalf("scan cannot see %q: the check would be blind", canary)
		}
	}
	for _, pii := range []string{
		"alice.smith@example.com", "bob.jones@example.org", "carol.white@example.net", "dave.black@example.com",
		"@example", "7946 0958", "442079460958", "2079460958", "020 7946 0999", "442079460999",
		"(555) 010-4477", "15550104477", "5550104477", "1 23 45 67 89", "33123456789",
	} {
		if bytes.Contains(all, []byte(pii)) {
			t.Errorf("%q found in the warehouse files", pii)
		}
	}
}
