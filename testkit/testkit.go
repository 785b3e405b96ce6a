// Package testkit is the one test harness of attrib's packages: warehouses
// in temporary folders, parsed configs, demo data sets generated once per
// test process, folders "after a full run" built once and copied, and
// loopback listeners on free ports.
//
// It imports only warehouse, config and demo, so that the tests of every
// package (including those three's external tests) can use it; what needs
// jobs or server (running the pipeline, starting a server) is passed in by
// the caller as a function.
//
// Demo and Built keep their originals in one folder per test process; a
// package whose tests use them calls Main from its TestMain, which removes
// that folder when the tests end:
//
//	func TestMain(m *testing.M) { testkit.Main(m) }
package testkit

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"attrib/config"
	"attrib/demo"
	"attrib/warehouse"
)

// Main runs the tests and removes the process-wide cache folder of Demo and
// Built before exiting with the tests' code.
func Main(m *testing.M) {
	mainCalled.Store(true)
	code := m.Run()
	removeCache()
	os.Exit(code)
}

// Warehouse opens a warehouse with o, closed when the test ends. A relative
// o.Path is taken inside a fresh t.TempDir(); "" opens an in-memory one.
func Warehouse(t testing.TB, o warehouse.Options) *warehouse.Warehouse {
	t.Helper()
	if o.Path != "" && !filepath.IsAbs(o.Path) {
		o.Path = filepath.Join(t.TempDir(), o.Path)
	}
	w, err := warehouse.Open(context.Background(), o)
	if err != nil {
		t.Fatalf("testkit: open warehouse: %v", err)
	}
	t.Cleanup(func() { w.Close() })
	return w
}

// Open opens cfg's warehouse file in cfg's time zone, closed when the test
// ends.
func Open(t testing.TB, cfg *config.Config) *warehouse.Warehouse {
	t.Helper()
	return Warehouse(t, warehouse.Options{Path: cfg.WarehousePath(), TimeZone: cfg.Timezone})
}

// LoadDir loads dir's attrib.yaml.
func LoadDir(t testing.TB, dir string) *config.Config {
	t.Helper()
	cfg, err := config.Load(filepath.Join(dir, config.DefaultFile))
	if err != nil {
		t.Fatalf("testkit: load config: %v", err)
	}
	return cfg
}

// OpenDir loads dir's attrib.yaml and opens its warehouse, closed when the
// test ends.
func OpenDir(t testing.TB, dir string) (*config.Config, *warehouse.Warehouse) {
	t.Helper()
	cfg := LoadDir(t, dir)
	return cfg, Open(t, cfg)
}

// Config writes yaml as attrib.yaml into a fresh temporary folder and
// parses it; the config's relative paths resolve inside that folder.
func Config(t testing.TB, yaml string) *config.Config {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, config.DefaultFile)
	if err := os.WriteFile(path, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(path)
	if err != nil {
		t.Fatalf("testkit: config: %v", err)
	}
	return cfg
}

// CopyDir copies the files below src into a fresh temporary folder and
// returns it.
func CopyDir(t testing.TB, src string) string {
	t.Helper()
	dst := t.TempDir()
	if err := CopyTree(src, dst); err != nil {
		t.Fatalf("testkit: %v", err)
	}
	return dst
}

// CopyTree copies the files below src into dst (created as needed). Every
// file is a new file: tests may rewrite or append to the copies.
func CopyTree(src, dst string) error {
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		return copyFile(p, target)
	})
	if err != nil {
		return fmt.Errorf("copy %s to %s: %w", src, dst, err)
	}
	return nil
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// FreeAddr returns a loopback host:port that was free a moment ago, for
// code that insists on listening itself (a config's serve.http or
// serve.postgres). Never the defaults 8080 or 5432.
func FreeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("testkit: free port: %v", err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// Listen returns a loopback listener on a free port, closed when the test
// ends (closing it again is harmless).
func Listen(t testing.TB) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("testkit: listen: %v", err)
	}
	t.Cleanup(func() { ln.Close() })
	return ln
}

// The process-wide cache of Demo and Built.
var (
	mainCalled atomic.Bool
	cacheMu    sync.Mutex
	cacheDir   string
	entries    = map[string]*entry{}
)

// entry is one cached folder, built by the first test that asks for it.
type entry struct {
	once sync.Once
	dir  string
	sum  *demo.Summary
	err  error
	ok   bool // set when the build returned (not when it stopped its test)
}

func removeCache() {
	cacheMu.Lock()
	defer cacheMu.Unlock()
	if cacheDir != "" {
		_ = os.RemoveAll(cacheDir)
		cacheDir = ""
	}
	entries = map[string]*entry{}
}

// cached returns the entry for key, creating the cache folder on first use.
func cached(t testing.TB, key string) (*entry, string) {
	t.Helper()
	if !mainCalled.Load() {
		t.Fatal("testkit: Demo and Built need testkit.Main(m) in the package's TestMain (it removes their cache)")
	}
	cacheMu.Lock()
	defer cacheMu.Unlock()
	if cacheDir == "" {
		d, err := os.MkdirTemp("", "attrib-testkit-")
		if err != nil {
			t.Fatalf("testkit: cache folder: %v", err)
		}
		cacheDir = d
	}
	e, ok := entries[key]
	if !ok {
		e = &entry{}
		entries[key] = e
	}
	return e, filepath.Join(cacheDir, safeName(key))
}

func safeName(key string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.' {
			return r
		}
		return '_'
	}, key)
}

// demoEntry generates the demo of (people, seed) once per process.
func demoEntry(t testing.TB, people int, seed int64) *entry {
	t.Helper()
	e, dir := cached(t, fmt.Sprintf("demo-%d-%d", people, seed))
	e.once.Do(func() {
		e.dir = dir
		s, err := demo.Generate(context.Background(), demo.Options{Dir: dir, People: people, Seed: seed})
		e.sum, e.err, e.ok = &s, err, true
	})
	if !e.ok {
		t.Fatalf("testkit: demo of %d people, seed %d: an earlier generation did not finish", people, seed)
	}
	if e.err != nil {
		t.Fatalf("testkit: demo of %d people, seed %d: %v", people, seed, e.err)
	}
	return e
}

// Demo returns a fresh folder holding the demo data set of people and seed
// with its attrib.yaml (and no warehouse). The data set is generated once
// per test process and copied, so a test may change its files.
func Demo(t testing.TB, people int, seed int64) string {
	t.Helper()
	dir, _ := DemoSummary(t, people, seed)
	return dir
}

// DemoSummary is Demo, also returning what demo.Generate reported, with
// its paths (Dir, Paths, Config) pointing into the returned folder.
func DemoSummary(t testing.TB, people int, seed int64) (string, demo.Summary) {
	t.Helper()
	e := demoEntry(t, people, seed)
	dst := CopyDir(t, e.dir)
	return dst, relocate(*e.sum, e.dir, dst)
}

// DemoTo copies the demo data set of people and seed (generated once per
// test process) into dst, for Built's build functions. It needs a test
// for the first generation, so it takes t too.
func DemoTo(t testing.TB, dst string, people int, seed int64) error {
	t.Helper()
	return CopyTree(demoEntry(t, people, seed).dir, dst)
}

// relocate returns s with its absolute paths moved from folder from to to.
func relocate(s demo.Summary, from, to string) demo.Summary {
	move := func(p string) string {
		rel, err := filepath.Rel(from, p)
		if err != nil {
			return p
		}
		return filepath.Join(to, rel)
	}
	s.Dir = to
	s.Config = move(s.Config)
	s.Paths = append([]string(nil), s.Paths...)
	for i, p := range s.Paths {
		s.Paths[i] = move(p)
	}
	return s
}

// Built returns a fresh copy of a folder that build made once per test
// process under key: the first test to ask runs build on an empty folder
// (typically a demo copied in with DemoTo and a full pipeline run, its
// warehouse closed before build returns); every later test gets a copy of
// the result, warehouse file included, instead of running it again. Tests
// asking for the same key must mean the same build.
func Built(t testing.TB, key string, build func(dir string) error) string {
	t.Helper()
	e, dir := cached(t, "built-"+key)
	e.once.Do(func() {
		e.dir = dir
		if err := os.MkdirAll(dir, 0o755); err != nil {
			e.err, e.ok = err, true
			return
		}
		e.err = build(dir)
		if e.err == nil {
			// DuckDB's spill folder is no part of the result.
			e.err = removeSpill(dir)
		}
		e.ok = true
	})
	if !e.ok {
		t.Fatalf("testkit: build %s: an earlier build stopped its test before finishing", key)
	}
	if e.err != nil {
		t.Fatalf("testkit: build %s: %v", key, e.err)
	}
	return CopyDir(t, e.dir)
}

func removeSpill(dir string) error {
	ms, err := filepath.Glob(filepath.Join(dir, "*.duckdb.tmp"))
	if err != nil {
		return err
	}
	var errs []error
	for _, m := range ms {
		errs = append(errs, os.RemoveAll(m))
	}
	return errors.Join(errs...)
}

// RunFunc runs attrib's pipeline once on an open warehouse (a caller that
// can import jobs passes a function around jobs.Runner).
type RunFunc func(ctx context.Context, cfg *config.Config, w *warehouse.Warehouse) error

// DemoRun returns a fresh copy of the demo data set of people and seed after
// one run of run, warehouse included: built once per test process, then
// copied. Every test of a process asking for the same people and seed must
// pass the same kind of run (one pipeline run of the default job).
func DemoRun(t testing.TB, people int, seed int64, run RunFunc) string {
	t.Helper()
	return Built(t, fmt.Sprintf("demo-run-%d-%d", people, seed), func(dir string) error {
		if err := DemoTo(t, dir, people, seed); err != nil {
			return err
		}
		cfg, err := config.Load(filepath.Join(dir, config.DefaultFile))
		if err != nil {
			return err
		}
		ctx := context.Background()
		w, err := warehouse.Open(ctx, warehouse.Options{Path: cfg.WarehousePath(), TimeZone: cfg.Timezone})
		if err != nil {
			return err
		}
		if err := run(ctx, cfg, w); err != nil {
			w.Close()
			return err
		}
		return w.Close()
	})
}

// SameFile reports whether the files at a and b hold the same bytes (the
// test fails if either cannot be read).
func SameFile(t testing.TB, a, b string) bool {
	t.Helper()
	x, err := os.ReadFile(a)
	if err != nil {
		t.Fatal(err)
	}
	y, err := os.ReadFile(b)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Equal(x, y)
}
