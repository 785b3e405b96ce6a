package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"attrib/config"
	"attrib/demo"
	"attrib/jobs"
	"attrib/queries"
)

func newDemoCmd(g *globalFlags) *cobra.Command {
	var dir string
	var people int
	var seed int64
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Write a synthetic online+offline retail-bank data set and a config, and run the whole pipeline on it",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			step := stepProgress()
			step("generating demo data")
			if _, err := demo.Generate(ctx, demo.Options{Dir: dir, People: people, Seed: seed}); err != nil {
				return err
			}
			cfgPath := filepath.Join(dir, config.DefaultFile)
			cfg, err := config.Load(cfgPath)
			if err != nil {
				return err
			}
			r, j, w, err := cliRunner(ctx, cfg, "")
			if err != nil {
				return err
			}
			defer w.Close()
			res, err := r.Run(ctx, j, jobs.TriggerDemo)
			clearLine()
			out := os.Stdout
			fmt.Fprintln(out, runSummary(res))
			if err != nil {
				return err
			}
			fmt.Fprintln(out)
			fmt.Fprintln(out, "Channel performance, last_touch model, all conversion types:")
			tbl, err := queries.ChannelSummary(ctx, w.DB(), "last_touch")
			if err != nil {
				return err
			}
			if err := writeResult(out, tbl, "table", cfg); err != nil {
				return err
			}
			abs, _ := filepath.Abs(cfgPath)
			exe := os.Args[0]
			fmt.Fprintf(out, "\nNext:\n  %s query --config %s \"SELECT * FROM model_comparison WHERE conversion_type = 'account_opened' ORDER BY channel, model\"\n", exe, abs)
			fmt.Fprintf(out, "  %s query --config %s \"SELECT truth, scope, model, misallocated_share FROM model_accuracy WHERE channel = '(all)' AND conversion_type = 'account_opened' ORDER BY 1, 2, 4\"\n", exe, abs)
			fmt.Fprintf(out, "  %s query --config %s \"SELECT channel, incremental_conversions, incremental_conversions_low, incremental_conversions_high FROM channel_incrementality WHERE conversion_type = 'account_opened' ORDER BY 1\"    # the truth: %s\n",
				exe, abs, filepath.Join(filepath.Dir(abs), "truth_incremental.csv"))
			fmt.Fprintf(out, "  %s serve --config %s    # dashboard on http://%s/ (no password from this machine: serve.anonymous in the demo config)\n", exe, abs, cfg.Serve.HTTP)
			return nil
		},
	}
	cmd.Flags().StringVar(&dir, "dir", "attrib-demo", "folder for the demo data, config and warehouse")
	cmd.Flags().IntVar(&people, "people", 50000, "number of synthetic people")
	cmd.Flags().Int64Var(&seed, "seed", 1, "random seed (same seed, same data)")
	return cmd
}
