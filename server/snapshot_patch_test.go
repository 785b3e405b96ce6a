package server

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"attrib/config"
	"attrib/testkit"
	"attrib/warehouse"
)

// Tests of the snapshot patched in place (snapshot_patch.go). They replace
// package hooks, so none of them runs in parallel.

// bigTable makes a table of a million rows x = 0..999999, with a hash of
// each (8 MB that do not compress: a file of about 40 chunks).
func bigTable(t *testing.T, w *warehouse.Warehouse) {
	t.Helper()
	if _, err := w.DB().Exec(`CREATE TABLE big AS SELECT range::BIGINT AS x, hash(range) AS h FROM range(1000000)`); err != nil {
		t.Fatal(err)
	}
}

// addRows appends x = from..to-1 to big.
func addRows(t *testing.T, w *warehouse.Warehouse, from, to int) {
	t.Helper()
	if _, err := w.DB().Exec(`INSERT INTO big SELECT range::BIGINT, hash(range) FROM range(?, ?)`, from, to); err != nil {
		t.Fatal(err)
	}
}

// current is the current snapshot's path and marker.
func current(t *testing.T, srv *Server) (path, marker string) {
	t.Helper()
	snap, err := srv.acquire()
	if err != nil {
		t.Fatal(err)
	}
	defer snap.release()
	return snap.path, snap.marker
}

// generations lists the snapshot folders on disk.
func generations(t *testing.T, srv *Server) []string {
	t.Helper()
	ents, err := os.ReadDir(srv.dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		out = append(out, e.Name())
	}
	return out
}

// hookPatch replaces patchFile for one test.
func hookPatch(t *testing.T, f func(w *warehouse.Warehouse, ctx context.Context, dst string, old *warehouse.BlockSums, plan *warehouse.FilePlan) (*warehouse.PatchStats, error)) {
	orig := patchFile
	patchFile = f
	t.Cleanup(func() { patchFile = orig })
}

// openedBy lists the processes (this one and its children: statement
// workers) that have path open.
func openedBy(t *testing.T, path string) []int {
	t.Helper()
	self := os.Getpid()
	procs, err := os.ReadDir("/proc")
	if err != nil {
		t.Fatal(err)
	}
	var out []int
	for _, p := range procs {
		pid, err := strconv.Atoi(p.Name())
		if err != nil {
			continue
		}
		if pid != self {
			stat, err := os.ReadFile("/proc/" + p.Name() + "/stat")
			if err != nil {
				continue
			}
			// pid (comm) state ppid ...: comm may hold spaces, so from the last ')'.
			f := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
			if len(f) < 2 || f[1] != strconv.Itoa(self) {
				continue
			}
		}
		fds, err := os.ReadDir("/proc/" + p.Name() + "/fd")
		if err != nil {
			continue
		}
		for _, fd := range fds {
			if l, err := os.Readlink("/proc/" + p.Name() + "/fd/" + fd.Name()); err == nil && l == path {
				out = append(out, pid)
				break
			}
		}
	}
	return out
}

// TestSnapshotPatchedInPlace: with no one reading, a refresh after a small
// run writes only the changed chunks into the same snapshot file, which is
// then byte for byte the warehouse file and has the new rows - in serve's
// own instance and for the next statement of a PostgreSQL session that read
// the old snapshot before (its statement worker had the file open). At the
// moment of the patch no process has the file open; one snapshot folder is
// on disk.
func TestSnapshotPatchedInPlace(t *testing.T) {
	e := newTestEnv(t, nil)
	ctx := context.Background()
	bigTable(t, e.w)
	finishRun(t, e.w, "r1")
	if err := e.srv.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	path1, _ := current(t, e.srv)
	c := e.pgxConn(t, testPassword)
	var n, sum int64
	if err := c.QueryRow(ctx, "SELECT count(*), sum(x) FROM big").Scan(&n, &sum); err != nil || n != 1000000 {
		t.Fatalf("before the run: %d rows, %v", n, err)
	}
	if len(openedBy(t, path1)) == 0 {
		t.Fatal("no process has the snapshot open after a statement: the check below would prove nothing")
	}

	var written, size int64
	hookPatch(t, func(w *warehouse.Warehouse, ctx context.Context, dst string, old *warehouse.BlockSums, plan *warehouse.FilePlan) (*warehouse.PatchStats, error) {
		if pids := openedBy(t, dst); len(pids) > 0 {
			t.Errorf("patching %s while processes %v have it open", dst, pids)
		}
		st, err := w.PatchFile(ctx, dst, old, plan)
		if err == nil {
			written, size = st.Written, st.Size
		}
		return st, err
	})
	addRows(t, e.w, 1000000, 1001000)
	finishRun(t, e.w, "r2")
	rs, err := e.srv.RefreshReport(ctx)
	if err != nil {
		t.Fatal(err)
	}
	path2, _ := current(t, e.srv)
	if path2 != path1 {
		t.Fatalf("refresh with no reader made a new file %s, not a patch of %s", path2, path1)
	}
	if written == 0 || written*4 > size {
		t.Fatalf("the patch wrote %d of %d bytes", written, size)
	}
	if rs.How != "patch" || rs.Written != written || rs.Size != size || rs.Took <= 0 {
		t.Errorf("refresh reported %+v, want a patch of %d bytes into %d", rs, written, size)
	}
	if rs, err := e.srv.RefreshReport(ctx); err != nil || rs.How != "unchanged" || rs.Written != 0 {
		t.Errorf("refresh without a new run: %+v, %v; want unchanged, nothing written", rs, err)
	}
	sameFile(t, path2, e.w.Path())
	// 0..1000999
	const wantN, wantSum = 1001000, 1000999 * 1001000 / 2
	snap, err := e.srv.acquire()
	if err != nil {
		t.Fatal(err)
	}
	err = snap.db.QueryRow(`SELECT count(*), sum(x) FROM big`).Scan(&n, &sum)
	snap.release()
	if err != nil || n != wantN || sum != wantSum {
		t.Fatalf("serve's instance after the patch: %d rows, sum %d, %v", n, sum, err)
	}
	if err := c.QueryRow(ctx, "SELECT count(*), sum(x) FROM big").Scan(&n, &sum); err != nil || n != wantN || sum != wantSum {
		t.Fatalf("the session's next statement: %d rows, sum %d, %v", n, sum, err)
	}
	if g := generations(t, e.srv); len(g) != 1 {
		t.Fatalf("snapshot folders %v, want one", g)
	}
}

// sameFile fails unless the two files hold the same bytes.
func sameFile(t *testing.T, a, b string) {
	t.Helper()
	if !testkit.SameFile(t, a, b) {
		t.Fatalf("%s is not %s", a, b)
	}
}

// TestSnapshotStatementInFlight: a statement streaming its result when a
// run finishes and the snapshot is refreshed keeps its snapshot to the end
// (the refresh makes a new file instead of patching the one it reads), and
// the next statement reads the new run; the old file is removed once
// released. The refresh runs between two batches of the statement's rows,
// while it holds its snapshot as every person's statement does.
func TestSnapshotStatementInFlight(t *testing.T) {
	e := newTestEnv(t, nil)
	ctx := context.Background()
	bigTable(t, e.w)
	finishRun(t, e.w, "r1")
	if err := e.srv.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	snap, err := e.srv.acquire()
	if err != nil {
		t.Fatal(err)
	}
	path1 := snap.path
	var n, sum, batches int64
	req := workerRequest{Op: opPG, SQL: "SELECT x FROM big WHERE x < 100000", Binary: []bool{true}}
	final, err := e.srv.runWorker(ctx, snap, req, func(m *workerMsg) error {
		if batches++; batches == 1 {
			addRows(t, e.w, 1000000, 1001000)
			finishRun(t, e.w, "r2")
			rs, err := e.srv.RefreshReport(ctx)
			if err != nil {
				return err
			}
			path2, _ := current(t, e.srv)
			if path2 == path1 {
				return errors.New("the snapshot a statement was reading was patched")
			}
			if fi, err := os.Stat(path2); err != nil || rs.How != "copy" || rs.Written != fi.Size() || rs.Size != fi.Size() {
				return fmt.Errorf("refresh reported %+v for a whole copy (%v)", rs, err)
			}
		}
		for _, r := range m.Rows {
			n++
			sum += r[0].(int64)
		}
		return nil
	})
	snap.release()
	if err != nil {
		t.Fatal(err)
	}
	// 0..99999 in batches of 512 rows: the refresh ran with 195 to come.
	if n != 100000 || final.Count != 100000 || sum != 99999*100000/2 || batches != 196 {
		t.Fatalf("the statement in flight read %d rows (%d counted) summing to %d in %d batches", n, final.Count, sum, batches)
	}
	if _, err := os.Stat(path1); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the released snapshot is still on disk: %v", err)
	}
	c := e.pgxConn(t, testPassword)
	if err := c.QueryRow(ctx, "SELECT count(*), sum(x) FROM big").Scan(&n, &sum); err != nil || n != 1001000 || sum != 1000999*1001000/2 {
		t.Fatalf("the next statement: %d rows, sum %d, %v", n, sum, err)
	}
}

// TestSnapshotTransactionPinned: a BEGIN..COMMIT block reads the snapshot
// current at BEGIN throughout; a refresh meanwhile makes a new file (the
// pinned one is not patched), other sessions read the new run at once, and
// after COMMIT the block's session does too. The next refresh, with no one
// reading, patches the new file in place.
func TestSnapshotTransactionPinned(t *testing.T) {
	e := newTestEnv(t, nil)
	ctx := context.Background()
	bigTable(t, e.w)
	finishRun(t, e.w, "r1")
	if err := e.srv.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	path1, _ := current(t, e.srv)
	c := e.pgxConn(t, testPassword)
	other := e.pgxConn(t, testPassword)
	tx, err := c.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	if err := tx.QueryRow(ctx, "SELECT count(*) FROM big").Scan(&n); err != nil || n != 1000000 {
		t.Fatalf("in the block: %d, %v", n, err)
	}
	addRows(t, e.w, 1000000, 1001000)
	finishRun(t, e.w, "r2")
	if err := e.srv.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	path2, _ := current(t, e.srv)
	if path2 == path1 {
		t.Fatal("the snapshot an open BEGIN block reads was patched")
	}
	if err := tx.QueryRow(ctx, "SELECT count(*) FROM big").Scan(&n); err != nil || n != 1000000 {
		t.Fatalf("in the block after the refresh: %d, %v", n, err)
	}
	if err := other.QueryRow(ctx, "SELECT count(*) FROM big").Scan(&n); err != nil || n != 1001000 {
		t.Fatalf("another session after the refresh: %d, %v", n, err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if err := c.QueryRow(ctx, "SELECT count(*) FROM big").Scan(&n); err != nil || n != 1001000 {
		t.Fatalf("after COMMIT: %d, %v", n, err)
	}
	if _, err := os.Stat(path1); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the snapshot of the ended block is still on disk: %v", err)
	}
	addRows(t, e.w, 1001000, 1002000)
	finishRun(t, e.w, "r3")
	if err := e.srv.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if path3, _ := current(t, e.srv); path3 != path2 {
		t.Fatalf("with no one reading, the refresh made %s instead of patching %s", path3, path2)
	}
	if err := c.QueryRow(ctx, "SELECT count(*) FROM big").Scan(&n); err != nil || n != 1002000 {
		t.Fatalf("after the patch: %d, %v", n, err)
	}
}

// TestSnapshotFailedPatchNeverOpened: a patch that fails halfway (a disk
// error after writing part of the file) leaves a file serve never opens:
// it is removed and the refresh makes a whole copy.
func TestSnapshotFailedPatchNeverOpened(t *testing.T) {
	e := newTestEnv(t, nil)
	ctx := context.Background()
	bigTable(t, e.w)
	finishRun(t, e.w, "r1")
	if err := e.srv.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	path1, _ := current(t, e.srv)
	disk := errors.New("no space left on device")
	hookPatch(t, func(w *warehouse.Warehouse, ctx context.Context, dst string, old *warehouse.BlockSums, plan *warehouse.FilePlan) (*warehouse.PatchStats, error) {
		// What a patch does before a failing write: sums gone, then part
		// of the file overwritten.
		if err := warehouse.RemoveSums(dst); err != nil {
			return nil, err
		}
		f, err := os.OpenFile(dst, os.O_WRONLY, 0)
		if err != nil {
			return nil, err
		}
		_, err = f.WriteAt(make([]byte, 1<<20), 12288)
		f.Close()
		if err != nil {
			return nil, err
		}
		return nil, disk
	})
	addRows(t, e.w, 1000000, 1001000)
	finishRun(t, e.w, "r2")
	if err := e.srv.Refresh(ctx); err != nil {
		t.Fatalf("refresh after a failed patch: %v", err)
	}
	path2, _ := current(t, e.srv)
	if path2 == path1 {
		t.Fatal("serve opened the half-patched file")
	}
	if _, err := os.Stat(filepath.Dir(path1)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the half-patched file is still on disk: %v", err)
	}
	sameFile(t, path2, e.w.Path())
	c := e.pgxConn(t, testPassword)
	var n int64
	if err := c.QueryRow(ctx, "SELECT count(*) FROM big").Scan(&n); err != nil || n != 1001000 {
		t.Fatalf("after the copy: %d, %v", n, err)
	}
	if _, err := warehouse.ReadSums(path2); err != nil {
		t.Fatalf("the copy has no sums, so the next refresh cannot patch it: %v", err)
	}
}

// TestSnapshotWaitsForPatch: a statement that arrives while the snapshot is
// being patched waits for it and reads the new run, instead of failing.
func TestSnapshotWaitsForPatch(t *testing.T) {
	e := newTestEnv(t, nil)
	ctx := context.Background()
	bigTable(t, e.w)
	finishRun(t, e.w, "r1")
	if err := e.srv.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	type got struct {
		n   int64
		err error
	}
	c := e.pgxConn(t, testPassword)
	ch := make(chan got, 1)
	hookPatch(t, func(w *warehouse.Warehouse, ctx context.Context, dst string, old *warehouse.BlockSums, plan *warehouse.FilePlan) (*warehouse.PatchStats, error) {
		// Sent while the file is being patched: it cannot be answered
		// before the patch ends.
		go func() {
			var n int64
			err := c.QueryRow(context.Background(), "SELECT count(*) FROM big").Scan(&n)
			ch <- got{n, err}
		}()
		return w.PatchFile(ctx, dst, old, plan)
	})
	addRows(t, e.w, 1000000, 1001000)
	finishRun(t, e.w, "r2")
	if err := e.srv.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if r := <-ch; r.err != nil || r.n != 1001000 {
		t.Fatalf("statement sent during the patch: %d, %v", r.n, r.err)
	}
}

// TestSnapshotStartIgnoresEarlierFiles: snapshot files an earlier serve
// left (a crash, maybe in the middle of a patch, with sums that no longer
// describe the file) are removed at start; the first snapshot is a whole
// copy of the warehouse.
func TestSnapshotStartIgnoresEarlierFiles(t *testing.T) {
	var stale string
	e := newTestEnv(t, func(cfg *config.Config) {
		stale = filepath.Join(cfg.WarehousePath()+".snapshots", "1", "attrib.duckdb")
		if err := os.MkdirAll(filepath.Dir(stale), 0o755); err != nil {
			t.Fatal(err)
		}
		junk := bytes.Repeat([]byte("half-patched"), 100000)
		if err := os.WriteFile(stale, junk, 0o644); err != nil {
			t.Fatal(err)
		}
		// Sums that match the junk's size (1,200,000 bytes: the 12 KiB
		// headers and 5 chunks of 256 KiB, the last short), so that they
		// read as valid: only starting afresh is safe.
		if err := warehouse.WriteSums(stale, &warehouse.BlockSums{Size: int64(len(junk)), Sums: make([]uint64, 6)}); err != nil {
			t.Fatal(err)
		}
		if _, err := warehouse.ReadSums(stale); err != nil {
			t.Fatal(err)
		}
	})
	path, _ := current(t, e.srv)
	sameFile(t, path, e.w.Path())
	if g := generations(t, e.srv); len(g) != 1 || filepath.Join(e.srv.dir, g[0], "attrib.duckdb") != path {
		t.Fatalf("snapshot folders %v, current %s", g, path)
	}
}
