package warehouse

import (
	"context"
	"database/sql"
	"fmt"
)

// Publish replaces each table with its _next_ version in one transaction, so
// readers see either all previous results or all new ones. Tables whose
// _next_ version does not exist are left alone.
func Publish(ctx context.Context, c *sql.Conn, tables []string) error {
	tx, err := c.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("warehouse: publish: begin: %w", err)
	}
	for _, t := range tables {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM duckdb_tables() WHERE table_name = ? AND schema_name = 'main' AND NOT temporary`, "_next_"+t).Scan(&n); err != nil {
			_ = tx.Rollback()
			return fmt.Errorf("warehouse: publish %s: %w", t, err)
		}
		if n == 0 {
			continue
		}
		stmt := "DROP TABLE IF EXISTS " + QuoteIdent(t) + "; ALTER TABLE " + QuoteIdent("_next_"+t) + " RENAME TO " + QuoteIdent(t)
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			_ = tx.Rollback()
			return fmt.Errorf("warehouse: publish %s: %w", t, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("warehouse: publish: commit: %w", err)
	}
	return nil
}
