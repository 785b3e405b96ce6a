package jobs

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"attrib/config"
	"attrib/testkit"
)

// The incremental-run measurement of issue 6: a full run over the whole demo
// data set versus a run after one new day of data arrived on a warehouse
// that already holds everything before it.
//
//	go test -tags duckdb_arrow -run '^$' -bench 'Run(Full|AfterOneNewDay)' -benchtime 3x ./jobs
//
// ATTRIB_BENCH_PEOPLE sets the demo size (default 50,000).

const benchDay = "2025-12-15"

func benchPeople() int {
	if n, err := strconv.Atoi(os.Getenv("ATTRIB_BENCH_PEOPLE")); err == nil && n > 0 {
		return n
	}
	return 50_000
}

// benchData generates the demo once and returns two folders: base, whose
// warehouse has had a full run over everything except benchDay's web
// sessions and conversions, and late, holding just those rows (a new
// sessions file, and the conversions file with that day's rows appended).
func benchData(b *testing.B) (base, full string, lateWeb []byte, convWithDay []byte) {
	b.Helper()
	full = testkit.Demo(b, benchPeople(), 3)
	base = b.TempDir()
	copyTree(b, full, base)
	// Take benchDay's rows out of base.
	webPath := filepath.Join(base, "data", "web", "sessions-2025-12.ndjson")
	keep, day := splitLines(b, webPath, func(ln []byte) bool { return bytes.HasPrefix(ln, []byte(`{"ts":"`+benchDay)) })
	writeFile(b, webPath, keep)
	lateWeb = day
	convPath := filepath.Join(base, "data", "conversions", "conversions.csv")
	keep, day = splitLines(b, convPath, func(ln []byte) bool { return bytes.HasPrefix(ln, []byte(benchDay)) })
	writeFile(b, convPath, keep)
	convWithDay = append(append([]byte{}, keep...), day...)
	if len(lateWeb) == 0 || len(day) == 0 {
		b.Fatalf("no data on %s", benchDay)
	}
	runDir(b, base)
	return base, full, lateWeb, convWithDay
}

func splitLines(b testing.TB, path string, take func([]byte) bool) (keep, taken []byte) {
	b.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	for _, ln := range bytes.SplitAfter(raw, []byte("\n")) {
		if take(ln) {
			taken = append(taken, ln...)
		} else {
			keep = append(keep, ln...)
		}
	}
	return keep, taken
}

func writeFile(b testing.TB, path string, data []byte) {
	b.Helper()
	if err := os.WriteFile(path, data, 0o644); err != nil {
		b.Fatal(err)
	}
}

// runDir runs the default job in dir and returns the result.
func runDir(b testing.TB, dir string) RunResult {
	return runDirWith(b, dir, false)
}

// dirRunner opens dir's config and warehouse (the caller closes r.W) and
// returns a runner and the default job.
func dirRunner(tb testing.TB, dir string) (*Runner, config.Job) {
	tb.Helper()
	cfg, w := openDir(tb, dir)
	r, err := NewRunner(context.Background(), w, cfg)
	if err != nil {
		w.Close()
		tb.Fatal(err)
	}
	job, _ := cfg.Job("")
	return r, job
}

// runDirWith is runDir, forcing a full rebuild when full is set.
func runDirWith(b testing.TB, dir string, full bool) RunResult {
	b.Helper()
	ctx := context.Background()
	r, job := dirRunner(b, dir)
	defer r.W.Close()
	run := r.Run
	if full {
		run = r.RunFull
	}
	res, err := run(ctx, job, TriggerManual)
	if err != nil {
		b.Fatal(err)
	}
	return res
}

func reportSteps(b *testing.B, res RunResult) {
	for _, s := range res.Steps {
		b.ReportMetric(s.Seconds, s.Step+"-s")
	}
	for _, t := range res.Transform.Timings {
		b.ReportMetric(t.Seconds, strings.ReplaceAll(t.Step, " ", "_")+"-s")
	}
	read, _, _, _ := res.Ingest.Totals()
	b.ReportMetric(float64(read), "rows-read")
}

func BenchmarkRunFull(b *testing.B) {
	_, full, _, _ := benchData(b)
	var res RunResult
	for b.Loop() {
		b.StopTimer()
		dir := b.TempDir()
		copyTree(b, full, dir)
		os.Remove(filepath.Join(dir, "attrib.duckdb"))
		os.Remove(filepath.Join(dir, "attrib.duckdb.wal"))
		b.StartTimer()
		res = runDir(b, dir)
	}
	reportSteps(b, res)
}

func BenchmarkRunAfterOneNewDay(b *testing.B) {
	base, _, lateWeb, convWithDay := benchData(b)
	var res RunResult
	for b.Loop() {
		b.StopTimer()
		dir := b.TempDir()
		copyTree(b, base, dir)
		writeFile(b, filepath.Join(dir, "data", "web", "sessions-"+benchDay+".ndjson"), lateWeb)
		writeFile(b, filepath.Join(dir, "data", "conversions", "conversions.csv"), convWithDay)
		b.StartTimer()
		res = runDir(b, dir)
	}
	reportSteps(b, res)
}
