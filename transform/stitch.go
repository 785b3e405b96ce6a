package transform

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/duckdb/duckdb-go/v2"

	"attrib/warehouse"
)

// StitchStats describes one identity stitching pass.
type StitchStats struct {
	Identifiers int // distinct identifier nodes
	Links       int // edges between them
	Persons     int // connected components (a full stitch; an incremental one leaves it 0)
	OverCap     int // components larger than the cap
	Cut         int // identifiers cut out of oversized components (not used for stitching)
	Renamed     int // incremental runs: persons merged into another or renamed by a new identifier
}

// stitch computes connected components over identifiers seen together,
// publishes identity_map (identifier -> person_id) and sets person_id on the
// dataset tables. Components larger than maxSize are reported in
// identity_oversized and broken up (see guard), so that one shared device or
// placeholder phone cannot fuse thousands of customers. It expects id_blocked
// (fillBlocked), which holds identifiers when blocked is true.
func stitch(ctx context.Context, c *sql.Conn, maxSize int, blocked bool) (StitchStats, error) {
	var st StitchStats
	sets := sqlIdentifierSets
	if blocked {
		sets = sqlIdentifierSetsBlocked
	}
	if _, err := c.ExecContext(ctx, sets); err != nil {
		return st, fmt.Errorf("stitch: id_sets: %w", err)
	}
	for _, q := range []string{sqlIdentifierNodesOrder, sqlIdentifierNodes, sqlIdentifierNodesView} {
		if _, err := c.ExecContext(ctx, q); err != nil {
			return st, fmt.Errorf("stitch: id_nodes: %w", err)
		}
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
	for _, t := range personTables {
		if err := setPersonIDs(ctx, c, t); err != nil {
			return st, fmt.Errorf("stitch: person ids of %s: %w", t, err)
		}
	}
	return st, nil
}

// rewriteShare is the share of a table's rows up to which setPersonIDs always updates the
// changed rows in place. Above it, it updates them only when the update fits in memory
// (updateFits): an UPDATE keeps every changed row's old and new values in memory until it
// commits, which at a hundred million rows overflows the buffer pool and thrashes (issue #16),
// while a rewrite streams the rows through the database file but writes every column again
// (at 10 M touchpoints, 25 s against the update's 9 s).
const rewriteShare = 0.1

// bytesPerUpdatedRow is what one updated row costs an UPDATE of person_id until it commits,
// measured on 10 M touchpoints with 18-character person ids: with a 3.6 M-identifier map the
// update peaked at 1.5 GB of RSS and ran at full speed under a 1.5 GB memory_limit, and took
// 1.4x as long under 1 GB.
const bytesPerUpdatedRow = 100

// updateFits reports whether an UPDATE of changed rows, joined against a map of identifiers,
// fits in memory bytes (DuckDB's memory_limit; 0, unknown, never fits).
func updateFits(changed, identifiers, memory int64) bool {
	return memory > 0 && changed*bytesPerUpdatedRow+identifiers*bytesPerIdentifier <= memory
}

// setPersonIDs sets person_id on every row of table t from identity_map (a row the map does not
// know keeps its own): setPersonIDsIn with DuckDB's memory_limit.
func setPersonIDs(ctx context.Context, c *sql.Conn, t string) error {
	memory, err := warehouse.MemoryLimitOn(ctx, c)
	if err != nil {
		return err
	}
	_, err = setPersonIDsIn(ctx, c, t, memory)
	return err
}

// How setPersonIDsIn set the person ids.
const (
	personIDsUnchanged = "unchanged"
	personIDsUpdated   = "updated"
	personIDsRewritten = "rewritten"
)

// setPersonIDsIn sets person_id on every row of table t from identity_map with memory bytes to
// work in, and says how. It updates the changed rows in place when they are few (rewriteShare) or
// when the update fits in memory (updateFits); otherwise (a first run or a full run after the
// identities moved, at a size where the update would not fit) it rewrites the table in one
// transaction (rewritePersonIDs). Cancelling ctx leaves the table as it was.
func setPersonIDsIn(ctx context.Context, c *sql.Conn, t string, memory int64) (string, error) {
	var rows, nulls int64
	if err := c.QueryRowContext(ctx, sqlPersonIDsNulls.get(t, false)).Scan(&rows, &nulls); err != nil {
		return "", fmt.Errorf("count rows: %w", err)
	}
	byType, err := identifierCounts(ctx, c)
	if err != nil {
		return "", err
	}
	var identifiers int64
	for _, n := range byType {
		identifiers += n
	}
	n := warehouse.Passes(identifiers, bytesPerIdentifier, memory)
	// With many rows still without a person (a first run), most rows change: count them all
	// instead of joining to count the changes.
	changed := rows
	if float64(nulls) <= rewriteShare*float64(rows) {
		changed = 0
		for p := range n {
			var part int64
			if err := c.QueryRowContext(ctx, sqlPersonIDsChanged.get(t, false), n, p).Scan(&part); err != nil {
				return "", fmt.Errorf("count changes: %w", err)
			}
			changed += part
		}
		if changed == 0 {
			return personIDsUnchanged, nil
		}
	}
	if float64(changed) <= rewriteShare*float64(rows) || updateFits(changed, identifiers, memory) {
		if _, err := c.ExecContext(ctx, sqlPersonIDs.get(t, false)); err != nil {
			return "", fmt.Errorf("update: %w", err)
		}
		return personIDsUpdated, nil
	}
	if err := rewritePersonIDs(ctx, c, t, rows, rewritePasses(byType, memory)); err != nil {
		return "", fmt.Errorf("rewrite: %w", err)
	}
	return personIDsRewritten, nil
}

// identifierCounts counts identity_map's identifiers of each type.
func identifierCounts(ctx context.Context, c *sql.Conn) (map[string]int64, error) {
	rows, err := c.QueryContext(ctx, sqlPersonIDsRewriteSize)
	if err != nil {
		return nil, fmt.Errorf("count identifiers: %w", err)
	}
	defer rows.Close()
	byType := map[string]int64{}
	for rows.Next() {
		var kind sql.NullString
		var n int64
		if err := rows.Scan(&kind, &n); err != nil {
			return nil, fmt.Errorf("count identifiers: %w", err)
		}
		byType[kind.String] += n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("count identifiers: %w", err)
	}
	return byType, nil
}

// rewritePasses is how many passes a rewrite takes for the rows whose first identifier is of each
// type, given identity_map's identifiers of each type (identifierCounts): enough for one pass's part
// of that type's identifiers to fill at most half of memory bytes (warehouse.Passes). At 18 M people
// and 2 GiB: 3 passes for the 22.5 M anonymous ids, one each for the 5.4 M customers, 4.3 M e-mails
// and 4.7 M phones.
func rewritePasses(byType map[string]int64, memory int64) map[string]int {
	passes := map[string]int{}
	for _, k := range idKinds {
		passes[k.Kind] = warehouse.Passes(byType[k.Kind], bytesPerIdentifier, memory)
	}
	return passes
}

// rewritePersonIDs rewrites table t (rows rows) with the person ids of identity_map, in one
// transaction: a scratch table is made from t's definition, filled in passes (for each type of
// first identifier that some row of t leads with, passes[type] of them, each joining the rows and
// the identifiers of that type in one part of the identifier's hash, few enough for the join to run
// in memory: rewritePasses; then the rows without an identifier, if any), checked to hold every row,
// and takes t's place. The rows do not keep their order across passes (within a pass they do);
// nothing reads them by position.
func rewritePersonIDs(ctx context.Context, c *sql.Conn, t string, rows int64, passes map[string]int) error {
	var ddl string
	if err := c.QueryRowContext(ctx, sqlPersonIDsRewriteDDL, t).Scan(&ddl); err != nil {
		return fmt.Errorf("definition: %w", err)
	}
	// The scratch table's statement is t's own, from the catalogue, under the scratch name.
	prefix := "CREATE TABLE " + t + "("
	if !strings.HasPrefix(ddl, prefix) {
		return fmt.Errorf("definition of %s does not start with %q: %.80s", t, prefix, ddl)
	}
	tx, err := c.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	if _, err := tx.ExecContext(ctx, "CREATE TABLE main.stitch_person_ids_rewrite("+ddl[len(prefix):]); err != nil {
		return fmt.Errorf("scratch table: %w", err)
	}
	rw := sqlPersonIDsRewrites[t]
	// The rows of t by the type of their first identifier (idKinds), then without one.
	byKind := make([]int64, len(idKinds)+1)
	dest := make([]any, len(byKind))
	for i := range byKind {
		dest[i] = &byKind[i]
	}
	if err := tx.QueryRowContext(ctx, rw.kinds).Scan(dest...); err != nil {
		return fmt.Errorf("count rows by identifier: %w", err)
	}
	for i, k := range idKinds {
		if byKind[i] == 0 {
			continue
		}
		if err := execPasses(ctx, tx, max(1, passes[k.Kind]), rw.fill[k.Kind]); err != nil {
			return fmt.Errorf("identifiers %s: %w", k.Kind, err)
		}
	}
	if byKind[len(idKinds)] > 0 {
		if _, err := tx.ExecContext(ctx, rw.none); err != nil {
			return fmt.Errorf("rows without an identifier: %w", err)
		}
	}
	var wrote int64
	if err := tx.QueryRowContext(ctx, sqlPersonIDsRewriteCount).Scan(&wrote); err != nil {
		return fmt.Errorf("count: %w", err)
	}
	if wrote != rows {
		return fmt.Errorf("the passes wrote %d rows of %d; %s left as it was", wrote, rows, t)
	}
	for _, q := range []string{sqlPersonIDsRewriteClear.get(t, false), sqlPersonIDsRewriteSwap.get(t, false)} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("swap: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// bytesPerIdentifier is what one identity_map row costs in a rewrite pass's hash join (the
// identifier and the person id, the hash and the table's slot), measured at 18 M people: a
// third of the 36.8 M identifiers per pass nearly fitted in a 1.8 GiB memory_limit.
const bytesPerIdentifier = 96

// components finds the connected components of the st.Identifiers identifier nodes over the
// edges of id_sets, breaks up those over maxSize (guard) and appends every node's root to
// id_roots, with its person's smallest node and size; it counts links, persons, components
// over the cap and nodes cut into st.
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
	// Each node's root after the guard, and per root its smallest node (rep: node ids follow
	// the identifiers' order, so rep is the component's smallest identifier, the one its person
	// id is made from) and size. uf.size is done with: it is reused for the sizes. rootOf runs
	// again for the Arrow batches below rather than keeping every node's root (36.8 M at 18 M people):
	// this pass points every node straight at its root, so find is then two reads.
	rootOf := func(i int32) (root, comp int32, capped, cut bool) {
		r := uf.find(i)
		uf.parent[i] = r // straight to the root: the second call reads two entries
		if over[r] {
			root, cut = g.root(i)
			return root, r, true, cut
		}
		return r, r, false, false
	}
	rep, size := make([]int32, len(uf.parent)), uf.size
	for i := range rep {
		rep[i], size[i] = -1, 0
	}
	for i := range uf.parent {
		root, _, _, _ := rootOf(int32(i))
		if rep[root] < 0 {
			rep[root] = int32(i)
			st.Persons++
		}
		size[root]++
	}
	rr := newRootsReader(len(uf.parent), rootOf, rep, size)
	defer rr.Release()
	return execOverView(ctx, conn, ar, rr, rootsView, sqlRootsFill)
}

// unionEdges joins the two ends of every edge of identifier_edges.sql in uf and returns how
// many edges it read.
func unionEdges(ctx context.Context, ar *duckdb.Arrow, uf *unionFind) (int, error) {
	links := 0
	err := readEdges(ctx, ar, func(a, b int32) {
		uf.union(a, b)
		links++
	})
	return links, err
}

// readEdges calls fn with the two node ids of every edge of identifier_edges.sql (each set's
// first identifier and one of its others), read from DuckDB as Arrow batches.
func readEdges(ctx context.Context, ar *duckdb.Arrow, fn func(a, b int32)) error {
	rr, err := ar.QueryContext(ctx, sqlIdentifierEdges)
	if err != nil {
		return err
	}
	defer rr.Release()
	for rr.Next() {
		rec := rr.RecordBatch()
		a := rec.Column(0).(*array.Int32)
		b := rec.Column(1).(*array.Int32)
		for i := 0; i < a.Len(); i++ {
			fn(a.Value(i), b.Value(i))
		}
	}
	return rr.Err()
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
