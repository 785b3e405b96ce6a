package main

import (
	"os"

	"github.com/spf13/cobra"

	"attrib/queries"
)

func newQueryCmd(g *globalFlags) *cobra.Command {
	var format string
	var maxRows int
	cmd := &cobra.Command{
		Use:   `query [--format table|csv|json] "SQL"`,
		Short: "Run one read-only SQL statement against the warehouse and print the result",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			if err := queries.CheckReadOnly(args[0]); err != nil {
				return err
			}
			cfg, err := loadConfig(g)
			if err != nil {
				return err
			}
			w, err := openWarehouse(ctx, cfg, true)
			if err != nil {
				return err
			}
			defer w.Close()
			res, err := queries.Query(ctx, w.DB(), args[0], maxRows)
			if err != nil {
				return err
			}
			return queries.Write(os.Stdout, res, format)
		},
	}
	cmd.Flags().StringVar(&format, "format", "table", "output format: table, csv or json")
	cmd.Flags().IntVar(&maxRows, "max-rows", 0, "stop after this many rows (0 = all)")
	return cmd
}
