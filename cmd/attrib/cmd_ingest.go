package main

import (
	"os"

	"github.com/spf13/cobra"

	"attrib/ingest"
)

func newIngestCmd(g *globalFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "ingest",
		Short: "Load new source files and print loaded/rejected counts per file",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			cfg, err := loadConfig(g)
			if err != nil {
				return err
			}
			w, err := openWarehouse(ctx, cfg, false)
			if err != nil {
				return err
			}
			defer w.Close()
			rep, err := ingest.Run(ctx, w, cfg, ingest.Options{Progress: newFileProgress()})
			printIngestReport(os.Stdout, rep, cfg.Dir)
			return err
		},
	}
}
