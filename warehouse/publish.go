package warehouse

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"slices"
	"strings"
)

// DropNext drops the _next_ versions of tables that an earlier, interrupted
// run may have left, before a run builds them again.
func DropNext(ctx context.Context, c *sql.Conn, tables []string) error {
	for _, t := range tables {
		if _, err := c.ExecContext(ctx, "DROP TABLE IF EXISTS "+QuoteIdent("_next_"+t)); err != nil {
			return fmt.Errorf("warehouse: drop _next_%s: %w", t, err)
		}
	}
	return nil
}

// Publish replaces each table with its _next_ version in one transaction, so
// readers see either all previous results or all new ones. Tables whose
// _next_ version does not exist are left alone.
func Publish(ctx context.Context, c *sql.Conn, tables []string) error {
	return PublishWith(ctx, c, tables, nil)
}

// PublishWith is Publish that also calls also (when not nil) inside the
// publishing transaction, so that bookkeeping about the results commits with
// them or not at all.
func PublishWith(ctx context.Context, c *sql.Conn, tables []string, also func(*sql.Tx) error) error {
	return PublishDeltas(ctx, c, tables, nil, also)
}

// Delta is a table whose _next_ version holds only the rows that change: its
// publication runs Delete (which removes every row the _next_ version
// replaces or drops) and then adds the _next_ version's rows (by column
// name), instead of replacing the whole table. A table of millions of rows of
// which a daily run changes a few is then not written again whole.
type Delta struct {
	Table  string
	Delete string // a DELETE statement on Table
}

// PublishDeltas is PublishWith where the tables in deltas are published as
// deltas (Delta) and the others replaced. A delta table must exist already.
func PublishDeltas(ctx context.Context, c *sql.Conn, tables []string, deltas []Delta, also func(*sql.Tx) error) error {
	tx, err := c.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("warehouse: publish: begin: %w", err)
	}
	for _, t := range tables {
		ok, err := tableExists(ctx, tx, "_next_"+t)
		if err != nil {
			_ = tx.Rollback()
			return fmt.Errorf("warehouse: publish %s: %w", t, err)
		}
		if !ok {
			continue
		}
		stmt := "DROP TABLE IF EXISTS " + QuoteIdent(t) + "; ALTER TABLE " + QuoteIdent("_next_"+t) + " RENAME TO " + QuoteIdent(t)
		if i := slices.IndexFunc(deltas, func(d Delta) bool { return d.Table == t }); i >= 0 {
			stmt = strings.TrimRight(deltas[i].Delete, "; \n") + "; INSERT INTO " + QuoteIdent(t) + " BY NAME SELECT * FROM " + QuoteIdent("_next_"+t) +
				"; DROP TABLE " + QuoteIdent("_next_"+t)
		}
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			_ = tx.Rollback()
			return fmt.Errorf("warehouse: publish %s: %w", t, err)
		}
	}
	if also != nil {
		if err := also(tx); err != nil {
			_ = tx.Rollback()
			return fmt.Errorf("warehouse: publish: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("warehouse: publish: commit: %w", err)
	}
	return nil
}

// tableExists reports whether the persistent table main.name exists.
func tableExists(ctx context.Context, tx *sql.Tx, name string) (bool, error) {
	var n int
	err := tx.QueryRowContext(ctx, `SELECT count(*) FROM duckdb_tables() WHERE table_name = ? AND schema_name = 'main' AND NOT temporary`, name).Scan(&n)
	return n > 0, err
}

//go:embed sql/publish_range_*.sql
var publishFS embed.FS

// publishFiles records the embedded files read at start-up (a test checks
// that every embedded file is among them).
var publishFiles = NewSQLFiles(publishFS)

func publishSQL(name string) string { return publishFiles.Must(name + ".sql") }

var (
	sqlRangeDelete      = publishSQL("publish_range_delete")
	sqlRangeInsert      = publishSQL("publish_range_insert")
	sqlRangeDeleteChild = publishSQL("publish_range_delete_child")
	sqlRangeInsertChild = publishSQL("publish_range_insert_child")
)

// RangeTable is a result table whose rows belong to a date, for PublishRange.
type RangeTable struct {
	Table string
	// DateColumn is the row's date (DATE or TIMESTAMP[TZ], cast to DATE in the
	// session time zone), or the parent's date column when Parent is set.
	DateColumn string
	// Parent and Key, when set, select rows through a parent table: the rows
	// whose Key belongs to a parent row dated in the range
	// (attribution_credits through conversion_paths).
	Parent string
	Key    string
}

// PublishRange replaces, in one transaction, only the rows dated from..to
// (inclusive, "YYYY-MM-DD") of each published table with the same rows of its
// _next_ version; every other row stays as it is. Tables with a Parent are
// handled before their parents, so that they still see the parent's old rows.
// Each published table must exist already (a full run comes first); a
// missing _next_ version is an error.
func PublishRange(ctx context.Context, c *sql.Conn, tables []RangeTable, from, to string) error {
	ordered := make([]RangeTable, 0, len(tables))
	for _, t := range tables {
		if t.Parent != "" {
			ordered = append(ordered, t)
		}
	}
	for _, t := range tables {
		if t.Parent == "" {
			ordered = append(ordered, t)
		}
	}
	tx, err := c.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("warehouse: publish range: begin: %w", err)
	}
	for _, t := range ordered {
		for _, name := range []string{t.Table, "_next_" + t.Table} {
			ok, err := tableExists(ctx, tx, name)
			if err != nil {
				_ = tx.Rollback()
				return fmt.Errorf("warehouse: publish range %s: %w", t.Table, err)
			}
			if !ok {
				_ = tx.Rollback()
				return fmt.Errorf("warehouse: publish range %s: table %s does not exist (a full run must come first)", t.Table, name)
			}
		}
		r := strings.NewReplacer("{{table}}", QuoteIdent(t.Table), "{{next}}", QuoteIdent("_next_"+t.Table),
			"{{column}}", QuoteIdent(t.DateColumn), "{{key}}", QuoteIdent(t.Key),
			"{{parent}}", QuoteIdent(t.Parent), "{{next_parent}}", QuoteIdent("_next_"+t.Parent))
		del, ins := sqlRangeDelete, sqlRangeInsert
		if t.Parent != "" {
			del, ins = sqlRangeDeleteChild, sqlRangeInsertChild
		}
		for _, stmt := range []string{del, ins} {
			if _, err := tx.ExecContext(ctx, r.Replace(stmt), from, to); err != nil {
				_ = tx.Rollback()
				return fmt.Errorf("warehouse: publish range %s: %w", t.Table, err)
			}
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("warehouse: publish range: commit: %w", err)
	}
	return nil
}
