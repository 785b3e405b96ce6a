package warehouse

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// sumIn opens a copy read-only and returns count(*) and sum(x) of t.
func sumIn(t *testing.T, path string) (n, sum int64) {
	t.Helper()
	c, err := Open(context.Background(), Options{Path: path, ReadOnly: true})
	if err != nil {
		t.Fatalf("open copy: %v", err)
	}
	defer c.Close()
	if err := c.DB().QueryRow(`SELECT count(*), coalesce(sum(x), 0) FROM t`).Scan(&n, &sum); err != nil {
		t.Fatal(err)
	}
	return n, sum
}

// TestCopyFile: the copy holds every committed row, including rows still
// only in the WAL (the copy checkpoints first), and opens as a database.
func TestCopyFile(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	w, err := Open(ctx, Options{Path: filepath.Join(dir, "w.duckdb")})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	db := w.DB()
	if _, err := db.Exec(`CREATE TABLE t AS SELECT range::BIGINT AS x FROM range(1, 100001); CHECKPOINT`); err != nil {
		t.Fatal(err)
	}
	// Committed after the last checkpoint: in the WAL only.
	if _, err := db.Exec(`INSERT INTO t VALUES (1000000)`); err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(dir, "copy.duckdb")
	if err := w.CopyFile(ctx, dst); err != nil {
		t.Fatal(err)
	}
	// 1..100000 sums to 100000*100001/2; plus the row in the WAL.
	if n, sum := sumIn(t, dst); n != 100001 || sum != 100000*100001/2+1000000 {
		t.Fatalf("copy has %d rows summing to %d", n, sum)
	}
	// dst must be new: a second copy to the same name is refused.
	if err := w.CopyFile(ctx, dst); err == nil || errors.Is(err, ErrNoFileCopy) {
		t.Fatalf("copy over an existing file: %v", err)
	}
	if _, err := os.Stat(dst + ".wal"); !os.IsNotExist(err) {
		t.Fatalf("copy has a WAL: %v", err)
	}
}

// TestCopyFileRetriesAfterCheckpoint: a checkpoint between the copy and the
// header check (as another connection's commit can cause) makes the copy
// start again, so the result is the later state, never a torn file; when a
// checkpoint races every attempt, CopyFile gives up and leaves no file.
func TestCopyFileRetriesAfterCheckpoint(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	w, err := Open(ctx, Options{Path: filepath.Join(dir, "w.duckdb")})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	db := w.DB()
	if _, err := db.Exec(`CREATE TABLE t AS SELECT range::BIGINT AS x FROM range(1, 11)`); err != nil {
		t.Fatal(err)
	}
	header := func() []byte {
		b, err := os.ReadFile(w.Path())
		if err != nil {
			t.Fatal(err)
		}
		return b[:headerBytes]
	}
	calls := 0
	w.afterCopy = func() {
		calls++
		if calls > 1 {
			return
		}
		before := header()
		if _, err := db.Exec(`INSERT INTO t VALUES (100); CHECKPOINT`); err != nil {
			t.Error(err)
		}
		// The check is only meaningful if a checkpoint rewrites this range.
		if bytes.Equal(before, header()) {
			t.Error("a checkpoint left the first 12 KiB of the file unchanged")
		}
	}
	dst := filepath.Join(dir, "copy.duckdb")
	if err := w.CopyFile(ctx, dst); err != nil {
		t.Fatal(err)
	}
	if calls != 2 {
		t.Fatalf("%d copies, want 2 (one raced by a checkpoint, one clean)", calls)
	}
	if n, sum := sumIn(t, dst); n != 11 || sum != 55+100 {
		t.Fatalf("copy has %d rows summing to %d, want 11 and 155", n, sum)
	}

	i := 0
	w.afterCopy = func() {
		i++
		if _, err := db.Exec(`INSERT INTO t VALUES (1); CHECKPOINT`); err != nil {
			t.Error(err)
		}
	}
	dst2 := filepath.Join(dir, "copy2.duckdb")
	if err := w.CopyFile(ctx, dst2); !errors.Is(err, ErrNoFileCopy) || i != copyAttempts {
		t.Fatalf("every copy raced: %v after %d attempts", err, i)
	}
	if _, err := os.Stat(dst2); !os.IsNotExist(err) {
		t.Fatalf("a torn copy was left: %v", err)
	}
}

func TestCopyFileNotForMemoryOrReadOnly(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := openInMemory(t)
	if err := w.CopyFile(ctx, filepath.Join(t.TempDir(), "c.duckdb")); !errors.Is(err, ErrNoFileCopy) {
		t.Fatalf("in-memory: %v", err)
	}
}

// TestCopyFileKeepsLock: copying reads the file through a descriptor kept
// open, so DuckDB's lock on the warehouse still keeps another process out
// (closing any descriptor of the file would have dropped it).
func TestCopyFileKeepsLock(t *testing.T) {
	t.Parallel()
	if p := os.Getenv("ATTRIB_COPY_LOCK_HELPER"); p != "" {
		_, err := Open(context.Background(), Options{Path: p})
		if errors.Is(err, ErrLocked) {
			os.Stdout.WriteString("locked\n")
		} else {
			os.Stdout.WriteString("opened\n")
		}
		return
	}
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "w.duckdb")
	w, err := Open(ctx, Options{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	for _, name := range []string{"a.duckdb", "b.duckdb"} {
		if err := w.CopyFile(ctx, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestCopyFileKeepsLock$")
	cmd.Env = append(os.Environ(), "ATTRIB_COPY_LOCK_HELPER="+path)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("helper: %v %s", err, out)
	}
	if !bytes.HasPrefix(out, []byte("locked\n")) {
		t.Fatalf("another process could open the warehouse after a copy: %q", out)
	}
}

// TestCopyFileWithOpenTransactions: a run's transaction still open on
// another connection (reading, or with uncommitted rows) does not stop the
// copy; it holds every committed row and none of the uncommitted ones.
func TestCopyFileWithOpenTransactions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	w, err := Open(ctx, Options{Path: filepath.Join(dir, "w.duckdb")})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	db := w.DB()
	if _, err := db.Exec(`CREATE TABLE t AS SELECT range::BIGINT AS x FROM range(1, 11); CHECKPOINT`); err != nil {
		t.Fatal(err)
	}
	for i, mode := range []string{"read", "write"} {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		var n int64
		if err := tx.QueryRow(`SELECT count(*) FROM t`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if mode == "write" {
			if _, err := tx.Exec(`INSERT INTO t VALUES (1000)`); err != nil {
				t.Fatal(err)
			}
		}
		// Committed on another connection while tx is open: only in the WAL.
		if _, err := db.Exec(`INSERT INTO t VALUES (100)`); err != nil {
			t.Fatal(err)
		}
		dst := filepath.Join(dir, mode+".duckdb")
		if err := w.CopyFile(ctx, dst); err != nil {
			t.Fatalf("%s transaction open: %v", mode, err)
		}
		// 1..10 sum to 55; one committed 100 per round so far; the uncommitted 1000 never.
		rows, sum := sumIn(t, dst)
		if rows != int64(11+i) || sum != int64(55+100*(i+1)) {
			t.Errorf("%s transaction open: copy has %d rows summing to %d", mode, rows, sum)
		}
		if err := tx.Rollback(); err != nil {
			t.Fatal(err)
		}
	}
}
