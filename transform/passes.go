package transform

import (
	"context"
	"database/sql"
	"fmt"

	"attrib/warehouse"
)

// execer is a connection or a transaction.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// execPasses runs statement q n times, once per part of the identifiers it is cut by (hash(...) % n =
// p; warehouse.PassesOn sizes n): pass p binds args, then n and p as its last two parameters.
func execPasses(ctx context.Context, ex execer, n int, q string, args ...any) error {
	for p := range n {
		if _, err := ex.ExecContext(ctx, q, append(args[:len(args):len(args)], n, p)...); err != nil {
			return fmt.Errorf("pass %d of %d: %w", p+1, n, err)
		}
	}
	return nil
}

// execPersonPasses runs statement q in n passes cut by person id (warehouse.PersonParts): pass p binds
// args, then its bounds (q[0]: lower and upper; q[1], the last pass: lower only).
func execPersonPasses(ctx context.Context, ex execer, n int, q byPart, args ...any) error {
	for p, part := range warehouse.PersonParts(n) {
		stmt := q[0]
		if part.Open {
			stmt = q[1]
		}
		if _, err := ex.ExecContext(ctx, stmt, append(args[:len(args):len(args)], part.Args()...)...); err != nil {
			return fmt.Errorf("pass %d of %d: %w", p+1, n, err)
		}
	}
	return nil
}
