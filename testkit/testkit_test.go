package testkit_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"attrib/config"
	"attrib/demo"
	"attrib/testkit"
	"attrib/warehouse"
)

func TestMain(m *testing.M) { testkit.Main(m) }

// TestDemoGeneratedOnceCopiedEachTime: every caller gets its own folder
// with the same bytes as a generation of its own, and a change to one copy
// is not seen by the next.
func TestDemoGeneratedOnceCopiedEachTime(t *testing.T) {
	t.Parallel()
	a, sum := testkit.DemoSummary(t, 300, 4)
	if sum.Dir != a || sum.Config != filepath.Join(a, config.DefaultFile) {
		t.Errorf("summary paths not moved: dir %s, config %s, want below %s", sum.Dir, sum.Config, a)
	}
	for _, p := range sum.Paths {
		if !strings.HasPrefix(p, a+string(filepath.Separator)) {
			t.Errorf("summary path %s not below %s", p, a)
		}
		if _, err := os.Stat(p); err != nil {
			t.Error(err)
		}
	}
	fresh := t.TempDir()
	want, err := demo.Generate(context.Background(), demo.Options{Dir: fresh, People: 300, Seed: 4})
	if err != nil {
		t.Fatal(err)
	}
	if len(want.Files) != len(sum.Files) {
		t.Fatalf("%d files, a fresh generation has %d", len(sum.Files), len(want.Files))
	}
	for _, f := range want.Files {
		if !testkit.SameFile(t, filepath.Join(fresh, f.Path), filepath.Join(a, f.Path)) {
			t.Errorf("%s differs from a fresh generation", f.Path)
		}
	}
	conv := filepath.Join(a, "data", "conversions", "conversions.csv")
	orig, err := os.ReadFile(conv)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(conv, []byte("changed\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	b := testkit.Demo(t, 300, 4)
	if b == a {
		t.Fatal("two calls got the same folder")
	}
	got, err := os.ReadFile(filepath.Join(b, "data", "conversions", "conversions.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(orig) {
		t.Error("a change to one copy reached the next")
	}
}

// TestBuiltOnce: concurrent callers of one key run build once and each get
// a copy of its result; a failed build fails every caller of its key.
func TestBuiltOnce(t *testing.T) {
	t.Parallel()
	var builds atomic.Int32
	build := func(dir string) error {
		builds.Add(1)
		return os.WriteFile(filepath.Join(dir, "x"), []byte("built"), 0o644)
	}
	var wg sync.WaitGroup
	dirs := make([]string, 4)
	for i := range dirs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			dirs[i] = testkit.Built(t, "once", build)
		}()
	}
	wg.Wait()
	if n := builds.Load(); n != 1 {
		t.Errorf("build ran %d times, want 1", n)
	}
	seen := map[string]bool{}
	for _, d := range dirs {
		if seen[d] {
			t.Errorf("folder %s handed out twice", d)
		}
		seen[d] = true
		if b, err := os.ReadFile(filepath.Join(d, "x")); err != nil || string(b) != "built" {
			t.Errorf("%s: %q %v", d, b, err)
		}
	}

	boom := errors.New("boom")
	for range 2 {
		ft := &fatalRecorder{TB: t}
		done := make(chan struct{})
		go func() {
			defer close(done)
			testkit.Built(ft, "fails", func(string) error { builds.Add(1); return boom })
		}()
		<-done
		if !strings.Contains(ft.msg, "boom") {
			t.Errorf("failed build: caller told %q", ft.msg)
		}
	}
	if n := builds.Load(); n != 2 {
		t.Errorf("builds %d, want 2 (the failing one once)", n)
	}
}

// fatalRecorder records Fatalf's message and ends its goroutine, as a
// test's Fatalf does.
type fatalRecorder struct {
	testing.TB
	msg string
}

func (f *fatalRecorder) Helper() {}
func (f *fatalRecorder) Fatalf(format string, args ...any) {
	f.msg = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

// TestDemoRunOpensAfterRun: DemoRun's folder holds the warehouse the run
// left, with what the run wrote.
func TestDemoRunOpensAfterRun(t *testing.T) {
	t.Parallel()
	var runs atomic.Int32
	run := func(ctx context.Context, cfg *config.Config, w *warehouse.Warehouse) error {
		runs.Add(1)
		_, err := w.DB().ExecContext(ctx, "CREATE TABLE ran AS SELECT 42 AS answer")
		return err
	}
	for range 2 {
		dir := testkit.DemoRun(t, 300, 4, run)
		_, w := testkit.OpenDir(t, dir)
		var n int
		if err := w.DB().QueryRow("SELECT answer FROM ran").Scan(&n); err != nil || n != 42 {
			t.Errorf("after the run: %d %v", n, err)
		}
	}
	if n := runs.Load(); n != 1 {
		t.Errorf("ran %d times, want 1", n)
	}
}

// TestWarehouseAndConfig: a relative warehouse path lands in a temp dir;
// Config resolves relative paths next to its file.
func TestWarehouseAndConfig(t *testing.T) {
	t.Parallel()
	w := testkit.Warehouse(t, warehouse.Options{Path: "w.duckdb"})
	var one int
	if err := w.DB().QueryRow("SELECT 1").Scan(&one); err != nil || one != 1 {
		t.Fatalf("warehouse: %d %v", one, err)
	}
	cfg := testkit.Config(t, "warehouse:\n  path: x.duckdb\npii:\n  key: k\n")
	if got := cfg.WarehousePath(); filepath.Dir(got) != cfg.Dir || filepath.Base(got) != "x.duckdb" {
		t.Errorf("warehouse path %s, config dir %s", got, cfg.Dir)
	}
	if _, err := os.Stat(filepath.Join(cfg.Dir, config.DefaultFile)); err != nil {
		t.Error(err)
	}
}

// TestFreeAddrAndListen: loopback, not the serve defaults, and usable.
func TestFreeAddrAndListen(t *testing.T) {
	t.Parallel()
	addr := testkit.FreeAddr(t)
	host, port, err := net.SplitHostPort(addr)
	if err != nil || host != "127.0.0.1" || port == "8080" || port == "5432" || port == "0" {
		t.Errorf("FreeAddr %q %v", addr, err)
	}
	ln := testkit.Listen(t)
	go func() {
		c, err := ln.Accept()
		if err == nil {
			c.Write([]byte("hi"))
			c.Close()
		}
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	b := make([]byte, 2)
	if _, err := c.Read(b); err != nil || string(b) != "hi" {
		t.Errorf("read %q %v", b, err)
	}
}
