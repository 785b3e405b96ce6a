package main

import (
	"fmt"
	"os"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"attrib/jobs"
)

func newRunsCmd(g *globalFlags) *cobra.Command {
	var limit int
	cmd := &cobra.Command{
		Use:   "runs",
		Short: "Recent runs with status, duration and row counts",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			cfg, err := loadConfig(g)
			if err != nil {
				return err
			}
			w, err := openWarehouse(ctx, cfg, true)
			if err != nil {
				return err
			}
			defer w.Close()
			runs, err := jobs.Recent(ctx, w.DB(), limit)
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "run_id\tjob\ttrigger\tstarted_at\tduration\tstatus\trows_in\trows_out\terror")
			for _, r := range runs {
				dur := ""
				if r.FinishedAt.Valid {
					dur = r.FinishedAt.Time.Sub(r.StartedAt).Round(100 * time.Millisecond).String()
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%d\t%d\t%s\n", r.RunID, r.Job, r.Trigger,
					r.StartedAt.Format(time.RFC3339), dur, r.Status, r.RowsIn.Int64, r.RowsOut.Int64, r.Error)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().IntVar(&limit, "limit", 20, "how many runs to show")
	return cmd
}
