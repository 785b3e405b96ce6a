package main

import (
	"fmt"
	"log/slog"
	"os"

	"github.com/spf13/cobra"

	"attrib/jobs"
)

func newRunCmd(g *globalFlags) *cobra.Command {
	var (
		job  string
		full bool
	)
	cmd := &cobra.Command{
		Use:   "run",
		Short: "Ingest, transform and evaluate once, then exit (for cron, Kubernetes CronJob, Airflow)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			cfg, err := loadConfig(g)
			if err != nil {
				return err
			}
			r, j, w, err := cliRunner(ctx, cfg, job)
			if err != nil {
				return err
			}
			defer w.Close()
			run := r.Run
			if full {
				run = r.RunFull
			}
			res, err := run(ctx, j, jobs.TriggerManual)
			clearLine()
			fmt.Fprintln(os.Stdout, runSummary(res))
			return err
		},
	}
	cmd.Flags().StringVar(&job, "job", "", "job name from the config (default: the first job)")
	cmd.Flags().BoolVar(&full, "full", false, "rebuild identities and paths of everyone, not only of the people new data touches")
	return cmd
}

// logRetry logs a failed attempt that will be retried (the last one is in the summary line).
func logRetry(retries int) func(jobs.RunResult) {
	return func(r jobs.RunResult) {
		if r.Status == jobs.StatusFailed && r.Attempt <= retries {
			clearLine()
			slog.Warn("attempt failed, retrying", "job", r.Job, "run", r.RunID, "attempt", r.Attempt, "err", r.Err)
		}
	}
}

func runSummary(r jobs.RunResult) string {
	read, loaded, rejected, dup := r.Ingest.Totals()
	s := fmt.Sprintf("run %s job=%s status=%s duration=%.1fs files=%d read=%d loaded=%d rejected=%d duplicate=%d credits=%d",
		r.RunID, r.Job, r.Status, r.Duration.Seconds(), len(r.Ingest.Files), read, loaded, rejected, dup, r.RowsOut)
	if t := r.Transform; t.Mode != "" {
		s += fmt.Sprintf(" transform=%s rebuilt=%d", t.Mode, t.Rebuilt)
	}
	if r.Attempt > 1 {
		s += fmt.Sprintf(" attempt=%d", r.Attempt)
	}
	if len(r.Exported) > 0 {
		s += fmt.Sprintf(" exported=%d", len(r.Exported))
	}
	if r.Err != nil {
		s += " error=" + fmt.Sprintf("%q", r.Err.Error())
	}
	return s
}
