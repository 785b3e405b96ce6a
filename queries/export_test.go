package queries

import (
	"context"
	"database/sql"
	"time"
)

// SetStepHook lets tests and benchmarks observe the duration of each step of Build.
func SetStepHook(f func(step string, d time.Duration)) { stepDone = f }

// EvalPersonInPasses builds eval_person again on c (after a Build) in n passes.
func EvalPersonInPasses(ctx context.Context, c *sql.Conn, n int) error {
	return evalPersonPasses(ctx, c, mustTmpl("eval_person"), n)
}
