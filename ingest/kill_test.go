package ingest

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"attrib/config"
	"attrib/warehouse"
)

// TestMain runs the child process of TestSIGKILLDuringLoad when asked to.
func TestMain(m *testing.M) {
	if dir := os.Getenv("ATTRIB_INGEST_KILL_CHILD"); dir != "" {
		os.Exit(killChild(dir, os.Getenv("ATTRIB_INGEST_FAST") == "1"))
	}
	os.Exit(m.Run())
}

// killConfig is the config of TestSIGKILLDuringLoad's warehouse in dir.
func killConfig(dir string) (*config.Config, error) {
	return config.Parse([]byte("warehouse:\n  path: wh.duckdb\ntimezone: UTC\npii:\n  key: k\nsources:\n"+
		"  - name: web\n    dataset: touchpoints\n    path: data/*\n"), dir)
}

// killChild loads dir's files with every file on the streaming road (fast
// path on or off), printing each step on stdout for the parent to kill it at.
func killChild(dir string, fast bool) int {
	smallFileBytes, fastPath = 0, fast
	cfg, err := killConfig(dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	w, err := warehouse.Open(context.Background(), warehouse.Options{Path: cfg.WarehousePath()})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	defer w.Close()
	if _, err := Run(context.Background(), w, cfg, Options{Progress: printSteps{}}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Println("done")
	return 0
}

type printSteps struct{}

func (printSteps) Start(string, int64) {}
func (printSteps) Done(FileResult)     {}
func (printSteps) Step(_, step string) { fmt.Println("step " + step) }

// TestSIGKILLDuringLoad kills a process loading a large file with SIGKILL
// during the file's write, on the fast path and on the full path, at
// delays drawn from a seeded RNG. After every kill the warehouse holds all of
// the file or none of it, and ingest_files says loaded exactly when it holds
// all; the next run loads the file exactly once.
func TestSIGKILLDuringLoad(t *testing.T) {
	t.Parallel()
	const rows = 300_000
	for _, fast := range []bool{true, false} {
		t.Run(map[bool]string{true: "fast path", false: "full path"}[fast], func(t *testing.T) {
			dir := t.TempDir()
			data := filepath.Join(dir, "data")
			if err := os.MkdirAll(data, 0o755); err != nil {
				t.Fatal(err)
			}
			db, err := sql.Open("duckdb", "")
			if err != nil {
				t.Fatal(err)
			}
			_, err = db.Exec(`COPY (SELECT 'k' || i AS touchpoint_id, TIMESTAMP '2025-01-01' + to_seconds(i) AS occurred_at,
				'anon' || (i % 5000) AS anonymous_id, 'campaign_' || (i % 40) AS campaign FROM range(?) t(i))
				TO `+warehouse.QuoteLiteral(filepath.Join(data, "tp.csv"))+` (FORMAT csv, HEADER)`, rows)
			db.Close()
			if err != nil {
				t.Fatal(err)
			}
			rng := rand.New(rand.NewPCG(20261126, map[bool]uint64{true: 1, false: 2}[fast]))
			killed := 0
			for i := 0; i < 4; i++ {
				// The first kill comes as soon as the write step starts, long
				// before it can commit; the others at random points of it.
				delay := time.Duration(rng.IntN(250)) * time.Millisecond
				if i == 0 {
					delay = 0
				}
				cmd := exec.Command(os.Args[0], "-test.run=^$")
				cmd.Env = append(os.Environ(), "ATTRIB_INGEST_KILL_CHILD="+dir, "ATTRIB_INGEST_FAST="+map[bool]string{true: "1", false: "0"}[fast])
				out, err := cmd.StdoutPipe()
				if err != nil {
					t.Fatal(err)
				}
				if err := cmd.Start(); err != nil {
					t.Fatal(err)
				}
				sc := bufio.NewScanner(out)
				var lines []string
				for sc.Scan() {
					lines = append(lines, sc.Text())
					if sc.Text() == "step write" {
						time.AfterFunc(delay, func() { _ = cmd.Process.Signal(syscall.SIGKILL) })
					}
				}
				err = cmd.Wait()
				if err != nil {
					killed++
				}
				n, files := killState(t, dir)
				t.Logf("kill %d after write + %s: %v; rows %d, ingest_files %q; steps %s", i+1, delay, err, n, files, strings.Join(lines, ", "))
				switch {
				case n == 0 && !strings.Contains(files, "loaded"):
				case n == rows && files == "loaded "+strconv.Itoa(rows):
				default:
					t.Fatalf("after kill %d: %d rows, ingest_files %q: not all or nothing", i+1, n, files)
				}
				if n == rows {
					break
				}
			}
			if killed == 0 {
				t.Fatal("no run was killed during its write; the test proves nothing")
			}
			// The next run loads the file exactly once (or skips it, if a run finished).
			cfg, err := killConfig(dir)
			if err != nil {
				t.Fatal(err)
			}
			w, err := warehouse.Open(context.Background(), warehouse.Options{Path: cfg.WarehousePath()})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := Run(context.Background(), w, cfg, Options{}); err != nil {
				t.Fatal(err)
			}
			var n, distinct int64
			if err := w.DB().QueryRow(`SELECT count(*), count(DISTINCT touchpoint_id) FROM touchpoints`).Scan(&n, &distinct); err != nil {
				t.Fatal(err)
			}
			w.Close()
			if n != rows || distinct != rows {
				t.Fatalf("after the kills and one more run: %d rows, %d distinct ids; want %d", n, distinct, rows)
			}
		})
	}
}

// killState opens the warehouse after a kill: its touchpoints and the
// statuses of ingest_files with the rows they say were loaded.
func killState(t *testing.T, dir string) (int64, string) {
	t.Helper()
	cfg, err := killConfig(dir)
	if err != nil {
		t.Fatal(err)
	}
	w, err := warehouse.Open(context.Background(), warehouse.Options{Path: cfg.WarehousePath()})
	if err != nil {
		t.Fatalf("open after a kill: %v", err)
	}
	defer w.Close()
	var n int64
	var files sql.NullString
	err = w.DB().QueryRow(`SELECT (SELECT count(*) FROM touchpoints),
		(SELECT string_agg(status || ' ' || rows_loaded, ', ' ORDER BY status) FROM ingest_files WHERE status <> 'failed')`).Scan(&n, &files)
	if err != nil {
		t.Fatal(err)
	}
	return n, files.String
}
