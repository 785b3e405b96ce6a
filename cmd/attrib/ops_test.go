package main

// Tests that run the real `attrib` command in child processes: this test
// binary re-executes itself with ATTRIB_TEST_MAIN_ARGS set, and TestMain then
// runs main() with those arguments instead of the tests.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"attrib/config"
	"attrib/jobs"
	"attrib/server"
	"attrib/testkit"
	"attrib/warehouse"
)

const envMainArgs = "ATTRIB_TEST_MAIN_ARGS"

func TestMain(m *testing.M) {
	server.MaybeRunWorker()
	if raw := os.Getenv(envMainArgs); raw != "" {
		var args []string
		if err := json.Unmarshal([]byte(raw), &args); err != nil {
			fmt.Fprintln(os.Stderr, "bad", envMainArgs, err)
			os.Exit(100)
		}
		os.Args = append([]string{"attrib"}, args...)
		main()
		os.Exit(0)
	}
	testkit.Main(m)
}

// child is a running `attrib` process.
type child struct {
	cmd    *exec.Cmd
	lines  chan string // stderr lines; closed at EOF
	mu     sync.Mutex
	stdout bytes.Buffer
	stderr bytes.Buffer
	exited chan struct{}
	err    error
}

func startChild(t *testing.T, dir string, args ...string) *child {
	t.Helper()
	raw, _ := json.Marshal(args)
	c := &child{lines: make(chan string, 10000), exited: make(chan struct{})}
	c.cmd = exec.Command(os.Args[0], "-test.run=^$")
	c.cmd.Dir = dir
	c.cmd.Env = append(os.Environ(), envMainArgs+"="+string(raw), "ATTRIB_CONFIG=")
	c.cmd.Stdout = &lockedWriter{mu: &c.mu, w: &c.stdout}
	pipe, err := c.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	scanDone := make(chan struct{})
	go func() {
		defer close(scanDone)
		defer close(c.lines)
		sc := bufio.NewScanner(pipe)
		for sc.Scan() {
			c.mu.Lock()
			c.stderr.WriteString(sc.Text() + "\n")
			c.mu.Unlock()
			c.lines <- sc.Text()
		}
	}()
	go func() {
		<-scanDone
		c.err = c.cmd.Wait()
		close(c.exited)
	}()
	t.Cleanup(func() {
		_ = c.cmd.Process.Kill()
		<-c.exited
	})
	return c
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func (c *child) output() (string, string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.stdout.String(), c.stderr.String()
}

// waitLine waits for a stderr line containing substr; false when the process
// ended first.
func (c *child) waitLine(t *testing.T, substr string, within time.Duration) bool {
	t.Helper()
	timeout := time.After(within)
	for {
		select {
		case ln, ok := <-c.lines:
			if !ok {
				return false
			}
			if strings.Contains(ln, substr) {
				return true
			}
		case <-timeout:
			_, errOut := c.output()
			t.Fatalf("no %q on stderr within %s:\n%s", substr, within, errOut)
		}
	}
}

// wait waits for the process to end and returns its exit code.
func (c *child) wait(t *testing.T, within time.Duration) int {
	t.Helper()
	select {
	case <-c.exited:
	case <-time.After(within):
		t.Fatalf("child still running after %s", within)
	}
	var ee *exec.ExitError
	if errors.As(c.err, &ee) {
		return ee.ExitCode()
	}
	if c.err != nil {
		t.Fatal(c.err)
	}
	return 0
}

// runChild runs attrib to completion and returns its exit code and stdout.
func runChild(t *testing.T, dir string, args ...string) (int, string) {
	t.Helper()
	c := startChild(t, dir, args...)
	code := c.wait(t, 5*time.Minute)
	out, errOut := c.output()
	if testing.Verbose() && code != 0 {
		t.Logf("attrib %v: exit %d\n%s%s", args, code, out, errOut)
	}
	return code, out
}

// demoDir returns a fresh copy of the demo data set of people and seed
// (generated once per test process).
func demoDir(t *testing.T, people int, seed int64) string {
	t.Helper()
	return testkit.Demo(t, people, seed)
}

// state summarises a warehouse after checking that its published results are
// complete and consistent: per model, credits sum to the number of
// conversions, in attribution_credits and in channel_performance, and no
// loaded row is there twice.
type state struct {
	Published string // fingerprint of the published result tables
	Raw       string // fingerprint of the loaded data
	Runs      []jobs.Run
}

func inspect(t *testing.T, dir string) state {
	t.Helper()
	ctx := context.Background()
	cfg := testkit.LoadDir(t, dir)
	w := testkit.Open(t, cfg)
	defer w.Close()
	db := w.DB()
	var st state
	var conversions int64
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM conversion_paths").Scan(&conversions); err != nil {
		t.Fatalf("published tables missing: %v", err)
	}
	if conversions == 0 {
		t.Fatal("conversion_paths is empty")
	}
	for _, q := range []string{
		"SELECT model, sum(credit)::DOUBLE FROM attribution_credits GROUP BY model",
		"SELECT model, sum(conversions)::DOUBLE FROM channel_performance WHERE conversion_type <> '(all)' GROUP BY model",
		"SELECT model, sum(conversions)::DOUBLE FROM channel_performance WHERE conversion_type = '(all)' GROUP BY model",
	} {
		rows, err := db.QueryContext(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		models := 0
		for rows.Next() {
			var model string
			var sum float64
			if err := rows.Scan(&model, &sum); err != nil {
				t.Fatal(err)
			}
			models++
			if math.Abs(sum-float64(conversions)) > 1e-6 {
				t.Fatalf("%s: model %s sums to %v, but there are %d conversions", q, model, sum, conversions)
			}
		}
		rows.Close()
		if models < 2 {
			t.Fatalf("%s: %d models", q, models)
		}
	}
	var dupTouch, dupConv int64
	if err := db.QueryRowContext(ctx, `SELECT (SELECT count(*) - count(DISTINCT touchpoint_id) FROM touchpoints),
		(SELECT count(*) - count(DISTINCT conversion_id) FROM conversions)`).Scan(&dupTouch, &dupConv); err != nil {
		t.Fatal(err)
	}
	if dupTouch != 0 || dupConv != 0 {
		t.Fatalf("rows loaded twice: %d touchpoints, %d conversions", dupTouch, dupConv)
	}
	if err := db.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM conversion_paths)::VARCHAR || '/' ||
		(SELECT round(sum(revenue), 4) FROM conversion_paths)::VARCHAR || '/' ||
		(SELECT count(*) FROM attribution_credits)::VARCHAR || '/' ||
		(SELECT round(sum(revenue_credit), 4) FROM attribution_credits)::VARCHAR || '/' ||
		(SELECT count(*) FROM channel_performance)::VARCHAR || '/' ||
		(SELECT round(sum(spend), 4) FROM channel_performance)::VARCHAR || '/' ||
		(SELECT round(sum(touchpoints), 4) FROM channel_performance)::VARCHAR`).Scan(&st.Published); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM touchpoints)::VARCHAR || '/' || (SELECT count(*) FROM conversions)::VARCHAR || '/' ||
		(SELECT count(*) FROM spend)::VARCHAR || '/' || (SELECT round(sum(spend), 4) FROM spend)::VARCHAR || '/' ||
		(SELECT count(*) FROM identity_links)::VARCHAR || '/' || (SELECT count(*) FROM activity)::VARCHAR || '/' ||
		(SELECT count(*) FROM rejected_rows)::VARCHAR`).Scan(&st.Raw); err != nil {
		t.Fatal(err)
	}
	var err error
	if st.Runs, err = jobs.Recent(ctx, db, 1000); err != nil {
		t.Fatal(err)
	}
	return st
}

// TestCrashSafetySIGKILL kills `attrib run` with SIGKILL at points drawn from
// a seeded RNG (after the n-th progress line, plus a random delay) while it
// loads a new batch of files and recomputes. After every kill the published
// results are the previous complete ones (or, for a kill after the commit,
// the new complete ones); the next run succeeds; and the final warehouse
// equals one built by a single clean run, so nothing was counted twice.
func TestCrashSafetySIGKILL(t *testing.T) {
	t.Parallel()
	dir := demoDir(t, 3000, 11)
	ref := demoDir(t, 3000, 11)

	// A later month of web sessions arrives only after the first run (a
	// small share of the data, so that the runs after it are incremental).
	held := t.TempDir()
	late, err := filepath.Glob(filepath.Join(dir, "data", "web", "sessions-2025-09.ndjson"))
	if err != nil || len(late) != 1 {
		t.Fatalf("late files: %v %v", late, err)
	}
	for _, f := range late {
		if err := os.Rename(f, filepath.Join(held, filepath.Base(f))); err != nil {
			t.Fatal(err)
		}
	}
	if code, out := runChild(t, dir, "run", "-v"); code != 0 {
		t.Fatalf("first run: exit %d %s", code, out)
	}
	before := inspect(t, dir)
	for _, f := range late {
		if err := os.Rename(filepath.Join(held, filepath.Base(f)), f); err != nil {
			t.Fatal(err)
		}
	}

	rng := rand.New(rand.NewPCG(20261126, 6))
	// One kill in every phase of a run: after the n-th occurrence of a
	// progress line, plus a random delay.
	points := []struct {
		line string
		nth  int
	}{
		{"msg=step name=ingest", 1},
		{"ingest: loading", 1 + rng.IntN(24)},
		{"ingest: loading", 1 + rng.IntN(24)},
		{"msg=step name=transform", 1},
		{`name="stitch identities"`, 1},
		{`name="build paths"`, 1},
		{"name=attribute", 1},
		{"name=evaluate", 1},
		{"name=publish", 1},
	}
	var seen []state
	killed := 0
	for i, p := range points {
		c := startChild(t, dir, "run", "-v")
		delay := time.Duration(rng.IntN(300)) * time.Millisecond
		alive := true
		for k := 0; k < p.nth && alive; k++ {
			alive = c.waitLine(t, p.line, 2*time.Minute)
		}
		if alive {
			select {
			case <-time.After(delay):
			case <-c.exited:
			}
		}
		_ = c.cmd.Process.Signal(syscall.SIGKILL)
		code := c.wait(t, time.Minute)
		if code != 0 {
			killed++
		}
		t.Logf("kill %d: after %q #%d + %s: exit code %d", i+1, p.line, p.nth, delay, code)
		seen = append(seen, inspect(t, dir))
	}
	if killed < len(points)/2 {
		t.Fatalf("only %d of %d runs were killed mid-run; the test proves too little", killed, len(points))
	}
	code, out := runChild(t, dir, "run", "-v")
	if code != 0 || !strings.Contains(out, "status=succeeded") || !strings.Contains(out, "transform=incremental") {
		t.Fatalf("run after the kills: exit %d, want a succeeded incremental run: %s", code, out)
	}
	after := inspect(t, dir)
	if after.Published == before.Published {
		t.Fatal("the late files changed nothing; the test proves too little")
	}
	for i, s := range seen {
		if s.Published != before.Published && s.Published != after.Published {
			t.Fatalf("after kill %d the published tables are neither the previous nor the next complete results:\n%s\nprevious %s\nnext     %s",
				i+1, s.Published, before.Published, after.Published)
		}
	}
	// Nothing counted twice: equal to a single clean run over all files.
	if code, out := runChild(t, ref, "run"); code != 0 {
		t.Fatalf("reference run: exit %d %s", code, out)
	}
	want := inspect(t, ref)
	if after.Raw != want.Raw || after.Published != want.Published {
		t.Fatalf("after crashes: raw %s published %s\nclean run:    raw %s published %s", after.Raw, after.Published, want.Raw, want.Published)
	}
	// Every killed run is on record as failed (interrupted); none is left running.
	interrupted := 0
	for _, r := range after.Runs {
		switch {
		case r.Status == jobs.StatusRunning:
			t.Fatalf("run %s still marked running", r.RunID)
		case r.Status == jobs.StatusFailed && strings.Contains(r.Error, "interrupted"):
			interrupted++
		case r.Status == jobs.StatusFailed:
			t.Fatalf("run %s failed for another reason: %s", r.RunID, r.Error)
		}
	}
	if interrupted == 0 || interrupted > killed {
		t.Fatalf("%d runs marked interrupted for %d kills", interrupted, killed)
	}
}

// TestServeSIGTERMCancelsRun starts `attrib serve` with a job every second,
// sends SIGTERM while a run is in progress and checks that the process exits
// cleanly within 10 s with the run recorded as cancelled.
func TestServeSIGTERMCancelsRun(t *testing.T) {
	t.Parallel()
	dir := demoDir(t, 3000, 11)
	// Replace the demo's jobs with one every second and listen on a free port.
	replaceJobsAndServe(t, dir, "jobs:\n  - name: often\n    schedule: \"@every 1s\"\nserve:\n  http: 127.0.0.1:0\n  postgres: 127.0.0.1:0\n")
	c := startChild(t, dir, "serve", "-v")
	// The first run loads every file: SIGTERM comes while the second of 24 loads.
	for range 2 {
		if !c.waitLine(t, "ingest: loading", 2*time.Minute) {
			out, errOut := c.output()
			t.Fatalf("serve ended early:\n%s%s", out, errOut)
		}
	}
	out, _ := c.output()
	addr := strings.Fields(strings.TrimPrefix(out, "attrib serve: http://"))[0]
	resp, err := http.Get("http://" + addr + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	var health struct {
		Status string          `json:"status"`
		Jobs   []jobs.Schedule `json:"jobs"`
	}
	err = json.NewDecoder(resp.Body).Decode(&health)
	resp.Body.Close()
	if err != nil || resp.StatusCode != 200 || health.Status != "ok" || len(health.Jobs) != 1 || health.Jobs[0].Running == "" {
		t.Fatalf("healthz during a run: %d %+v %v", resp.StatusCode, health, err)
	}
	resp, err = http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(metrics), `attrib_job_running{job="often"} 1`) {
		t.Fatalf("metrics during a run:\n%s", metrics)
	}

	sent := time.Now()
	if err := c.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	code := c.wait(t, 30*time.Second)
	took := time.Since(sent)
	_, errOut := c.output()
	if code != 0 {
		t.Fatalf("serve exited with %d after SIGTERM:\n%s", code, errOut)
	}
	if took > 10*time.Second {
		t.Fatalf("serve took %s to exit after SIGTERM", took)
	}
	st := inspectRuns(t, dir)
	var inFlight *jobs.Run
	for i := range st {
		if st[i].RunID == health.Jobs[0].Running {
			inFlight = &st[i]
		}
	}
	if inFlight == nil || inFlight.Job != "often" || inFlight.Trigger != jobs.TriggerSchedule || inFlight.Status != jobs.StatusCancelled || !inFlight.FinishedAt.Valid {
		t.Fatalf("the run %s in progress at SIGTERM is recorded as %+v", health.Jobs[0].Running, inFlight)
	}
	for _, r := range st {
		if r.Status == jobs.StatusRunning || r.Status == jobs.StatusFailed {
			t.Fatalf("run %s: %s %s", r.RunID, r.Status, r.Error)
		}
	}
}

// inspectRuns reads pipeline_runs without requiring published results.
func inspectRuns(t *testing.T, dir string) []jobs.Run {
	t.Helper()
	ctx := context.Background()
	cfg, err := config.Load(filepath.Join(dir, config.DefaultFile))
	if err != nil {
		t.Fatal(err)
	}
	w, err := warehouse.Open(ctx, warehouse.Options{Path: cfg.WarehousePath(), TimeZone: cfg.Timezone, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	runs, err := jobs.Recent(ctx, w.DB(), 100)
	if err != nil {
		t.Fatal(err)
	}
	return runs
}

// TestRunExitCodeAndSummary: `attrib run` prints one summary line and exits
// non-zero when the run fails (here: the job's timeout is far too short).
func TestRunExitCodeAndSummary(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "data"), 0o755); err != nil {
		t.Fatal(err)
	}
	csv := "ts,cookie,utm_source,utm_medium\n2025-01-01 10:00:00,c1,google,cpc\n"
	conv := "ts,cookie,type,amount\n2025-01-02 10:00:00,c1,account_opened,10\n"
	// serve.http on a free port: `attrib runs` asks a serve there first, and
	// must never reach whatever listens on the default 127.0.0.1:8080.
	cfg := `warehouse: {path: w.duckdb}
sources:
  - {name: web, dataset: touchpoints, path: data/web.csv, columns: {occurred_at: ts, anonymous_id: cookie, source: utm_source, medium: utm_medium}}
  - {name: conv, dataset: conversions, path: data/conv.csv, columns: {occurred_at: ts, anonymous_id: cookie, conversion_type: type, revenue: amount}}
jobs:
  - {name: ok}
  - {name: hasty, timeout: 1ns}
serve: {http: ` + testkit.FreeAddr(t) + `}
`
	for name, body := range map[string]string{"data/web.csv": csv, "data/conv.csv": conv, "attrib.yaml": cfg} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	code, out := runChild(t, dir, "run", "--job", "hasty")
	if code == 0 || strings.Count(out, "\n") != 1 || !strings.Contains(out, "job=hasty status=failed") || !strings.Contains(out, "timed out") {
		t.Fatalf("failed run: exit %d, stdout %q", code, out)
	}
	code, out = runChild(t, dir, "run", "--job", "ok")
	if code != 0 || strings.Count(out, "\n") != 1 || !strings.Contains(out, "job=ok status=succeeded") {
		t.Fatalf("good run: exit %d, stdout %q", code, out)
	}
	code, out = runChild(t, dir, "backfill", "--from", "2025-01-02", "--to", "2025-01-02", "--job", "ok")
	if code != 0 || !strings.Contains(out, "status=succeeded") || !strings.Contains(out, "range=2025-01-02..2025-01-02") {
		t.Fatalf("backfill: exit %d, stdout %q", code, out)
	}
	code, out = runChild(t, dir, "runs", "--steps")
	if code != 0 || !strings.Contains(out, "2025-01-02..2025-01-02") || !strings.Contains(out, "failed") || !strings.Contains(out, "publish=") {
		t.Fatalf("runs: exit %d:\n%s", code, out)
	}
}

// TestServeSIGTERMDuringStatement: serve stops within 10 s of SIGTERM while
// a person's statement is still being planned (DuckDB cannot interrupt
// that; the statement runs in a worker process, which serve kills).
func TestServeSIGTERMDuringStatement(t *testing.T) {
	t.Parallel()
	dir := demoDir(t, 3000, 11)
	replaceJobsAndServe(t, dir, "serve:\n  http: 127.0.0.1:0\n  postgres: 127.0.0.1:0\n  anonymous: true\n  statement_timeout: 1h\n  max_statement_memory: 17179869184\n")
	c := startChild(t, dir, "serve")
	var out string
	for start := time.Now(); !strings.Contains(out, "attrib serve: http://"); out, _ = c.output() {
		if time.Since(start) > 2*time.Minute {
			_, errOut := c.output()
			t.Fatalf("serve did not start:\n%s%s", out, errOut)
		}
		time.Sleep(20 * time.Millisecond) // polling, bounded above
	}
	addr := strings.Fields(strings.TrimPrefix(out[strings.Index(out, "attrib serve: http://"):], "attrib serve: http://"))[0]
	answered := make(chan int, 1)
	go func() {
		body := strings.NewReader(`{"sql":"SELECT length(repeat('x', 300000000)) AS n"}`)
		resp, err := http.Post("http://"+addr+"/api/query", "application/json", body)
		if err != nil {
			answered <- -1
			return
		}
		resp.Body.Close()
		answered <- resp.StatusCode
	}()
	// The statement is running when serve has a worker process busy with it.
	deadline := time.Now().Add(20 * time.Second)
	for len(childrenOf(c.cmd.Process.Pid)) == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond) // polling, bounded by the deadline
	}
	if len(childrenOf(c.cmd.Process.Pid)) == 0 {
		t.Fatal("no statement worker started")
	}
	sent := time.Now()
	if err := c.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	code := c.wait(t, 30*time.Second)
	took := time.Since(sent)
	if code != 0 {
		_, errOut := c.output()
		t.Fatalf("serve exited with %d after SIGTERM:\n%s", code, errOut)
	}
	if took > 10*time.Second {
		t.Fatalf("serve took %s to exit after SIGTERM with a statement being planned", took)
	}
	if st := <-answered; st == http.StatusOK {
		t.Errorf("the statement finished (%d) instead of being stopped", st)
	}
}

// replaceJobsAndServe cuts the demo config in dir at its jobs section
// (jobs and serve come last) and appends tail in their place.
func replaceJobsAndServe(t *testing.T, dir, tail string) {
	t.Helper()
	cfgPath := filepath.Join(dir, config.DefaultFile)
	raw, err := os.ReadFile(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	text := string(raw)
	if i := strings.Index(text, "\njobs:"); i >= 0 {
		text = text[:i+1]
	}
	if err := os.WriteFile(cfgPath, []byte(text+tail), 0o644); err != nil {
		t.Fatal(err)
	}
}

// childrenOf lists the processes whose parent is pid (from /proc).
func childrenOf(pid int) []int {
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	var out []int
	for _, p := range stats {
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...: comm may hold spaces, so read after ")".
		f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
		if len(f) > 1 && f[1] == strconv.Itoa(pid) {
			n, _ := strconv.Atoi(strings.Fields(string(b))[0])
			out = append(out, n)
		}
	}
	return out
}
