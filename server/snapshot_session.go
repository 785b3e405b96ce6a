package server

import (
	"context"

	wire "github.com/jeroenrinzema/psql-wire"
)

// What a PostgreSQL session reads: each statement the snapshot current when
// it starts (what PostgreSQL's READ COMMITTED gives), and every statement of
// a BEGIN..COMMIT block the snapshot current at BEGIN, pinned until COMMIT or
// ROLLBACK (or the end of the session). A session holds no snapshot between
// statements, so a refresh can patch the snapshot in place under an idle
// client (BI tools keep their connections open for hours).

// sessionSnapshot returns the snapshot the session's next statement reads,
// with a reference held: release it when the statement ends.
func (s *Server) sessionSnapshot(ps *pgSession) (*snapshot, error) {
	ps.mu.Lock()
	pinned := ps.snap
	if pinned != nil {
		pinned.acquire()
	}
	ps.mu.Unlock()
	if pinned != nil {
		return pinned, nil
	}
	s.maybeRefresh()
	return s.acquire()
}

// pinSnapshot starts a BEGIN block: the current snapshot is the session's
// until unpinSnapshot (a BEGIN inside a block changes nothing, as in
// PostgreSQL, where it is only a warning).
func (s *Server) pinSnapshot(ps *pgSession) error {
	ps.mu.Lock()
	pinned := ps.snap != nil
	ps.mu.Unlock()
	if pinned {
		return nil
	}
	s.maybeRefresh()
	snap, err := s.acquire()
	if err != nil {
		return err
	}
	ps.mu.Lock()
	if ps.snap == nil {
		ps.snap, snap = snap, nil
	}
	ps.mu.Unlock()
	if snap != nil {
		snap.release()
	}
	return nil
}

// unpinSnapshot ends a BEGIN block.
func (s *Server) unpinSnapshot(ps *pgSession) {
	ps.mu.Lock()
	snap := ps.snap
	ps.snap = nil
	ps.mu.Unlock()
	if snap != nil {
		snap.release()
	}
}

// txStatement answers BEGIN (begin true), COMMIT or ROLLBACK: the block's
// snapshot is pinned or let go; nothing else is transactional (people only read).
func (s *Server) txStatement(tag string, begin bool) *wire.PreparedStatement {
	return wire.NewStatement(func(ctx context.Context, w wire.DataWriter, _ []wire.Parameter) error {
		if ps := sessionFrom(ctx); ps != nil {
			if begin {
				if err := s.pinSnapshot(ps); err != nil {
					return pgError(err)
				}
			} else {
				s.unpinSnapshot(ps)
			}
		}
		return w.Complete(tag)
	})
}
