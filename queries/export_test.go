package queries

import (
	"context"
	"database/sql"
)

// EvalPersonInPasses builds eval_person again on c (after a Build) in n passes.
func EvalPersonInPasses(ctx context.Context, c *sql.Conn, n int) error {
	return evalPersonPasses(ctx, c, mustTmpl("eval_person"), tmplData{}, n)
}
