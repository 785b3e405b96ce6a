package main

import (
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"attrib/jobs"
)

func newRunsCmd(g *globalFlags) *cobra.Command {
	var limit int
	var steps bool
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
			head := "run_id\tjob\ttrigger\tattempt\tstarted_at\tduration\tstatus\trows_in\trows_out\trange"
			if steps {
				head += "\tsteps"
			}
			fmt.Fprintln(tw, head+"\terror")
			for _, r := range runs {
				dur := ""
				if r.FinishedAt.Valid {
					dur = r.FinishedAt.Time.Sub(r.StartedAt).Round(100 * time.Millisecond).String()
				}
				rng := ""
				if r.RangeFrom != "" {
					rng = r.RangeFrom + ".." + r.RangeTo
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\t%s\t%d\t%d\t%s", r.RunID, r.Job, r.Trigger, r.Attempt,
					r.StartedAt.Format(time.RFC3339), dur, r.Status, r.RowsIn.Int64, r.RowsOut.Int64, rng)
				if steps {
					var parts []string
					for _, s := range r.Steps {
						part := fmt.Sprintf("%s=%.1fs/%d", s.Step, s.Seconds, s.Rows)
						if s.Note != "" {
							part += "[" + s.Note + "]"
						}
						parts = append(parts, part)
					}
					fmt.Fprintf(tw, "\t%s", strings.Join(parts, " "))
				}
				fmt.Fprintf(tw, "\t%s\n", r.Error)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().IntVar(&limit, "limit", 20, "how many runs to show")
	cmd.Flags().BoolVar(&steps, "steps", false, "show per-step durations and row counts (step=seconds/rows)")
	return cmd
}
