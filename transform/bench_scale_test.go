package transform_test

import (
	"bufio"
	"context"
	"database/sql"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"attrib/config"
	"attrib/transform"
	"attrib/warehouse"
)

func envInt(b *testing.B, name string, def int) int {
	b.Helper()
	if s := os.Getenv(name); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil {
			b.Fatal(err)
		}
		return v
	}
	return def
}

// peakRSSMiB is the process's peak resident set (VmHWM), DuckDB included (it is linked in).
func peakRSSMiB(b *testing.B) float64 {
	b.Helper()
	f, err := os.Open("/proc/self/status")
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			if err != nil {
				b.Fatal(err)
			}
			return kb / 1024
		}
	}
	b.Fatal("no VmHWM in /proc/self/status")
	return 0
}

// BenchmarkTransformScale: 10M touchpoints of 2M people and 1M conversions of three types,
// generated in DuckDB, then the whole transform (classify, stitch, paths, all nine models
// with Markov order 1) as attrib run does it. Reports seconds per stage and the process's
// peak RSS. Sizes: ATTRIB_BENCH_TOUCHES, ATTRIB_BENCH_CONVERSIONS; ATTRIB_BENCH_MEMORY sets
// DuckDB's memory_limit (default 3GB, what the 4 GiB RSS target leaves DuckDB);
// ATTRIB_BENCH_NO_INSERTION_ORDER=1 sets preserve_insertion_order = false first; ATTRIB_QUERY_LOG=DIR
// logs every statement (scripts/querylog_top.py DIR lists the slowest).
//
//	go test -tags duckdb_arrow -run '^$' -bench TransformScale -benchtime 1x -timeout 30m ./transform/
func BenchmarkTransformScale(b *testing.B) {
	ctx := context.Background()
	touches := envInt(b, "ATTRIB_BENCH_TOUCHES", 10_000_000)
	conversions := envInt(b, "ATTRIB_BENCH_CONVERSIONS", 1_000_000)
	persons := max(touches/5, 1)
	mem := os.Getenv("ATTRIB_BENCH_MEMORY")
	if mem == "" {
		mem = "3GB"
	}
	dir := b.TempDir()
	cfg, err := config.Parse([]byte("warehouse:\n  path: bench.duckdb\n"), dir)
	if err != nil {
		b.Fatal(err)
	}
	w, err := warehouse.Open(ctx, warehouse.Options{Path: cfg.WarehousePath(), MemoryLimit: mem, TimeZone: "UTC",
		QueryLog: os.Getenv("ATTRIB_QUERY_LOG")}) // profiling, as attrib run: docs/operations.md
	if err != nil {
		b.Fatal(err)
	}
	defer w.Close()
	if os.Getenv("ATTRIB_BENCH_NO_INSERTION_ORDER") != "" {
		// DuckDB's preserve_insertion_order = false: less memory and faster large CREATE TABLE AS.
		if _, err := w.DB().ExecContext(ctx, "SET preserve_insertion_order = false"); err != nil {
			b.Fatal(err)
		}
	}
	t0 := time.Now()
	if _, err := w.DB().ExecContext(ctx, benchSQL(b, "gen_touchpoints"), touches, persons); err != nil {
		b.Fatal(err)
	}
	if _, err := w.DB().ExecContext(ctx, benchSQL(b, "gen_conversions"), conversions, persons); err != nil {
		b.Fatal(err)
	}
	if _, err := w.DB().ExecContext(ctx, "CHECKPOINT"); err != nil {
		b.Fatal(err)
	}
	generate := time.Since(t0)
	for b.Loop() {
		stages := map[string]time.Duration{}
		var current string
		var since time.Time
		step := func(name string) {
			if current != "" {
				stages[current] += time.Since(since)
			}
			current, since = name, time.Now()
		}
		start := time.Now()
		var res transform.Result
		err := w.Conn(ctx, func(c *sql.Conn) error {
			// The previous iteration's results are not published: drop them
			// as the jobs session does before a run.
			if err := warehouse.DropNext(ctx, c, transform.Published); err != nil {
				return err
			}
			var err error
			res, err = transform.Run(ctx, c, cfg, step)
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
		stages[current] += time.Since(since)
		b.ReportMetric(time.Since(start).Seconds(), "s_transform")
		for name, d := range stages {
			b.ReportMetric(d.Seconds(), "s_"+strings.ReplaceAll(name, " ", "_"))
		}
		b.ReportMetric(float64(res.Conversions), "conversions")
		b.ReportMetric(float64(res.Credits), "credits")
		b.ReportMetric(float64(res.Stitch.Identifiers), "identifiers")
	}
	b.ReportMetric(generate.Seconds(), "s_generate")
	b.ReportMetric(peakRSSMiB(b), "MiB_peak_rss")
}
