package jobs

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"attrib/config"
	"attrib/ingest"
	"attrib/queries"
	"attrib/transform"
	"attrib/warehouse"
)

// Session is one attempt of a run: the warehouse connection its stages
// share, the run's options, the typed state stages hand to each other, and
// the _next_ tables (leftovers dropped, publication, clean-up).
type Session struct {
	W     *warehouse.Warehouse
	Cfg   *config.Config
	RunID string
	Hooks Hooks
	// Full rebuilds every person's paths and identities; From and To
	// ("YYYY-MM-DD") are a backfill's range, "" otherwise.
	Full     bool
	From, To string

	// State handed from stage to stage.
	Ingest         ingest.Report
	Transform      transform.Result
	Incrementality queries.IncrementalityResult
	Exported       []string
	// Deltas are the tables whose _next_ version holds only changed rows
	// (transform.Result.Deltas, queries.Built.Deltas), published in place.
	Deltas  []warehouse.Delta
	RowsIn  int64
	RowsOut int64

	conn *sql.Conn
}

// Backfill reports whether the session replaces only a date range.
func (s *Session) Backfill() bool { return s.From != "" }

// Conn is the connection of the stages that read or build _next_ and temp
// tables (Stage.shared); nil outside them.
func (s *Session) Conn() *sql.Conn { return s.conn }

// run runs seg, stages that all share the session's connection or all
// open their own, calling do for each. Shared stages run on one connection:
// first the _next_ tables a run that died before publishing left behind are
// dropped, so that nothing stale can ever be published; after a backfill,
// which publishes only some tables, the _next_ versions of the others are
// dropped too (best effort: they are only disk space).
func (s *Session) run(ctx context.Context, seg pipeline, do func(Stage) error) error {
	if !seg[0].shared() {
		return seg.each(do)
	}
	return s.W.Conn(ctx, func(c *sql.Conn) error {
		s.conn = c
		defer func() { s.conn = nil }()
		if err := s.dropNext(ctx); err != nil {
			return err
		}
		if s.Backfill() {
			defer func() { _ = s.dropNext(context.WithoutCancel(ctx)) }()
		}
		return seg.each(do)
	})
}

// dropNext drops every _next_ table in the warehouse: the one place where
// they are cleaned up.
func (s *Session) dropNext(ctx context.Context) error {
	names, err := warehouse.QueryStrings(ctx, s.conn, sqlNextTables)
	if err != nil {
		return fmt.Errorf("jobs: list leftover tables: %w", err)
	}
	for i, n := range names {
		names[i] = strings.TrimPrefix(n, nextPrefix)
	}
	if err := warehouse.DropNext(ctx, s.conn, names); err != nil {
		return fmt.Errorf("jobs: drop leftover tables: %w", err)
	}
	return nil
}

// publishAll replaces tables with their _next_ versions in one
// transaction that also commits the transform's state; a backfill replaces
// only the rows of its range in the date-grained tables (DateGrained).
func (s *Session) publishAll(ctx context.Context, tables []string) error {
	if s.Backfill() {
		return warehouse.PublishRange(ctx, s.conn, DateGrained, s.From, s.To)
	}
	commit := func(tx *sql.Tx) error { return s.Transform.Commit(ctx, tx) }
	return warehouse.PublishDeltas(ctx, s.conn, tables, s.Deltas, commit)
}

// report copies the session's state into the run's result.
func (s *Session) report(res *RunResult) {
	res.Ingest = s.Ingest
	res.Transform = s.Transform
	res.Exported = s.Exported
	res.RowsIn += s.RowsIn
	res.RowsOut = s.RowsOut
}
