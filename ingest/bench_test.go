//go:build duckdb_arrow

package ingest

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/duckdb/duckdb-go/v2"

	"attrib/config"
	"attrib/warehouse"
)

// BenchmarkIngestTouchpoints loads ATTRIB_BENCH_ROWS (default 10,000,000)
// touchpoints from CSV, NDJSON, Parquet and Arrow IPC files made in the
// setup, validation and PII hashing included, into a fresh warehouse file,
// and in the same run times bare DuckDB loading the same file into the same
// table: a second fresh warehouse (same schema, storage format and
// memory_limit) and INSERT INTO touchpoints BY NAME SELECT *, source_name,
// load_id FROM read_csv/read_json/read_parquet(...), DuckDB's own readers
// with their sniffed types, cast by the insert to the table's (for Arrow IPC,
// which DuckDB cannot read here, from the file registered as a view the way
// attrib registers it).
// Metrics: rows/s, x_bare (attrib rows/s divided by bare DuckDB rows/s,
// like-for-like as above), x_bare_cpu (the same ratio in CPU seconds of the
// process, which other work on a shared machine disturbs less), x_bare_ctas
// (against the earlier definition: CREATE TABLE AS SELECT * into a new file in
// DuckDB's default storage format, 8 columns of sniffed types),
// ceiling_rows/s and x_ceiling (DuckDB inserting the same rows, already typed
// and held in memory, into the touchpoints table of a fresh warehouse: what no
// reader can beat; ceiling_ctas_rows/s the earlier 8-column CREATE TABLE AS),
// cpu_s (attrib's CPU seconds), peak_rss_MiB (the process's peak RSS during
// attrib's load, from /proc/self/status after resetting it) and s_<step>, the
// seconds spent in each load step (hash, read, validate, write).
// ATTRIB_BENCH_MEMORY sets DuckDB's memory_limit (default 1GB, so that it
// spills rather than grow); ATTRIB_QUERY_LOG=DIR logs attrib's statements
// (scripts/querylog_top.py DIR); ATTRIB_BENCH_JSON_COLUMNS=0 reads NDJSON without
// read_json (jsoncols.go), as before it.
//
//	go test -tags duckdb_arrow -run '^$' -bench IngestTouchpoints -benchtime 1x -timeout 60m ./ingest/
func BenchmarkIngestTouchpoints(b *testing.B) {
	rows := benchRows(b)
	if os.Getenv("ATTRIB_BENCH_JSON_COLUMNS") == "0" {
		jsonColumns = false // NDJSON read as before read_json (jsoncols.go), to compare
		defer func() { jsonColumns = true }()
	}
	mem := os.Getenv("ATTRIB_BENCH_MEMORY")
	if mem == "" {
		mem = "1GB"
	}
	dir := b.TempDir()
	files := genBenchFiles(b, dir, rows)
	formats := []struct{ name, file, reader string }{
		{"csv", files["csv"], "read_csv(?)"},
		{"ndjson", files["ndjson"], "read_json(?, format = 'newline_delimited')"},
		{"parquet", files["parquet"], "read_parquet(?)"},
		{"arrow", files["arrow"], ""},
	}
	for _, f := range formats {
		b.Run(f.name, func(b *testing.B) {
			var t benchTimes
			steps := &stepTimer{spent: map[string]time.Duration{}}
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				whDir := filepath.Join(dir, fmt.Sprintf("wh-%s-%d", f.name, i))
				if f.reader != "" {
					t.bare(b, whDir, mem, f.reader, f.file)
				} else {
					t.bareArrow(b, whDir, mem, f.file)
				}
				t.attrib(b, whDir, mem, f.file, rows, steps)
				t.ceiling(b, whDir, mem, files["parquet"])
				_ = os.RemoveAll(whDir)
				b.StartTimer()
			}
			t.report(b, rows, steps)
		})
	}
}

// benchTimes adds up the times of BenchmarkIngestTouchpoints's loads.
type benchTimes struct {
	attribWall, attribCPU, bareWall, bareCPU, ctasWall, ceilWall, ceilCTASWall time.Duration
	peak                                                                       int64
	n                                                                          int
}

// bareInsert is bare DuckDB's load into the touchpoints table, like-for-like.
const bareInsert = "INSERT INTO touchpoints BY NAME SELECT *, 'bench' AS source_name, 'bare' AS load_id FROM "

// bare times bare DuckDB loading file with reader: into the touchpoints
// table of a fresh warehouse (like-for-like), and the earlier CREATE TABLE AS
// into a new file in DuckDB's default storage format.
func (t *benchTimes) bare(b *testing.B, whDir, mem, reader, file string) {
	b.Helper()
	w := openBenchWarehouse(b, filepath.Join(whDir, "bare", "wh.duckdb"), mem)
	wall, cpu := timeExec(b, w.DB(), bareInsert+reader, file)
	t.bareWall += wall
	t.bareCPU += cpu
	_ = w.Close()
	wall, _ = bareLoad(b, filepath.Join(whDir, "bare.duckdb?memory_limit="+mem), "SELECT * FROM "+reader, file)
	t.ctasWall += wall
}

// bareArrow times bare DuckDB loading an Arrow file into the touchpoints
// table of a fresh warehouse: the file registered as a view the way attrib
// registers it (DuckDB has no Arrow IPC reader of its own here), then
// bareInsert from the view, with DuckDB's default settings.
func (t *benchTimes) bareArrow(b *testing.B, whDir, mem, file string) {
	b.Helper()
	w := openBenchWarehouse(b, filepath.Join(whDir, "bare", "wh.duckdb"), mem)
	defer w.Close()
	ctx := context.Background()
	c, err := w.DB().Conn(ctx)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	start, cpu := time.Now(), cpuTime()
	err = withArrowView(ctx, c, reader{path: file}, func(tx execer) error {
		_, err := tx.ExecContext(ctx, bareInsert+arrowView)
		return err
	})
	t.bareWall += time.Since(start)
	t.bareCPU += cpuTime() - cpu
	if err != nil {
		b.Fatal(err)
	}
}

// attrib times ingest.Run loading file into a fresh warehouse.
func (t *benchTimes) attrib(b *testing.B, whDir, mem, file string, rows int64, steps *stepTimer) {
	b.Helper()
	cfg, err := config.Parse([]byte("warehouse:\n  path: wh.duckdb\n  memory_limit: "+mem+
		"\npii:\n  key: bench\nsources:\n  - name: bench\n    dataset: touchpoints\n    path: "+file+"\n"), whDir)
	if err != nil {
		b.Fatal(err)
	}
	w, err := warehouse.Open(context.Background(), warehouse.Options{Path: cfg.WarehousePath(), MemoryLimit: mem,
		QueryLog: os.Getenv("ATTRIB_QUERY_LOG")}) // profiling, as attrib run: docs/operations.md
	if err != nil {
		b.Fatal(err)
	}
	defer w.Close()
	resetPeakRSS()
	b.StartTimer()
	start, cpu := time.Now(), cpuTime()
	rep, err := Run(context.Background(), w, cfg, Options{Progress: steps})
	t.attribWall += time.Since(start)
	t.attribCPU += cpuTime() - cpu
	b.StopTimer()
	t.peak = max(t.peak, peakRSS())
	t.n++
	if err != nil {
		b.Fatal(err)
	}
	if fr := rep.Files[0]; fr.Read != rows || fr.Loaded != rows {
		b.Fatalf("read %d loaded %d rejected %d (%s)", fr.Read, fr.Loaded, fr.Rejected, fr.Message)
	}
}

// ceiling times DuckDB's own write of the same rows, already typed and in
// memory, into the touchpoints table of a fresh warehouse (and, as before,
// into a new 8-column table): what no reader can beat.
func (t *benchTimes) ceiling(b *testing.B, whDir, mem, parquet string) {
	b.Helper()
	w := openBenchWarehouse(b, filepath.Join(whDir, "ceiling", "wh.duckdb"), mem)
	defer w.Close()
	if _, err := w.DB().Exec("CREATE TEMP TABLE mem AS SELECT * FROM read_parquet(?)", parquet); err != nil {
		b.Fatal(err)
	}
	wall, _ := timeExec(b, w.DB(), bareInsert+"mem")
	t.ceilWall += wall
	wall, _ = bareLoad(b, w.DB(), "SELECT * FROM mem")
	t.ceilCTASWall += wall
}

func (t *benchTimes) report(b *testing.B, rows int64, steps *stepTimer) {
	n := float64(rows) * float64(t.n)
	b.ReportMetric(n/t.attribWall.Seconds(), "rows/s")
	if t.bareWall > 0 {
		b.ReportMetric(t.bareWall.Seconds()/t.attribWall.Seconds(), "x_bare")
		b.ReportMetric(n/t.bareWall.Seconds(), "bare_rows/s")
		b.ReportMetric(t.bareCPU.Seconds()/t.attribCPU.Seconds(), "x_bare_cpu")
		if t.ctasWall > 0 {
			b.ReportMetric(t.ctasWall.Seconds()/t.attribWall.Seconds(), "x_bare_ctas")
		}
	}
	b.ReportMetric(n/t.ceilWall.Seconds(), "ceiling_rows/s")
	b.ReportMetric(t.ceilWall.Seconds()/t.attribWall.Seconds(), "x_ceiling")
	b.ReportMetric(n/t.ceilCTASWall.Seconds(), "ceiling_ctas_rows/s")
	b.ReportMetric(t.attribCPU.Seconds()/float64(t.n), "cpu_s")
	b.ReportMetric(float64(t.peak)/(1<<20), "peak_rss_MiB")
	for _, st := range Steps {
		b.ReportMetric(steps.spent[st].Seconds()/float64(t.n), "s_"+st)
	}
}

// openBenchWarehouse opens a fresh warehouse file (attrib's schema and
// storage format) at path.
func openBenchWarehouse(b *testing.B, path, mem string) *warehouse.Warehouse {
	b.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		b.Fatal(err)
	}
	w, err := warehouse.Open(context.Background(), warehouse.Options{Path: path, MemoryLimit: mem})
	if err != nil {
		b.Fatal(err)
	}
	return w
}

// timeExec times one statement in db, wall and CPU seconds, then checkpoints.
func timeExec(b *testing.B, db *sql.DB, query string, args ...any) (wall, cpu time.Duration) {
	b.Helper()
	start, c := time.Now(), cpuTime()
	if _, err := db.Exec(query, args...); err != nil {
		b.Fatal(err)
	}
	wall, cpu = time.Since(start), cpuTime()-c
	if _, err := db.Exec("CHECKPOINT"); err != nil {
		b.Fatal(err)
	}
	return wall, cpu
}

// benchRows is ATTRIB_BENCH_ROWS, by default 10,000,000.
func benchRows(b *testing.B) int64 {
	b.Helper()
	s := os.Getenv("ATTRIB_BENCH_ROWS")
	if s == "" {
		return 10_000_000
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		b.Fatalf("ATTRIB_BENCH_ROWS: %v", err)
	}
	return n
}

// bareLoad times bare DuckDB's CREATE TABLE AS query (with args), in db (a
// *sql.DB) or in a new database file at the DSN db (a string), wall and CPU
// seconds.
func bareLoad(b *testing.B, db any, query string, args ...any) (wall, cpu time.Duration) {
	b.Helper()
	d, ok := db.(*sql.DB)
	if !ok {
		var err error
		if d, err = sql.Open("duckdb", db.(string)); err != nil {
			b.Fatal(err)
		}
		defer d.Close()
	}
	start, c := time.Now(), cpuTime()
	if _, err := d.Exec("CREATE TABLE bare AS "+query, args...); err != nil {
		b.Fatal(err)
	}
	wall, cpu = time.Since(start), cpuTime()-c
	if _, err := d.Exec("DROP TABLE bare; CHECKPOINT"); err != nil {
		b.Fatal(err)
	}
	return wall, cpu
}

// benchSelect is the generated touchpoints data: ids, times one second
// apart, a million visitors, channels, campaigns and a cost.
const benchSelect = `SELECT 'tp' || i AS touchpoint_id,
       TIMESTAMPTZ '2025-01-01 00:00:00+00' + to_seconds(i % 10000000) AS occurred_at,
       'anon' || (i % 1000000) AS anonymous_id,
       (['google', 'facebook', 'baidu', 'wechat', 'newsletter'])[i % 5 + 1] AS source,
       (['cpc', 'social', 'cpc', 'social', 'email'])[i % 5 + 1] AS medium,
       'campaign_' || (i % 100) AS campaign,
       (['click', 'impression', 'visit'])[i % 3 + 1] AS interaction,
       ((i % 1000) / 100)::DECIMAL(10, 2) AS cost
FROM range(?) t(i)`

// genBenchFiles writes the same rows as CSV, NDJSON, Parquet (with DuckDB)
// and an Arrow IPC file (DuckDB's Arrow output, written batch by batch).
func genBenchFiles(b *testing.B, dir string, rows int64) map[string]string {
	b.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	out := map[string]string{
		"csv": filepath.Join(dir, "tp.csv"), "ndjson": filepath.Join(dir, "tp.ndjson"),
		"parquet": filepath.Join(dir, "tp.parquet"), "arrow": filepath.Join(dir, "tp.arrow"),
	}
	ctx := context.Background()
	// COPY TO takes no bound file name; these are the benchmark's own temp paths.
	for kind, opts := range map[string]string{"csv": "FORMAT csv, HEADER", "ndjson": "FORMAT json", "parquet": "FORMAT parquet"} {
		if _, err := db.ExecContext(ctx, "SET TimeZone = 'UTC'"); err != nil {
			b.Fatal(err)
		}
		if _, err := db.ExecContext(ctx, "COPY ("+benchSelect+") TO "+warehouse.QuoteLiteral(out[kind])+" ("+opts+")", rows); err != nil {
			b.Fatal(err)
		}
	}
	c, err := db.Conn(ctx)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	err = c.Raw(func(dc any) error {
		ar, err := duckdb.NewArrowFromConn(dc.(driver.Conn))
		if err != nil {
			return err
		}
		rr, err := ar.QueryContext(ctx, benchSelect, rows)
		if err != nil {
			return err
		}
		defer rr.Release()
		f, err := os.Create(out["arrow"])
		if err != nil {
			return err
		}
		defer f.Close()
		fw, err := ipc.NewFileWriter(f, ipc.WithSchema(rr.Schema()))
		if err != nil {
			return err
		}
		for rr.Next() {
			if err := fw.Write(rr.RecordBatch()); err != nil {
				return err
			}
		}
		if err := rr.Err(); err != nil {
			return err
		}
		return fw.Close()
	})
	if err != nil {
		b.Fatal(err)
	}
	return out
}

// stepTimer is a Progress that adds up the time spent in each load step.
type stepTimer struct {
	spent map[string]time.Duration
	cur   string
	at    time.Time
}

func (s *stepTimer) Start(string, int64) {}

func (s *stepTimer) Step(_, step string) {
	now := time.Now()
	if s.cur != "" {
		s.spent[s.cur] += now.Sub(s.at)
	}
	s.cur, s.at = step, now
}

func (s *stepTimer) Done(FileResult) {
	if s.cur != "" {
		s.spent[s.cur] += time.Since(s.at)
	}
	s.cur = ""
}

// cpuTime is the CPU time (user and system) the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func resetPeakRSS() { _ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// peakRSS is VmHWM from /proc/self/status, in bytes (0 where unknown).
func peakRSS() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, ln := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(ln, "VmHWM:") {
			kb, _ := strconv.ParseInt(strings.Fields(ln)[1], 10, 64)
			return kb << 10
		}
	}
	return 0
}

// BenchmarkIngestDailyFile loads a day's file of ATTRIB_BENCH_ROWS/5 new
// touchpoints (CSV, default 2,000,000 rows) into a warehouse that already
// holds ATTRIB_BENCH_ROWS (default 10,000,000), with the fast path and with
// the full path only: the check for ids loaded before scans the whole table.
//
//	go test -tags duckdb_arrow -run '^$' -bench IngestDailyFile -benchtime 1x -timeout 60m ./ingest/
func BenchmarkIngestDailyFile(b *testing.B) {
	rows := benchRows(b)
	dir := b.TempDir()
	base := filepath.Join(dir, "base", "tp.parquet")
	day := filepath.Join(dir, "day", "tp.csv")
	db, err := sql.Open("duckdb", "")
	if err != nil {
		b.Fatal(err)
	}
	for _, f := range []struct {
		path, opts string
		from, n    int64
	}{{base, "FORMAT parquet", 0, rows}, {day, "FORMAT csv, HEADER", rows, rows / 5}} {
		if err := os.MkdirAll(filepath.Dir(f.path), 0o755); err != nil {
			b.Fatal(err)
		}
		q := strings.Replace(benchSelect, "FROM range(?) t(i)", "FROM range(?, ?) t(i)", 1)
		if _, err := db.Exec("SET TimeZone = 'UTC'; COPY ("+q+") TO "+warehouse.QuoteLiteral(f.path)+" ("+f.opts+")", f.from, f.from+f.n); err != nil {
			b.Fatal(err)
		}
	}
	db.Close()
	for _, fast := range []bool{true, false} {
		b.Run(map[bool]string{true: "fast", false: "full"}[fast], func(b *testing.B) {
			defer func(on bool) { fastPath = on }(fastPath)
			fastPath = fast
			var spent time.Duration
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				whDir := filepath.Join(dir, fmt.Sprintf("wh-%v-%d", fast, i))
				conf := func(name, path string) *config.Config {
					cfg, err := config.Parse([]byte("pii:\n  key: bench\nwarehouse:\n  path: wh.duckdb\n  memory_limit: 1GB\n"+
						"sources:\n  - name: "+name+"\n    dataset: touchpoints\n    path: "+path+"\n"), whDir)
					if err != nil {
						b.Fatal(err)
					}
					return cfg
				}
				cfg := conf("base", base)
				w, err := warehouse.Open(context.Background(), warehouse.Options{Path: cfg.WarehousePath(), MemoryLimit: "1GB"})
				if err != nil {
					b.Fatal(err)
				}
				if _, err := Run(context.Background(), w, cfg, Options{}); err != nil {
					b.Fatal(err)
				}
				cfg = conf("day", day)
				b.StartTimer()
				start := time.Now()
				rep, err := Run(context.Background(), w, cfg, Options{})
				spent += time.Since(start)
				b.StopTimer()
				if err != nil {
					b.Fatal(err)
				}
				if fr := rep.Files[0]; fr.Loaded != rows/5 {
					b.Fatalf("loaded %d of %d (%s)", fr.Loaded, rows/5, fr.Message)
				}
				_ = w.Close()
				_ = os.RemoveAll(whDir)
				b.StartTimer()
			}
			b.ReportMetric(float64(rows/5)*float64(b.N)/spent.Seconds(), "rows/s")
		})
	}
}

// BenchmarkIngestWithRejects loads ATTRIB_BENCH_ROWS (default 10,000,000)
// touchpoints from a CSV file in which one row in 10,000 has an unparseable
// time: the fast path is refused at the first one, and the full path counts,
// numbers and keeps the rejected rows. Metrics as BenchmarkIngestTouchpoints.
// ATTRIB_BENCH_FORMAT=ndjson writes the same rows as NDJSON instead (bare
// DuckDB then reads them with read_json).
//
//	go test -tags duckdb_arrow -run '^$' -bench IngestWithRejects -benchtime 1x -timeout 60m ./ingest/
func BenchmarkIngestWithRejects(b *testing.B) {
	rows := benchRows(b)
	dir := b.TempDir()
	file, copyOpts, reader := filepath.Join(dir, "tp.csv"), "FORMAT csv, HEADER", "read_csv(?)"
	if os.Getenv("ATTRIB_BENCH_FORMAT") == "ndjson" {
		file, copyOpts, reader = filepath.Join(dir, "tp.ndjson"), "FORMAT json", "read_json(?, format = 'newline_delimited')"
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		b.Fatal(err)
	}
	q := strings.Replace(benchSelect, "TIMESTAMPTZ '2025-01-01 00:00:00+00' + to_seconds(i % 10000000) AS occurred_at",
		"CASE WHEN i % 10000 = 7 THEN 'not a time' ELSE strftime(TIMESTAMP '2025-01-01' + to_seconds(i % 10000000), '%Y-%m-%d %H:%M:%S') END AS occurred_at", 1)
	if _, err := db.Exec("COPY ("+q+") TO "+warehouse.QuoteLiteral(file)+" ("+copyOpts+")", rows); err != nil {
		b.Fatal(err)
	}
	db.Close()
	var attribTime, bareTime time.Duration
	steps := &stepTimer{spent: map[string]time.Duration{}}
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		whDir := filepath.Join(dir, fmt.Sprintf("wh-%d", i))
		cfg, err := config.Parse([]byte("warehouse:\n  path: wh.duckdb\n  memory_limit: 1GB\npii:\n  key: bench\n"+
			"sources:\n  - name: bench\n    dataset: touchpoints\n    path: "+file+"\n"), whDir)
		if err != nil {
			b.Fatal(err)
		}
		w, err := warehouse.Open(context.Background(), warehouse.Options{Path: cfg.WarehousePath(), MemoryLimit: "1GB"})
		if err != nil {
			b.Fatal(err)
		}
		t, _ := bareLoad(b, filepath.Join(whDir, "bare.duckdb?memory_limit=1GB"), "SELECT * FROM "+reader, file)
		bareTime += t
		b.StartTimer()
		start := time.Now()
		rep, err := Run(context.Background(), w, cfg, Options{Progress: steps})
		attribTime += time.Since(start)
		b.StopTimer()
		if err != nil {
			b.Fatal(err)
		}
		if fr := rep.Files[0]; fr.Read != rows || fr.Rejected != rows/10000 {
			b.Fatalf("read %d rejected %d (%s)", fr.Read, fr.Rejected, fr.Message)
		}
		_ = w.Close()
		_ = os.RemoveAll(whDir)
		b.StartTimer()
	}
	b.ReportMetric(float64(rows)*float64(b.N)/attribTime.Seconds(), "rows/s")
	b.ReportMetric(bareTime.Seconds()/attribTime.Seconds(), "x_bare")
	for _, st := range Steps {
		b.ReportMetric(steps.spent[st].Seconds()/float64(b.N), "s_"+st)
	}
}
