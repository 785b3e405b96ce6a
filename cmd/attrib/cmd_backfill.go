package main

import (
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"
)

func newBackfillCmd(g *globalFlags) *cobra.Command {
	var job, from, to string
	cmd := &cobra.Command{
		Use:   "backfill --from DATE --to DATE",
		Short: "Recompute a date range: only the rows of those dates in date-grained tables (channel_performance, conversion_paths, attribution_credits) are replaced",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			fromD, err := time.Parse(time.DateOnly, from)
			if err != nil {
				return fmt.Errorf("backfill: --from %q is not a date like 2025-01-31", from)
			}
			toD, err := time.Parse(time.DateOnly, to)
			if err != nil {
				return fmt.Errorf("backfill: --to %q is not a date like 2025-01-31", to)
			}
			cfg, err := loadConfig(g)
			if err != nil {
				return err
			}
			r, j, w, err := cliRunner(ctx, cfg, job)
			if err != nil {
				return err
			}
			defer w.Close()
			res, err := r.Backfill(ctx, j, fromD, toD)
			clearLine()
			fmt.Fprintln(os.Stdout, runSummary(res)+fmt.Sprintf(" range=%s..%s", from, to))
			return err
		},
	}
	cmd.Flags().StringVar(&job, "job", "", "job whose steps to run (default: the first job); ingest runs if the job has it")
	cmd.Flags().StringVar(&from, "from", "", "first date to replace, YYYY-MM-DD (in the configured time zone)")
	cmd.Flags().StringVar(&to, "to", "", "last date to replace, YYYY-MM-DD (inclusive)")
	_ = cmd.MarkFlagRequired("from")
	_ = cmd.MarkFlagRequired("to")
	return cmd
}
