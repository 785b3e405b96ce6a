package main

import (
	_ "embed"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"attrib/config"
)

//go:embed starter.yaml
var starterConfig []byte

func newInitCmd() *cobra.Command {
	var force bool
	cmd := &cobra.Command{
		Use:   "init [DIR]",
		Short: "Write a commented starter attrib.yaml",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := "."
			if len(args) == 1 {
				dir = args[0]
			}
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return fmt.Errorf("init: %w", err)
			}
			path := filepath.Join(dir, config.DefaultFile)
			if _, err := os.Stat(path); err == nil && !force {
				return fmt.Errorf("init: %s already exists (use --force to overwrite)", path)
			} else if err != nil && !errors.Is(err, os.ErrNotExist) {
				return fmt.Errorf("init: %w", err)
			}
			if err := os.WriteFile(path, starterConfig, 0o644); err != nil {
				return fmt.Errorf("init: %w", err)
			}
			fmt.Printf("wrote %s\nnext: edit its sources, then run `attrib run --config %s`\n", path, path)
			return nil
		},
	}
	cmd.Flags().BoolVar(&force, "force", false, "overwrite an existing attrib.yaml")
	return cmd
}
