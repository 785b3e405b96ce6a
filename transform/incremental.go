package transform

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"database/sql/driver"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"github.com/duckdb/duckdb-go/v2"

	"attrib/config"
)

// Modes of a transform.
const (
	ModeFull        = "full"
	ModeIncremental = "incremental"
)

// stateVersion changes whenever the transform's SQL changes what it builds,
// so that the first run of a new version rebuilds everything.
const stateVersion = "transform-1"

// fingerprint hashes the settings the transform's results depend on: a run
// whose fingerprint differs from the last published one rebuilds everything.
func fingerprint(cfg *config.Config) string {
	key := sha256.Sum256([]byte(cfg.PII.Key))
	b, _ := json.Marshal(struct {
		Version     string
		Timezone    string
		Key         string
		Country     string
		Channels    config.Channels
		Identity    config.Identity
		Attribution config.Attribution
		Evaluation  config.Evaluation
	}{stateVersion, cfg.Timezone, hex.EncodeToString(key[:]), cfg.PII.DefaultCountryCode, cfg.Channels, cfg.Identity, cfg.Attribution, cfg.Evaluation})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// maxIncrementalShare is the largest share of all loaded rows that new loads
// may hold for an incremental run; above it a full rebuild is cheaper.
const maxIncrementalShare = 0.25

// planMode decides whether this run can be incremental and says why not.
// It expects inc_covered; it creates inc_new_loads.
func planMode(ctx context.Context, c *sql.Conn, fp string, forceFull bool) (mode, reason string, err error) {
	if forceFull {
		return ModeFull, "backfill or full rebuild asked for", nil
	}
	var last string
	switch err := c.QueryRowContext(ctx, sqlStateFingerprint).Scan(&last); {
	case err == sql.ErrNoRows:
		return ModeFull, "no complete earlier run", nil
	case err != nil:
		return "", "", fmt.Errorf("transform: state: %w", err)
	case last != fp:
		return ModeFull, "settings changed since the last run", nil
	}
	var n int
	err = c.QueryRowContext(ctx, sqlStateTables).Scan(&n)
	if err != nil {
		return "", "", fmt.Errorf("transform: state: %w", err)
	}
	if n != 4 {
		return ModeFull, "earlier results missing", nil
	}
	if _, err := c.ExecContext(ctx, sqlNewLoads); err != nil {
		return "", "", fmt.Errorf("transform: new loads: %w", err)
	}
	var newRows, allRows int64
	if err := c.QueryRowContext(ctx, sqlNewLoadShare).Scan(&newRows, &allRows); err != nil {
		return "", "", fmt.Errorf("transform: new loads: %w", err)
	}
	if float64(newRows) > maxIncrementalShare*float64(allRows) {
		return ModeFull, fmt.Sprintf("new loads hold %d of %d rows", newRows, allRows), nil
	}
	return ModeIncremental, "", nil
}

// stitchIncremental merges the identifiers of the new loads' rows into
// identity_map: the new sets are joined with the persons their identifiers
// already belong to (a union-find over new identifiers and whole persons,
// which gives the same components as stitching everything again, because
// components only ever grow by new links). It returns false, having changed
// nothing, when the identity guard would have to cut a component (over the
// cap, or touching one cut before): the caller then stitches everything.
// Otherwise, in one transaction, it updates identity_map and the person ids
// of the datasets, and records every person touched, under its old and new
// id, in attrib_state.transform_pending for the path rebuild. It expects
// id_blocked (fillBlocked) and inc_new_loads (planMode).
func stitchIncremental(ctx context.Context, c *sql.Conn, maxSize int) (bool, StitchStats, error) {
	var st StitchStats
	if _, err := c.ExecContext(ctx, sqlNewIdentifierSets); err != nil {
		return false, st, fmt.Errorf("stitch: new identifiers: %w", err)
	}
	if _, err := c.ExecContext(ctx, sqlComponentsCreate); err != nil {
		return false, st, fmt.Errorf("stitch: %w", err)
	}
	var err error
	if st.Links, err = newSetComponents(ctx, c); err != nil {
		return false, st, err
	}
	for _, q := range []string{sqlTouchedPersons, sqlNewPersonIDs} {
		if _, err := c.ExecContext(ctx, q); err != nil {
			return false, st, fmt.Errorf("stitch: persons: %w", err)
		}
	}
	var guarded int
	if err := c.QueryRowContext(ctx, sqlIncrementalGuard, maxSize, maxSize).Scan(&guarded); err != nil {
		return false, st, fmt.Errorf("stitch: guard: %w", err)
	}
	if guarded > 0 {
		return false, st, nil
	}

	if err := applyIncremental(ctx, c); err != nil {
		return false, st, err
	}
	if err := c.QueryRowContext(ctx, sqlRenamedCount).Scan(&st.Renamed); err != nil {
		return false, st, fmt.Errorf("stitch: count renamed: %w", err)
	}
	if err := c.QueryRowContext(ctx, sqlIdentityCounts).Scan(&st.Identifiers); err != nil {
		return false, st, fmt.Errorf("stitch: count identifiers: %w", err)
	}
	return true, st, nil
}

// newSetComponents fills inc_comp with the components of the new identifier sets: a
// union-find over their elements, where a new identifier stands for itself and a known one for
// its whole person. It returns the number of links.
func newSetComponents(ctx context.Context, c *sql.Conn) (int, error) {
	ids := map[string]int32{}
	var elems []string
	uf := newUnionFind(0)
	elem := func(key string) int32 {
		if i, ok := ids[key]; ok {
			return i
		}
		i := uf.add()
		ids[key] = i
		elems = append(elems, key)
		return i
	}
	rows, err := c.QueryContext(ctx, sqlNewIdentifierList)
	if err != nil {
		return 0, fmt.Errorf("stitch: new identifiers: %w", err)
	}
	var (
		prevSid int64 = -1
		head    int32
		links   int
	)
	for rows.Next() {
		var (
			sid    int64
			node   string
			person sql.NullString
		)
		if err := rows.Scan(&sid, &node, &person); err != nil {
			rows.Close()
			return 0, fmt.Errorf("stitch: new identifiers: %w", err)
		}
		key := "n" + node
		if person.Valid {
			key = "p" + person.String
		}
		e := elem(key)
		if sid != prevSid {
			prevSid, head = sid, e
			continue
		}
		uf.union(head, e)
		links++
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("stitch: new identifiers: %w", err)
	}
	err = c.Raw(func(dc any) error {
		app, err := duckdb.NewAppender(dc.(driver.Conn), "temp", "main", "inc_comp")
		if err != nil {
			return err
		}
		for i, key := range elems {
			if err := app.AppendRow(key[:1], key[1:], uf.find(int32(i))); err != nil {
				_ = app.Close()
				return err
			}
		}
		return app.Close()
	})
	if err != nil {
		return 0, fmt.Errorf("stitch: components: %w", err)
	}
	return links, nil
}

// applyIncremental updates, in one transaction, identity_map and the person ids of the
// datasets to the new components, and records the persons touched in
// attrib_state.transform_pending.
func applyIncremental(ctx context.Context, c *sql.Conn) error {
	tx, err := c.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("stitch: begin: %w", err)
	}
	stmts := []string{sqlIdentityMapUpdate, sqlIdentityMapInsert}
	for _, t := range personTables {
		stmts = append(stmts, sqlMergePersons.get(t, false), sqlPersonIDs.get(t, true))
	}
	stmts = append(stmts, sqlPendingPersons)
	for _, s := range stmts {
		if _, err := tx.ExecContext(ctx, s); err != nil {
			_ = tx.Rollback()
			return fmt.Errorf("stitch: apply: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("stitch: commit: %w", err)
	}
	return nil
}

// Commit records, inside the transaction tx that publishes this transform's
// results, what they now cover: the settings' fingerprint, the loads
// included, and that the pending people are rebuilt. Until it commits, the
// next run redoes the same work; without it (a backfill), the next run is a
// full one.
func (r Result) Commit(ctx context.Context, tx *sql.Tx) error {
	if r.fingerprint == "" {
		return fmt.Errorf("transform: commit: no transform ran")
	}
	q := sqlCommitFull
	if r.Mode == ModeIncremental {
		q = sqlCommitIncremental
	}
	if _, err := tx.ExecContext(ctx, q); err != nil {
		return fmt.Errorf("transform: commit: %w", err)
	}
	if _, err := tx.ExecContext(ctx, sqlCommitState, r.fingerprint); err != nil {
		return fmt.Errorf("transform: commit: %w", err)
	}
	return nil
}
