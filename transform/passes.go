package transform

import (
	"context"
	"database/sql"
	"fmt"
)

// execer is a connection or a transaction.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// execPasses runs statement q n times, once per part of the people or identifiers it is cut by
// (warehouse.PassesOn sizes n): pass p binds args, then n and p as its last two parameters.
func execPasses(ctx context.Context, ex execer, n int, q string, args ...any) error {
	for p := range n {
		if _, err := ex.ExecContext(ctx, q, append(args[:len(args):len(args)], n, p)...); err != nil {
			return fmt.Errorf("pass %d of %d: %w", p+1, n, err)
		}
	}
	return nil
}
