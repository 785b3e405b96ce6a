package warehouse

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"text/template"
)

func TestMigrationsApplyOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "w.duckdb")
	w, err := Open(ctx, Options{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	ms, err := Migrations()
	if err != nil {
		t.Fatal(err)
	}
	v, err := w.SchemaVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if v != ms[len(ms)-1].Version {
		t.Fatalf("schema version %d, want %d", v, ms[len(ms)-1].Version)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	// Opening again applies nothing and keeps one row per migration.
	w, err = Open(ctx, Options{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	var n int
	if err := w.DB().QueryRowContext(ctx, "SELECT count(*) FROM attrib_migrations").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != len(ms) {
		t.Fatalf("attrib_migrations has %d rows, want %d", n, len(ms))
	}
}

func TestSettingsApplied(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	w, err := Open(ctx, Options{Path: filepath.Join(dir, "w.duckdb"), MemoryLimit: "512MB", Threads: 1, TimeZone: "Asia/Shanghai"})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	var threads, tz, tmp string
	err = w.DB().QueryRowContext(ctx, "SELECT current_setting('threads')::VARCHAR, current_setting('TimeZone'), current_setting('temp_directory')").Scan(&threads, &tz, &tmp)
	if err != nil {
		t.Fatal(err)
	}
	if threads != "1" || tz != "Asia/Shanghai" || !strings.HasSuffix(tmp, "w.duckdb.tmp") {
		t.Fatalf("threads=%s tz=%s temp=%s", threads, tz, tmp)
	}
	// A naive timestamp is read in the configured zone.
	var utc string
	if err := w.DB().QueryRowContext(ctx, "SELECT strftime(attrib_parse_ts('2025-01-02 08:00:00') AT TIME ZONE 'UTC', '%Y-%m-%d %H:%M')").Scan(&utc); err != nil {
		t.Fatal(err)
	}
	if utc != "2025-01-02 00:00" {
		t.Fatalf("08:00 Shanghai = %s UTC, want 00:00", utc)
	}
}

func TestUnknownTimeZone(t *testing.T) {
	t.Parallel()
	_, err := Open(context.Background(), Options{TimeZone: "Mars/Base"})
	if err == nil || !strings.Contains(err.Error(), "Mars/Base") {
		t.Fatalf("want time zone error, got %v", err)
	}
}

// TestLockHeldByOtherProcess opens the warehouse in a child process (this test
// binary, re-run as a helper) and checks the message the second opener gets.
func TestLockHeldByOtherProcess(t *testing.T) {
	t.Parallel()
	if os.Getenv("ATTRIB_LOCK_HELPER") != "" {
		w, err := Open(context.Background(), Options{Path: os.Getenv("ATTRIB_LOCK_HELPER")})
		if err != nil {
			os.Exit(2)
		}
		defer w.Close()
		os.Stdout.WriteString("open\n")
		buf := make([]byte, 1)
		_, _ = os.Stdin.Read(buf) // hold the lock until the parent closes stdin
		return
	}
	path := filepath.Join(t.TempDir(), "w.duckdb")
	cmd := exec.Command(os.Args[0], "-test.run=^TestLockHeldByOtherProcess$")
	cmd.Env = append(os.Environ(), "ATTRIB_LOCK_HELPER="+path)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { stdin.Close(); _ = cmd.Wait() }()
	buf := make([]byte, 5)
	if _, err := stdout.Read(buf); err != nil || string(buf) != "open\n" {
		t.Fatalf("helper did not open the warehouse: %q %v", buf, err)
	}
	_, err = Open(context.Background(), Options{Path: path})
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("want ErrLocked, got %v", err)
	}
	var le *LockedError
	if !errors.As(err, &le) || !strings.Contains(err.Error(), "in use by another attrib process") {
		t.Fatalf("unclear lock message: %v", err)
	}
}

func TestHMACMatchesGo(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := openInMemory(t)
	// RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
	ipad, opad := HMACPads([]byte("Jefe"))
	var got string
	if err := w.DB().QueryRowContext(ctx, "SELECT attrib_hmac(?, ?::BLOB, ?::BLOB)", "what do ya want for nothing?", ipad, opad).Scan(&got); err != nil {
		t.Fatal(err)
	}
	const want = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
	if got != want {
		t.Fatalf("hmac = %s, want %s", got, want)
	}
}

func TestQuoteIdent(t *testing.T) {
	t.Parallel()
	if got := QuoteIdent(`a"b`); got != `"a""b"` {
		t.Fatal(got)
	}
}

func TestPathWithURLCharactersRefused(t *testing.T) {
	t.Parallel()
	_, err := Open(context.Background(), Options{Path: filepath.Join(t.TempDir(), "100%", "w.duckdb")})
	if err == nil || !strings.Contains(err.Error(), "not supported in the warehouse path") {
		t.Fatalf("want a clear error, got %v", err)
	}
}

// TestStorageVersion: a new warehouse file is written in StorageVersion's
// format and its strings are compressed with DICT_FSST; a file DuckDB made
// with its defaults keeps its own format, migrates and loads as before.
func TestStorageVersion(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	storage := func(w *Warehouse) (version, compression string) {
		t.Helper()
		err := w.DB().QueryRowContext(ctx, `SELECT tags['storage_version'] FROM duckdb_databases() WHERE database_name = current_database()`).Scan(&version)
		if err != nil {
			t.Fatal(err)
		}
		_, err = w.DB().ExecContext(ctx, `INSERT INTO fx_rates SELECT 'fx' || i, DATE '2025-01-01' + i::INTEGER, 'C' || (i % 7), 1.5, 'src', 'load'
			FROM range(200000) t(i); CHECKPOINT`)
		if err != nil {
			t.Fatal(err)
		}
		err = w.DB().QueryRowContext(ctx, `SELECT string_agg(DISTINCT compression, ',') FROM pragma_storage_info('fx_rates')
			WHERE column_name = 'currency' AND segment_type = 'VARCHAR'`).Scan(&compression)
		if err != nil {
			t.Fatal(err)
		}
		return version, compression
	}
	w, err := Open(ctx, Options{Path: filepath.Join(dir, "new.duckdb")})
	if err != nil {
		t.Fatal(err)
	}
	v, c := storage(w)
	w.Close()
	if v != StorageVersion+"+" || c != "DICT_FSST" {
		t.Fatalf("new file: storage %q, compression %q; want %s+, DICT_FSST", v, c, StorageVersion)
	}
	// A file made by DuckDB's defaults (as by an earlier attrib).
	old := filepath.Join(dir, "old.duckdb")
	db, err := sql.Open("duckdb", old)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, "CREATE TABLE before_attrib (x INTEGER)"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	w, err = Open(ctx, Options{Path: old})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if v, c := storage(w); v == StorageVersion+"+" || c == "DICT_FSST" {
		t.Fatalf("existing file: storage %q, compression %q; want its own format kept", v, c)
	}
}

// TestRenderSQL renders a template of a set or a single one, and panics
// naming the template when it cannot be executed.
func TestRenderSQL(t *testing.T) {
	t.Parallel()
	set := template.Must(template.New("a.sql.tmpl").Parse("SELECT {{.}}"))
	template.Must(set.New("b.sql.tmpl").Parse("SELECT {{.X}}"))
	if got := RenderSQL(set, "", 1); got != "SELECT 1" {
		t.Fatalf("single: %q", got)
	}
	if got := RenderSQL(set, "b.sql.tmpl", struct{ X int }{2}); got != "SELECT 2" {
		t.Fatalf("by name: %q", got)
	}
	defer func() {
		if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), "b.sql.tmpl") {
			t.Fatalf("panic %v, want one naming b.sql.tmpl", r)
		}
	}()
	RenderSQL(set, "b.sql.tmpl", 3) // 3 has no field X
}

// openInMemory opens an in-memory warehouse, closed when the test ends.
func openInMemory(t *testing.T) *Warehouse {
	t.Helper()
	w, err := Open(context.Background(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = w.Close() })
	return w
}
