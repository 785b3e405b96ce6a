package server

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"attrib/config"
	"attrib/warehouse"
)

// finishRun records a finished run, so that Refresh makes a new snapshot.
func finishRun(t *testing.T, w *warehouse.Warehouse, id string) {
	t.Helper()
	if _, err := w.DB().Exec(`INSERT INTO pipeline_runs (run_id, job, trigger, started_at, finished_at, status) VALUES (?, 'daily', 'manual', now(), now(), 'succeeded')`, id); err != nil {
		t.Fatal(err)
	}
}

// TestSnapshotIsFileCopy: with the warehouse in a file, the snapshot is the
// checkpointed file itself, byte for byte (no table decoded and written
// again), and it holds what the finished run committed, including rows that
// were only in the WAL.
func TestSnapshotIsFileCopy(t *testing.T) {
	e := newTestEnv(t, nil)
	ctx := context.Background()
	db := e.w.DB()
	if _, err := db.Exec(`CREATE TABLE big AS SELECT range AS x FROM range(200000)`); err != nil {
		t.Fatal(err)
	}
	finishRun(t, e.w, "r1")
	if err := e.srv.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	snap, err := e.srv.acquire()
	if err != nil {
		t.Fatal(err)
	}
	defer snap.release()
	got, err := os.ReadFile(snap.path)
	if err != nil {
		t.Fatal(err)
	}
	// Nothing was written since the snapshot's checkpoint: the files agree.
	want, err := os.ReadFile(e.w.Path())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("snapshot (%d bytes) is not the warehouse file (%d bytes)", len(got), len(want))
	}
	var n, sum int64
	if err := snap.db.QueryRow(`SELECT count(*), sum(x) FROM big`).Scan(&n, &sum); err != nil {
		t.Fatal(err)
	}
	// 0..199999
	if n != 200000 || sum != 199999*200000/2 {
		t.Fatalf("snapshot big: %d rows, sum %d", n, sum)
	}
}

// TestSnapshotInMemoryWarehouse: an in-memory warehouse has no file to copy;
// the snapshot falls back to copying the tables (COPY FROM DATABASE).
func TestSnapshotInMemoryWarehouse(t *testing.T) {
	ctx := context.Background()
	w, err := warehouse.Open(ctx, warehouse.Options{TimeZone: "UTC"})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if _, err := w.DB().Exec(fixtureSQL); err != nil {
		t.Fatal(err)
	}
	cfg := &config.Config{Dir: t.TempDir(), Timezone: "UTC"}
	srv, err := New(ctx, w, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	snap, err := srv.acquire()
	if err != nil {
		t.Fatal(err)
	}
	defer snap.release()
	var n int64
	// range(1, 61): 60 rows.
	if err := snap.db.QueryRow(`SELECT count(*) FROM channel_performance`).Scan(&n); err != nil || n != 60 {
		t.Fatalf("channel_performance in the snapshot: %d, %v", n, err)
	}
}

// BenchmarkSnapshotWarehouse measures the snapshot of an existing
// warehouse, e.g. a big demo's (the config file in ATTRIB_BENCH_CONFIG;
// skipped without it): the file copy serve makes after each run
// (sub-benchmark file), and COPY FROM DATABASE, what it did before and
// still does when the file cannot be copied (sub-benchmark tables).
//
//	ATTRIB_BENCH_CONFIG=/tmp/d2m/attrib.yaml go test -tags duckdb_arrow -run '^$' -bench SnapshotWarehouse -benchtime 1x ./server/
func BenchmarkSnapshotWarehouse(b *testing.B) {
	cfgPath := os.Getenv("ATTRIB_BENCH_CONFIG")
	if cfgPath == "" {
		b.Skip("ATTRIB_BENCH_CONFIG names the config of the warehouse to snapshot")
	}
	ctx := context.Background()
	cfg, err := config.Load(cfgPath)
	if err != nil {
		b.Fatal(err)
	}
	w, err := warehouse.Open(ctx, warehouse.Options{Path: cfg.WarehousePath(), TimeZone: cfg.Timezone})
	if err != nil {
		b.Fatal(err)
	}
	defer w.Close()
	fi, err := os.Stat(w.Path())
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	for _, way := range []string{"file", "tables"} {
		b.Run(way, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				path := filepath.Join(dir, fmt.Sprintf("%s-%d.duckdb", way, i))
				if way == "file" {
					err = w.CopyFile(ctx, path)
				} else {
					err = copyWarehouse(ctx, w, path, fmt.Sprintf("bench_snapshot_%d", i))
				}
				if err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				if st, err := os.Stat(path); err == nil {
					b.ReportMetric(float64(st.Size())/1e6, "snapshot-MB")
				}
				_ = os.Remove(path)
				b.StartTimer()
			}
			b.ReportMetric(float64(fi.Size())/1e6, "warehouse-MB")
		})
	}
}
