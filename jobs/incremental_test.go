package jobs

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"attrib/queries"
	"attrib/testkit"
	"attrib/transform"
	"attrib/warehouse"
)

// incrementalFixture returns copies of a demo data set's folders: base,
// whose warehouse had a full run over everything but one December day's
// sessions and conversions, a quiet day's sessions, another day's spend and
// a login that merges two existing customers; addLate, which puts those rows
// in base's files; and ref, a folder whose warehouse had one full run over
// all of it. firstRebuilt is the number of people base's full run rebuilt.
// The folders are built once per test process (testkit.Built) and copied.
func incrementalFixture(t *testing.T) (base string, addLate func(), ref string, firstRebuilt int64) {
	t.Helper()
	root := testkit.Built(t, "jobs-incremental-10000-11", func(root string) error {
		return buildIncremental(t, root)
	})
	base, ref = filepath.Join(root, "base"), filepath.Join(root, "ref")
	late := filepath.Join(root, "late")
	var meta incrementalMeta
	if err := json.Unmarshal(readFile(t, filepath.Join(late, "meta.json")), &meta); err != nil {
		t.Fatal(err)
	}
	convPath := filepath.Join(base, "data", "conversions", "conversions.csv")
	loginPath := filepath.Join(base, "data", "identity", "logins.csv")
	addLate = func() {
		writeFile(t, filepath.Join(base, "data", "web", "sessions-"+meta.Day+".ndjson"), readFile(t, filepath.Join(late, "web.ndjson")))
		writeFile(t, convPath, readFile(t, filepath.Join(late, "conversions.csv")))
		writeFile(t, loginPath, append(readFile(t, loginPath), readFile(t, filepath.Join(late, "logins.csv"))...))
		writeFile(t, filepath.Join(base, "data", "spend", "offline_spend.csv"), readFile(t, filepath.Join(late, "offline_spend.csv")))
	}
	return base, addLate, ref, meta.FirstRebuilt
}

// incrementalMeta is what buildIncremental leaves for the tests besides files.
type incrementalMeta struct {
	Day          string // the December day whose rows arrive late
	FirstRebuilt int64  // people base's full run rebuilt
}

// buildIncremental writes incrementalFixture's folders below root: base and
// ref (each run once) and late, holding the late rows (web.ndjson: the new
// sessions file; conversions.csv and offline_spend.csv: those files with the
// late rows put back; logins.csv: the lines to append) and meta.json.
func buildIncremental(t *testing.T, root string) error {
	t.Helper()
	full := t.TempDir()
	if err := testkit.DemoTo(t, full, 10000, 11); err != nil {
		return err
	}
	day := busiestDecemberDay(t, filepath.Join(full, "data", "conversions", "conversions.csv"))
	late := addMergingLogin(t, filepath.Join(full, "data", "identity", "logins.csv"), filepath.Join(full, "data", "conversions", "conversions.csv"), day)

	base := filepath.Join(root, "base")
	copyTree(t, full, base)
	// Also the sessions of a day without conversions and the spend of another: those days'
	// results change only through their touches and their spend.
	quiet, quiet2 := quietDays(t, filepath.Join(full, "data", "conversions", "conversions.csv"))
	spendPath := filepath.Join(base, "data", "spend", "offline_spend.csv")
	keepSpend, lateSpend := splitLines(t, spendPath, func(ln []byte) bool { return bytes.HasPrefix(ln, []byte(quiet2)) })
	writeFile(t, spendPath, keepSpend)
	webPath := filepath.Join(base, "data", "web", "sessions-2025-12.ndjson")
	keep, lateWeb := splitLines(t, webPath, func(ln []byte) bool {
		return bytes.HasPrefix(ln, []byte(`{"ts":"`+day)) || bytes.HasPrefix(ln, []byte(`{"ts":"`+quiet))
	})
	writeFile(t, webPath, keep)
	convPath := filepath.Join(base, "data", "conversions", "conversions.csv")
	keepConv, lateConv := splitLines(t, convPath, func(ln []byte) bool { return bytes.HasPrefix(ln, []byte(day)) })
	writeFile(t, convPath, keepConv)
	loginPath := filepath.Join(base, "data", "identity", "logins.csv")
	keep, lateLogin := splitLines(t, loginPath, func(ln []byte) bool { return string(ln) == late })
	writeFile(t, loginPath, keep)
	if len(lateWeb) == 0 || len(lateConv) == 0 || len(lateLogin) == 0 || len(lateSpend) == 0 {
		return fmt.Errorf("no late rows: %d web, %d conversions, %d logins, %d spend", len(lateWeb), len(lateConv), len(lateLogin), len(lateSpend))
	}
	first := runDir(t, base)
	if first.Transform.Mode != transform.ModeFull {
		return fmt.Errorf("first run mode %q, want full", first.Transform.Mode)
	}
	lateDir := filepath.Join(root, "late")
	if err := os.MkdirAll(lateDir, 0o755); err != nil {
		return err
	}
	meta, err := json.Marshal(incrementalMeta{Day: day, FirstRebuilt: first.Transform.Rebuilt})
	if err != nil {
		return err
	}
	writeFile(t, filepath.Join(lateDir, "meta.json"), meta)
	writeFile(t, filepath.Join(lateDir, "web.ndjson"), lateWeb)
	writeFile(t, filepath.Join(lateDir, "conversions.csv"), append(keepConv, lateConv...))
	writeFile(t, filepath.Join(lateDir, "logins.csv"), lateLogin)
	writeFile(t, filepath.Join(lateDir, "offline_spend.csv"), append(keepSpend, lateSpend...))

	ref := filepath.Join(root, "ref")
	copyTree(t, full, ref)
	if r := runDir(t, ref); r.Transform.Mode != transform.ModeFull {
		return fmt.Errorf("reference run mode %q, want full", r.Transform.Mode)
	}
	return nil
}

// resultTables are the tables an incremental run must leave exactly as a full run would.
var resultTables = slices.Concat(transform.Published, queries.Published, []string{"attribution_credits", "identity_map", "identity_oversized"})

// TestIncrementalRunEqualsFullRun is the correctness check of incremental
// runs: after one more day of data, including a login that merges two
// customers, the warehouse must hold exactly the results of a full run over
// all the data at once, while its transform rebuilt only the people the new
// rows touch.
func TestIncrementalRunEqualsFullRun(t *testing.T) {
	if testing.Short() {
		t.Skip("generates a demo data set and runs it three times")
	}
	t.Parallel()
	base, addLate, ref, firstRebuilt := incrementalFixture(t)
	addLate()
	next := runDir(t, base)
	tr := next.Transform
	if tr.Mode != transform.ModeIncremental {
		t.Fatalf("second run mode %q (%s), want incremental", tr.Mode, tr.FullReason)
	}
	t.Logf("full run rebuilt %d people; incremental %d (renamed %d)", firstRebuilt, tr.Rebuilt, tr.Stitch.Renamed)
	if runs := recentRuns(t, base); len(runs) == 0 || !slices.ContainsFunc(runs[0].Steps, func(s StepResult) bool {
		return s.Step == "transform" && strings.HasPrefix(s.Note, fmt.Sprintf("incremental (%d people rebuilt): classify channels ", tr.Rebuilt)) &&
			strings.Contains(s.Note, ", attribute ")
	}) {
		t.Errorf("pipeline_runs does not record the incremental transform and its steps: %+v", runs)
	} else if !slices.ContainsFunc(runs[0].Steps, func(s StepResult) bool {
		return s.Step == "evaluate" && strings.HasPrefix(s.Note, "eval_days ") && strings.Contains(s.Note, ", eval_person ") &&
			strings.HasSuffix(s.Note, "s") && strings.Contains(s.Note, ", lifecycle ") &&
			strings.Contains(s.Note, ", eval_scope ") // scoped: lifecycle published as a delta
	}) {
		t.Errorf("pipeline_runs does not record the evaluation's steps: %+v", runs[0].Steps)
	}
	if tr.Rebuilt == 0 || tr.Rebuilt >= firstRebuilt {
		t.Errorf("incremental run rebuilt %d people, the full run %d: want some, not all", tr.Rebuilt, firstRebuilt)
	}
	if tr.Stitch.Renamed == 0 {
		t.Errorf("the merging login renamed no person")
	}
	for _, diff := range compareWarehouses(t, filepath.Join(base, "attrib.duckdb"), filepath.Join(ref, "attrib.duckdb"), resultTables) {
		t.Error(diff)
	}

	// A run with nothing new rebuilds nobody and changes nothing.
	again := runDir(t, base)
	if again.Transform.Mode != transform.ModeIncremental || again.Transform.Rebuilt != 0 {
		t.Errorf("run without new data: mode %q, rebuilt %d; want incremental, 0", again.Transform.Mode, again.Transform.Rebuilt)
	}
	for _, diff := range compareWarehouses(t, filepath.Join(base, "attrib.duckdb"), filepath.Join(ref, "attrib.duckdb"), resultTables) {
		t.Error("after a run without new data: " + diff)
	}

	// A conversion of a new type adds rows on every day of channel_performance, so nothing of
	// that table can be carried over: the incremental run must still equal a full rebuild.
	convPath := filepath.Join(base, "data", "conversions", "conversions.csv")
	conv := strings.Split(strings.TrimRight(string(readFile(t, convPath)), "\n"), "\n")
	f := strings.Split(conv[len(conv)-1], ",")
	f[0], f[2] = f[0][:10]+" 23:59:00", "insurance_quote"
	writeFile(t, convPath, append(readFile(t, convPath), strings.Join(f, ",")+"\n"...))
	if r := runDir(t, base); r.Transform.Mode != transform.ModeIncremental || r.Transform.Rebuilt == 0 {
		t.Errorf("run after a new conversion type: mode %q, rebuilt %d", r.Transform.Mode, r.Transform.Rebuilt)
	}
	snap := filepath.Join(t.TempDir(), "incremental.duckdb")
	writeFile(t, snap, readFile(t, filepath.Join(base, "attrib.duckdb")))

	// attrib run --full rebuilds everyone, to the same results.
	forced := runDirWith(t, base, true)
	if forced.Transform.Mode != transform.ModeFull || forced.Transform.Rebuilt < firstRebuilt {
		t.Errorf("forced full run: mode %q, rebuilt %d; want full, at least %d", forced.Transform.Mode, forced.Transform.Rebuilt, firstRebuilt)
	}
	for _, diff := range compareWarehouses(t, snap, filepath.Join(base, "attrib.duckdb"), resultTables) {
		t.Error("new conversion type: " + diff)
	}
}

// TestIncrementalRunAfterFailedRun: a run that dies after stitching the new
// identities (identity_map and the person ids already changed) but before
// publishing must leave enough behind for the next run to rebuild the right
// people.
func TestIncrementalRunAfterFailedRun(t *testing.T) {
	if testing.Short() {
		t.Skip("generates a demo data set and runs it three times")
	}
	t.Parallel()
	base, addLate, ref, _ := incrementalFixture(t)
	addLate()
	ctx := context.Background()
	r, job := dirRunner(t, base)
	errDied := errors.New("died before evaluating")
	r.beforeStep = func(_ context.Context, step string) error {
		if step == "evaluate" {
			return errDied
		}
		return nil
	}
	job.Retries = 0
	res, err := r.Run(ctx, job, TriggerManual)
	if !errors.Is(err, errDied) || res.Transform.Mode != transform.ModeIncremental || res.Transform.Stitch.Renamed == 0 {
		t.Fatalf("failing run: mode %q renamed %d err %v; want an incremental run that merged persons and failed", res.Transform.Mode, res.Transform.Stitch.Renamed, err)
	}
	r.W.Close()

	next := runDir(t, base)
	if next.Transform.Mode != transform.ModeIncremental || next.Transform.Rebuilt == 0 {
		t.Fatalf("run after the failure: mode %q (%s), rebuilt %d", next.Transform.Mode, next.Transform.FullReason, next.Transform.Rebuilt)
	}
	for _, diff := range compareWarehouses(t, filepath.Join(base, "attrib.duckdb"), filepath.Join(ref, "attrib.duckdb"), resultTables) {
		t.Error(diff)
	}
}

func readFile(tb testing.TB, path string) []byte {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// busiestDecemberDay returns the day of December 2025 with the most conversions.
func busiestDecemberDay(t *testing.T, path string) string {
	t.Helper()
	count := map[string]int{}
	for _, ln := range strings.Split(string(readFile(t, path)), "\n") {
		if strings.HasPrefix(ln, "2025-12-") {
			count[ln[:10]]++
		}
	}
	best := ""
	for d, n := range count {
		if best == "" || n > count[best] || n == count[best] && d < best {
			best = d
		}
	}
	if best == "" {
		t.Fatal("no conversions in December 2025")
	}
	return best
}

// quietDays returns the first day of December 2025 without conversions and
// the first other day of 2025 without conversions.
func quietDays(t *testing.T, path string) (string, string) {
	t.Helper()
	raw := string(readFile(t, path))
	var december, other string
	for d := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC); d.Year() == 2025; d = d.AddDate(0, 0, 1) {
		day := d.Format(time.DateOnly)
		switch {
		case strings.Contains(raw, "\n"+day):
		case december == "" && d.Month() == time.December:
			december = day
		case other == "":
			other = day
		}
	}
	if december == "" || other == "" {
		t.Fatalf("days without conversions in 2025: December %q, other %q", december, other)
	}
	return december, other
}

// addMergingLogin appends, on day, a login with the cookie of one converting
// customer and the customer number of another converting customer: it merges
// two existing persons that both have conversion paths. It returns the line.
func addMergingLogin(t *testing.T, path, convPath, day string) string {
	t.Helper()
	converting := map[string]bool{}
	for _, ln := range strings.Split(string(readFile(t, convPath)), "\n")[1:] {
		if f := strings.Split(ln, ","); len(f) > 2 && ln < day {
			converting[f[1]] = true
		}
	}
	lines := strings.Split(strings.TrimRight(string(readFile(t, path)), "\n"), "\n")
	header := strings.Split(lines[0], ",")
	if !slices.Equal(header, []string{"login_time", "cookie", "cust_no"}) {
		t.Fatalf("logins.csv header %v", header)
	}
	var a []string
	for _, ln := range lines[1:] {
		f := strings.Split(ln, ",")
		switch {
		case !converting[f[2]]:
		case a == nil:
			a = f
		case f[2] != a[2]:
			late := fmt.Sprintf("%sT12:00:00+08:00,%s,%s\n", day, a[1], f[2])
			writeFile(t, path, append(readFile(t, path), late...))
			return late
		}
	}
	t.Fatal("logins.csv has fewer than two converting customers")
	return ""
}

// compareWarehouses returns a line per table whose rows differ between the
// two warehouse files (DOUBLE columns compared to 9 decimals: sums over rows
// in another order may differ in the last bits).
func compareWarehouses(t *testing.T, a, b string, tables []string) []string {
	t.Helper()
	ctx := context.Background()
	w, err := warehouse.Open(ctx, warehouse.Options{Path: a})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	var diffs []string
	err = w.Conn(ctx, func(c *sql.Conn) error {
		if _, err := c.ExecContext(ctx, "ATTACH "+warehouse.QuoteLiteral(b)+" AS ref (READ_ONLY)"); err != nil {
			return err
		}
		defer c.ExecContext(ctx, "DETACH ref")
		for _, tb := range tables {
			rows, err := c.QueryContext(ctx, `SELECT column_name, data_type FROM information_schema.columns
				WHERE table_catalog = current_database() AND table_schema = 'main' AND table_name = ? ORDER BY ordinal_position`, tb)
			if err != nil {
				return err
			}
			var cols []string
			for rows.Next() {
				var name, typ string
				if err := rows.Scan(&name, &typ); err != nil {
					rows.Close()
					return err
				}
				col := warehouse.QuoteIdent(name)
				if typ == "DOUBLE" || typ == "FLOAT" {
					col = "round(" + col + ", 9) AS " + col
				}
				cols = append(cols, col)
			}
			rows.Close()
			if len(cols) == 0 {
				diffs = append(diffs, tb+": missing")
				continue
			}
			sel := strings.Join(cols, ", ")
			q := fmt.Sprintf(`SELECT (SELECT count(*) FROM main.%[1]s), (SELECT count(*) FROM ref.main.%[1]s),
				(SELECT count(*) FROM (SELECT %[2]s FROM main.%[1]s EXCEPT ALL SELECT %[2]s FROM ref.main.%[1]s)),
				(SELECT count(*) FROM (SELECT %[2]s FROM ref.main.%[1]s EXCEPT ALL SELECT %[2]s FROM main.%[1]s))`,
				warehouse.QuoteIdent(tb), sel)
			var na, nb, onlyA, onlyB int64
			if err := c.QueryRowContext(ctx, q).Scan(&na, &nb, &onlyA, &onlyB); err != nil {
				return fmt.Errorf("%s: %w", tb, err)
			}
			if na == 0 && nb == 0 && tb != "identity_oversized" {
				diffs = append(diffs, tb+": empty in both")
			}
			if onlyA != 0 || onlyB != 0 {
				diffs = append(diffs, fmt.Sprintf("%s: %d rows incremental, %d full; %d only in incremental, %d only in full", tb, na, nb, onlyA, onlyB))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return diffs
}

// recentRuns reads dir's run history.
func recentRuns(t *testing.T, dir string) []Run {
	t.Helper()
	ctx := context.Background()
	w, err := warehouse.Open(ctx, warehouse.Options{Path: filepath.Join(dir, "attrib.duckdb")})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	runs, err := Recent(ctx, w.DB(), 10)
	if err != nil {
		t.Fatal(err)
	}
	return runs
}
