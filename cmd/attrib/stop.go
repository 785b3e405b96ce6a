package main

import (
	"context"
	"fmt"
	"io"
	"time"
)

// stopBudget is how long a command may take to stop after the first
// SIGTERM or Ctrl-C before it exits without waiting. Cancelling a run
// interrupts DuckDB between and inside most operators, but not everywhere:
// an UPDATE over a hundred million rows ran on for minutes. Exiting then is
// safe: DuckDB writes a transaction to its WAL only when it commits, so the
// warehouse keeps its last committed state, and the next run marks the
// interrupted one failed.
const stopBudget = 30 * time.Second

// boundStop waits for ctx (the signal context) to end, then stops catching
// signals (release), so that a second SIGTERM or Ctrl-C ends the process at
// once, and calls exit(1) if the command has not returned (done closed)
// within budget. It returns when done is closed.
func boundStop(ctx context.Context, done <-chan struct{}, release func(), budget time.Duration, stderr io.Writer, exit func(int)) {
	select {
	case <-done:
		return
	case <-ctx.Done():
	}
	release()
	t := time.NewTimer(budget)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
		fmt.Fprintf(stderr, "attrib: still stopping %s after the signal: exiting without waiting (the warehouse keeps its last committed state)\n", budget)
		exit(1)
	}
}
