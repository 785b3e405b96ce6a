package server

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"attrib/warehouse"
)

// A refresh after a run copies only what the run changed. The snapshot file
// keeps the hashes of its chunks in a sidecar (warehouse.CopyFileTracked);
// the warehouse is checkpointed and hashed (warehouse.DiffFile), and, when
// no one reads the snapshot - no statement in flight, no open BEGIN block,
// nothing in serve's own instance - every instance on the file is closed
// (serve's own; idle statement workers that have it open end, and start
// again on demand), the changed chunks are written in place
// (warehouse.PatchFile) and the file is opened again. Statements that
// arrive meanwhile wait for it (Server.acquire). When someone does read
// the snapshot, the run goes to a new snapshot file, a whole copy.
//
// DuckDB caches the blocks it has read, so a file is never patched while an
// instance has it open. A patch that fails leaves the file without its
// sidecar: it is removed and replaced by a whole copy, never opened. serve
// removes the snapshots of an earlier serve at start, so a crash in the
// middle of a patch cannot leave a half-patched file for it to open.

// patchFile writes the changed chunks; tests replace it with a failing one.
var patchFile = (*warehouse.Warehouse).PatchFile

// patchSnapshot brings cur's file to the warehouse's state in place and
// makes it current with marker. done is false when it could not start (no
// sums, someone reading, a worker with the file open, no file to read):
// then cur is untouched and the caller copies. Once the file is touched,
// a failure replaces it with a whole copy, and done is true.
// st, when the patch went through, says so and what it wrote.
func (s *Server) patchSnapshot(ctx context.Context, cur *snapshot, marker string, st *RefreshStats) (done bool, err error) {
	cur.mu.Lock()
	read := cur.refs > 1
	cur.mu.Unlock()
	if read {
		return false, nil // someone reads it now: copy (without hashing first)
	}
	old, err := warehouse.ReadSums(cur.path)
	if err != nil {
		return false, nil // never tracked (COPY FROM DATABASE) or damaged: copy
	}
	plan, err := s.w.DiffFile(ctx, old)
	if errors.Is(err, warehouse.ErrNoFileCopy) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("server: snapshot: %w", err)
	}
	gate, ok := s.closeForPatch(cur)
	if !ok {
		return false, nil
	}
	defer close(gate)
	ps, perr := patchFile(s.w, ctx, cur.path, old, plan)
	var next *snapshot
	if perr == nil {
		st.How, st.Written, st.Size = "patch", ps.Written, ps.Size
		db, conn, oerr := openSnapshot(ctx, cur.path, s.w.Options().TimeZone, s.memoryLimit, s.w.Options().Threads)
		if oerr == nil {
			next = &snapshot{db: db, connector: conn, path: cur.path, marker: marker}
		}
		perr = oerr
	}
	if perr != nil {
		// Half written, or not opening: never served. A whole copy instead.
		_ = os.RemoveAll(filepath.Dir(cur.path))
		var cerr error
		if next, cerr = s.buildSnapshot(ctx, marker); cerr != nil {
			s.mu.Lock()
			if s.cur == cur {
				s.cur = nil
			}
			s.mu.Unlock()
			return true, fmt.Errorf("server: snapshot: patch: %v; then copy: %w", perr, cerr)
		}
		st.copied(next.path)
	}
	return true, s.install(next, nil)
}

// closeForPatch stops new readers of cur (they wait on the returned gate,
// which the caller closes when the next snapshot is in place) and closes
// every instance on its file, when no one reads it: refs is the server's
// own reference alone and no busy statement worker may have the file open.
// ok is false, and nothing changed, otherwise.
func (s *Server) closeForPatch(cur *snapshot) (gate chan struct{}, ok bool) {
	s.mu.Lock()
	cur.mu.Lock()
	if s.closed || s.cur != cur || cur.refs != 1 || cur.retired {
		cur.mu.Unlock()
		s.mu.Unlock()
		return nil, false
	}
	gate = make(chan struct{})
	cur.gate = gate
	cur.mu.Unlock()
	s.mu.Unlock()
	// No new reference can be taken now; workers that answered a request on
	// the file still have it open while idle.
	if !s.workers.drop(cur.path) {
		cur.mu.Lock()
		cur.gate = nil
		cur.mu.Unlock()
		close(gate)
		return nil, false
	}
	cur.mu.Lock()
	cur.keep = true // its reference may still be released (Close): never remove the file
	cur.mu.Unlock()
	cur.closeInstance()
	return gate, true
}
