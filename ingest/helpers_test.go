package ingest

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"attrib/config"
	"attrib/testkit"
	"attrib/warehouse"
)

// testNow is the clock of every test load: rows after testNow+24h are "in the future".
var testNow = time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)

type harness struct {
	t   *testing.T
	dir string
	cfg *config.Config
	w   *warehouse.Warehouse
}

// newHarness opens a warehouse file in a temp dir with a config whose
// sources (YAML list items, indented two spaces) are given.
func newHarness(t *testing.T, sources string, extra ...string) *harness {
	t.Helper()
	dir := t.TempDir()
	y := "warehouse:\n  path: wh.duckdb\ntimezone: UTC\ncurrency: USD\npii:\n  key: test-key\n  default_country_code: \"44\"\n" +
		strings.Join(extra, "") + "sources:\n" + sources
	cfg, err := config.Parse([]byte(y), dir)
	if err != nil {
		t.Fatalf("config: %v\n%s", err, y)
	}
	h := &harness{t: t, dir: dir, cfg: cfg}
	h.open()
	return h
}

// open opens the harness's warehouse (closed when the test ends, if the
// test does not close it first).
func (h *harness) open() {
	h.t.Helper()
	h.w = testkit.Open(h.t, h.cfg)
}

func (h *harness) close() {
	h.t.Helper()
	if err := h.w.Close(); err != nil {
		h.t.Fatal(err)
	}
	h.w = nil
}

// write creates a file under the harness dir (folders included) and returns its path.
func (h *harness) write(name string, content string) string {
	h.t.Helper()
	p := filepath.Join(h.dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		h.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		h.t.Fatal(err)
	}
	return p
}

func (h *harness) run(opts ...func(*Options)) (Report, error) {
	h.t.Helper()
	o := Options{Now: func() time.Time { return testNow }}
	for _, f := range opts {
		f(&o)
	}
	return Run(context.Background(), h.w, h.cfg, o)
}

// mustRun runs and fails the test if the run reports an error.
func (h *harness) mustRun() Report {
	h.t.Helper()
	rep, err := h.run()
	if err != nil {
		h.t.Fatalf("run: %v", err)
	}
	checkAccounting(h.t, rep)
	return rep
}

func (h *harness) int(q string, args ...any) int64 {
	h.t.Helper()
	var n int64
	if err := h.w.DB().QueryRowContext(context.Background(), q, args...).Scan(&n); err != nil {
		h.t.Fatalf("%s: %v", q, err)
	}
	return n
}

func (h *harness) str(q string, args ...any) string {
	h.t.Helper()
	var s string
	if err := h.w.DB().QueryRowContext(context.Background(), q, args...).Scan(&s); err != nil {
		h.t.Fatalf("%s: %v", q, err)
	}
	return s
}

// strs returns the first column of a query's rows.
func (h *harness) strs(q string, args ...any) []string {
	h.t.Helper()
	rows, err := h.w.DB().QueryContext(context.Background(), q, args...)
	if err != nil {
		h.t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			h.t.Fatal(err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		h.t.Fatal(err)
	}
	return out
}

// only returns the one file result of a report.
func only(t *testing.T, rep Report) FileResult {
	t.Helper()
	if len(rep.Files) != 1 {
		t.Fatalf("want 1 file, got %d: %+v", len(rep.Files), rep.Files)
	}
	return rep.Files[0]
}

// byBase returns the result of the file with the given base name.
func byBase(t *testing.T, rep Report, base string) FileResult {
	t.Helper()
	for _, f := range rep.Files {
		if filepath.Base(f.Path) == base {
			return f
		}
	}
	t.Fatalf("no result for %s in %+v", base, rep.Files)
	return FileResult{}
}

// checkAccounting asserts read = loaded + rejected + duplicate for every loaded file.
func checkAccounting(t *testing.T, rep Report) {
	t.Helper()
	for _, f := range rep.Files {
		if f.Status == Loaded && f.Read != f.Loaded+f.Rejected+f.Duplicate {
			t.Errorf("%s: read %d != loaded %d + rejected %d + duplicate %d", f.Path, f.Read, f.Loaded, f.Rejected, f.Duplicate)
		}
	}
}

// wantCounts checks one file's status and counts.
func wantCounts(t *testing.T, f FileResult, st Status, read, loaded, rejected, dup int64) {
	t.Helper()
	if f.Status != st || f.Read != read || f.Loaded != loaded || f.Rejected != rejected || f.Duplicate != dup {
		t.Fatalf("%s: got %s read=%d loaded=%d rejected=%d duplicate=%d (%s); want %s %d/%d/%d/%d",
			filepath.Base(f.Path), f.Status, f.Read, f.Loaded, f.Rejected, f.Duplicate, f.Message, st, read, loaded, rejected, dup)
	}
}

const tpSource = `  - name: web
    dataset: touchpoints
    path: data/*
`
