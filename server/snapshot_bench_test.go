package server

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"attrib/config"
	"attrib/warehouse"
)

// BenchmarkSnapshotRefresh measures Refresh after a small run on a big
// warehouse: sub-benchmark patch (no one reads the snapshot: the changed
// chunks are written in place) against copy (a reader holds the snapshot:
// the whole file is copied to a new one), with the bytes each writes. The
// warehouse is a copy of ATTRIB_BENCH_CONFIG's (e.g. a 2 M-person demo),
// made in ATTRIB_BENCH_DIR (default a temporary folder), or without it a
// synthetic one of about ATTRIB_BENCH_SNAPSHOT_MB (default 512) MB. The
// "run" before each refresh appends a day of rows (1/365 of them) to the
// warehouse's largest table and records a finished run; the checkpoint
// that puts them in the file is not timed (the run's own cost).
//
//	ATTRIB_BENCH_CONFIG=/tmp/d2m/attrib.yaml go test -tags duckdb_arrow -run '^$' -bench SnapshotRefresh -benchtime 3x -v ./server/
func BenchmarkSnapshotRefresh(b *testing.B) {
	ctx := context.Background()
	dir := os.Getenv("ATTRIB_BENCH_DIR")
	if dir == "" {
		dir = b.TempDir()
	} else {
		var err error
		if dir, err = os.MkdirTemp(dir, "snapshot-bench-"); err != nil {
			b.Fatal(err)
		}
		defer os.RemoveAll(dir)
	}
	path := filepath.Join(dir, "attrib.duckdb")
	synthetic := true
	if cfgPath := os.Getenv("ATTRIB_BENCH_CONFIG"); cfgPath != "" {
		cfg, err := config.Load(cfgPath)
		if err != nil {
			b.Fatal(err)
		}
		for _, ext := range []string{"", ".wal"} {
			if err := copyPlain(cfg.WarehousePath()+ext, path+ext); err != nil && !(ext != "" && os.IsNotExist(err)) {
				b.Fatal(err)
			}
		}
		synthetic = false
	}
	w, err := warehouse.Open(ctx, warehouse.Options{Path: path, TimeZone: "UTC"})
	if err != nil {
		b.Fatal(err)
	}
	defer w.Close()
	db := w.DB()
	if synthetic {
		mb := 512
		if v := os.Getenv("ATTRIB_BENCH_SNAPSHOT_MB"); v != "" {
			if mb, err = strconv.Atoi(v); err != nil {
				b.Fatal(err)
			}
		}
		// About 30 bytes a row once compressed (hash-like strings).
		if _, err := db.Exec(`CREATE TABLE bench_events AS SELECT range AS id, range % 1000003 AS person,
			md5(range::VARCHAR) AS s, TIMESTAMPTZ '2025-01-01' + INTERVAL (range % 31536000) SECOND AS at
			FROM range(?::BIGINT)`, int64(mb)<<20/30); err != nil {
			b.Fatal(err)
		}
	}
	var table string
	var rows int64
	if err := db.QueryRow(`SELECT table_name, estimated_size FROM duckdb_tables()
		WHERE database_name = current_database() AND schema_name = 'main' ORDER BY estimated_size DESC LIMIT 1`).Scan(&table, &rows); err != nil {
		b.Fatal(err)
	}
	table = warehouse.QuoteIdent(table)
	logSizes(b, w)

	cfg := &config.Config{Dir: dir, Timezone: "UTC"}
	start := time.Now()
	srv, err := New(ctx, w, cfg)
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	b.Logf("first snapshot (a whole copy): %.2f s", time.Since(start).Seconds())

	run := 0
	var patchTime time.Duration
	var written int64
	realPatch := patchFile
	defer func() { patchFile = realPatch }()
	patchFile = func(w *warehouse.Warehouse, ctx context.Context, dst string, old *warehouse.BlockSums, plan *warehouse.FilePlan) (*warehouse.PatchStats, error) {
		t0 := time.Now()
		st, err := realPatch(w, ctx, dst, old, plan)
		patchTime += time.Since(t0)
		if err == nil {
			written += st.Written
		}
		return st, err
	}
	for _, way := range []string{"patch", "copy"} {
		b.Run(way, func(b *testing.B) {
			patchTime, written = 0, 0
			var size int64
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				run++
				if _, err := db.Exec(`INSERT INTO `+table+` SELECT * FROM `+table+` LIMIT ?`, max(1, rows/365)); err != nil {
					b.Fatal(err)
				}
				if _, err := db.Exec(`INSERT INTO pipeline_runs (run_id, job, trigger, started_at, finished_at, status) VALUES (?, 'daily', 'manual', now(), now(), 'succeeded')`, fmt.Sprintf("bench-%d", run)); err != nil {
					b.Fatal(err)
				}
				if _, err := db.Exec(`CHECKPOINT`); err != nil {
					b.Fatal(err)
				}
				var hold *snapshot
				if way == "copy" {
					if hold, err = srv.acquire(); err != nil {
						b.Fatal(err)
					}
				}
				before, _ := current2(srv)
				b.StartTimer()
				if err := srv.Refresh(ctx); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				after, st := current2(srv)
				if (after == before) != (way == "patch") {
					b.Fatalf("%s: snapshot %s -> %s", way, before, after)
				}
				size = st
				if way == "copy" {
					written += st
					hold.release()
				}
				b.StartTimer()
			}
			b.ReportMetric(float64(written)/1e6/float64(b.N), "MB-written/op")
			b.ReportMetric(float64(size)/1e6, "file-MB")
			if way == "patch" {
				b.ReportMetric(patchTime.Seconds()/float64(b.N), "write-s/op")
			}
		})
	}
}

// current2 is the current snapshot's path and file size.
func current2(srv *Server) (string, int64) {
	snap, err := srv.acquire()
	if err != nil {
		return "", 0
	}
	defer snap.release()
	st, err := os.Stat(snap.path)
	if err != nil {
		return snap.path, 0
	}
	return snap.path, st.Size()
}

// logSizes logs what the warehouse file holds: its blocks, and per table
// the rows and the blocks its data uses (pragma_storage_info), so that the
// tables people read (schema main) can be told from the pipeline's
// bookkeeping (attrib_state, ingest_files, rejected_rows).
func logSizes(b *testing.B, w *warehouse.Warehouse) {
	var bs, total, used, free int64
	if err := w.DB().QueryRow(`SELECT block_size, total_blocks, used_blocks, free_blocks FROM pragma_database_size() WHERE database_name = current_database()`).Scan(&bs, &total, &used, &free); err != nil {
		b.Logf("database size: %v", err)
		return
	}
	b.Logf("file: %d blocks of %d bytes, %d used, %d free", total, bs, used, free)
	rows, err := w.DB().Query(`SELECT schema_name, table_name, estimated_size FROM duckdb_tables()
		WHERE database_name = current_database() ORDER BY schema_name, table_name`)
	if err != nil {
		b.Logf("tables: %v", err)
		return
	}
	type table struct {
		schema, name string
		rows         int64
	}
	var tables []table
	for rows.Next() {
		var t table
		if err := rows.Scan(&t.schema, &t.name, &t.rows); err != nil {
			b.Logf("tables: %v", err)
		}
		tables = append(tables, t)
	}
	rows.Close()
	bySchema := map[string]int64{}
	for _, t := range tables {
		var blocks int64
		q := `SELECT count(DISTINCT block_id) FROM pragma_storage_info(` + warehouse.QuoteLiteral(t.schema+"."+t.name) + `) WHERE persistent AND block_id >= 0`
		if err := w.DB().QueryRow(q).Scan(&blocks); err != nil {
			b.Logf("  %s.%s: %v", t.schema, t.name, err)
			continue
		}
		key := t.schema
		if t.schema == "main" && (t.name == "ingest_files" || t.name == "rejected_rows") {
			key = "main bookkeeping"
		}
		bySchema[key] += blocks
		b.Logf("  %-45s %12d rows %8.1f MB", t.schema+"."+t.name, t.rows, float64(blocks*bs)/1e6)
	}
	for k, v := range bySchema {
		b.Logf("%s: %.1f MB of blocks", k, float64(v*bs)/1e6)
	}
}

// copyPlain copies a file.
func copyPlain(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
