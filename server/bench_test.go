package server

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// benchEnv serves the fixture warehouse for benchmarks.
func benchEnv(b *testing.B) (*testEnv, *pgx.Conn) {
	b.Helper()
	e := newTestEnvTB(b, nil)
	c, err := pgx.Connect(context.Background(), "postgres://analyst:"+testPassword+"@"+e.pg+"/attrib?sslmode=disable")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { c.Close(context.Background()) })
	return e, c
}

// BenchmarkPGStreamRows streams 1M rows of three columns (BIGINT, DOUBLE,
// VARCHAR) to a pgx client in text format; rows/s is the figure to watch
// (target >= 1M rows/s).
func BenchmarkPGStreamRows(b *testing.B) {
	for _, bc := range []struct{ name, sql string }{
		{"int", "SELECT i FROM range(1000000) t(i)"},
		{"int_double_text", "SELECT i, i * 0.5 AS d, 'row ' || i AS s FROM range(1000000) t(i)"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			_, c := benchEnv(b)
			ctx := context.Background()
			b.ResetTimer()
			var rows int64
			start := time.Now()
			for i := 0; i < b.N; i++ {
				// Simple protocol: text format, as psql and most BI tools read.
				res := c.PgConn().Exec(ctx, bc.sql)
				for res.NextResult() {
					rr := res.ResultReader()
					for rr.NextRow() {
						rows++
					}
					if _, err := rr.Close(); err != nil {
						b.Fatal(err)
					}
				}
				if err := res.Close(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(rows)/time.Since(start).Seconds(), "rows/s")
		})
	}
}

// BenchmarkLoad32x200 runs the load test (32 clients x 200 queries while
// the pipeline reruns) and reports p50/p95 latency.
func BenchmarkLoad32x200(b *testing.B) {
	for i := 0; i < b.N; i++ {
		lat, errs, runErr := loadWhileRun(b, 32, 200)
		if runErr != nil || len(errs) > 0 {
			b.Fatalf("run: %v; %d query errors (first: %v)", runErr, len(errs), errs)
		}
		b.ReportMetric(float64(percentile(lat, 0.5).Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(percentile(lat, 0.95).Microseconds())/1000, "p95-ms")
	}
}

// BenchmarkSnapshot measures the copy people's read-only instance is
// opened on, made after each run, for the default 50,000-person demo.
func BenchmarkSnapshot(b *testing.B) {
	cfg, w := demoWarehouse(b, 50000)
	ctx := context.Background()
	srv, err := New(ctx, w, cfg)
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	fi, err := os.Stat(w.Path())
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		snap, err := srv.buildSnapshot(ctx, "bench")
		if err != nil {
			b.Fatal(err)
		}
		snap.acquire()
		snap.release()
		snap.retire()
	}
	b.ReportMetric(float64(fi.Size())/1e6, "warehouse-MB")
}
