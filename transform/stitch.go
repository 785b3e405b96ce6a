package transform

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/duckdb/duckdb-go/v2"
)

// StitchStats describes one identity stitching pass.
type StitchStats struct {
	Identifiers int // distinct identifier nodes
	Links       int // edges between them
	Persons     int // connected components
	OverCap     int // components larger than the cap
	Cut         int // identifiers cut out of oversized components (not used for stitching)
	Renamed     int // incremental runs: persons merged into another or renamed by a new identifier
}

// stitch computes connected components over identifiers seen together,
// publishes identity_map (identifier -> person_id) and sets person_id on the
// dataset tables. Components larger than maxSize are reported in
// identity_oversized and broken up (see guard), so that one shared device or
// placeholder phone cannot fuse thousands of customers. It expects id_blocked
// (fillBlocked).
func stitch(ctx context.Context, c *sql.Conn, maxSize int) (StitchStats, error) {
	var st StitchStats
	if _, err := c.ExecContext(ctx, sqlIdentifierSets); err != nil {
		return st, fmt.Errorf("stitch: id_sets: %w", err)
	}
	if _, err := c.ExecContext(ctx, sqlIdentifierNodes); err != nil {
		return st, fmt.Errorf("stitch: id_nodes: %w", err)
	}
	if err := c.QueryRowContext(ctx, sqlIdentifierCount).Scan(&st.Identifiers); err != nil {
		return st, fmt.Errorf("stitch: count: %w", err)
	}
	if _, err := c.ExecContext(ctx, sqlRootsCreate); err != nil {
		return st, fmt.Errorf("stitch: %w", err)
	}
	// Inside Raw only the driver connection may be used: c itself is locked.
	err := c.Raw(func(dc any) error { return components(ctx, dc.(driver.Conn), maxSize, &st) })
	if err != nil {
		return st, fmt.Errorf("stitch: components: %w", err)
	}
	for _, q := range []string{sqlIdentityOversized, sqlIdentityMap, sqlCappedPersonsClear, sqlCappedPersons} {
		if _, err := c.ExecContext(ctx, q); err != nil {
			return st, fmt.Errorf("stitch: publish: %w", err)
		}
	}
	if err := c.QueryRowContext(ctx, sqlPersonCount).Scan(&st.Persons); err != nil {
		return st, fmt.Errorf("stitch: count persons: %w", err)
	}
	for _, t := range personTables {
		if _, err := c.ExecContext(ctx, sqlPersonIDs.get(t, false)); err != nil {
			return st, fmt.Errorf("stitch: person ids of %s: %w", t, err)
		}
	}
	return st, nil
}

// components finds the connected components of the st.Identifiers identifier nodes over the
// edges of id_sets, breaks up those over maxSize (guard) and appends every node's root to
// id_roots; it counts links, components over the cap and nodes cut into st.
func components(ctx context.Context, conn driver.Conn, maxSize int, st *StitchStats) error {
	ar, err := duckdb.NewArrowFromConn(conn)
	if err != nil {
		return err
	}
	uf := newUnionFind(st.Identifiers)
	if st.Links, err = unionEdges(ctx, ar, uf); err != nil {
		return err
	}
	// Components over the cap are broken up by cutting their hub identifiers.
	over := map[int32]bool{}
	if maxSize > 0 {
		for i := range uf.parent {
			r := uf.find(int32(i))
			if int(uf.size[r]) > maxSize {
				over[r] = true
			}
		}
	}
	st.OverCap = len(over)
	var g *guard
	if len(over) > 0 {
		if g, err = newGuard(ctx, ar, uf, over, maxSize); err != nil {
			return err
		}
		st.Cut = len(g.cut)
	}
	app, err := duckdb.NewAppender(conn, "temp", "main", "id_roots")
	if err != nil {
		return err
	}
	for i := range uf.parent {
		r := uf.find(int32(i))
		capped := over[r]
		root, cut := r, false
		if capped {
			root, cut = g.root(int32(i))
		}
		if err := app.AppendRow(int32(i), root, r, capped, cut); err != nil {
			_ = app.Close()
			return err
		}
	}
	return app.Close()
}

// unionEdges joins the two ends of every edge of id_edges in uf and returns how many edges
// it read.
func unionEdges(ctx context.Context, ar *duckdb.Arrow, uf *unionFind) (int, error) {
	rr, err := ar.QueryContext(ctx, sqlIdentifierEdges)
	if err != nil {
		return 0, err
	}
	defer rr.Release()
	links := 0
	for rr.Next() {
		rec := rr.RecordBatch()
		a := rec.Column(0).(*array.Int32)
		b := rec.Column(1).(*array.Int32)
		for i := 0; i < a.Len(); i++ {
			uf.union(a.Value(i), b.Value(i))
			links++
		}
	}
	return links, rr.Err()
}

// personTables are the datasets whose rows carry a person_id.
var personTables = []string{"touchpoints", "conversions", "activity"}

// fillBlocked puts the block list's node keys into the temp table id_blocked.
func fillBlocked(ctx context.Context, c *sql.Conn, blocked []string) error {
	if _, err := c.ExecContext(ctx, sqlBlockedIdentifiers, blocked); err != nil {
		return fmt.Errorf("stitch: block list: %w", err)
	}
	return nil
}
