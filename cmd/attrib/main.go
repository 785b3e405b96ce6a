// Command attrib is the one binary of the attrib marketing attribution
// pipeline: demo, init, ingest, run, serve, backfill, query, runs and channels.
package main

import (
	"attrib/server"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"attrib/warehouse"
)

func main() {
	// serve runs people's statements in child processes of this binary.
	server.MaybeRunWorker()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	done := make(chan struct{})
	go boundStop(ctx, done, stop, stopBudget, os.Stderr, os.Exit)
	root := newRoot()
	err := root.ExecuteContext(ctx)
	close(done)
	if err != nil {
		var le *warehouse.LockedError
		if errors.As(err, &le) {
			fmt.Fprintln(os.Stderr, "attrib:", le.Error())
			os.Exit(3)
		}
		fmt.Fprintln(os.Stderr, "attrib:", userMessage(err))
		os.Exit(1)
	}
}

type globalFlags struct {
	config  string
	verbose bool
}

func newRoot() *cobra.Command {
	g := &globalFlags{}
	root := &cobra.Command{
		Use:           "attrib",
		Short:         "Marketing attribution and evaluation on embedded DuckDB",
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRun: func(cmd *cobra.Command, args []string) {
			level := slog.LevelWarn
			if g.verbose {
				level = slog.LevelDebug
			}
			slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level})))
		},
	}
	root.PersistentFlags().StringVar(&g.config, "config", "", "config file (default $ATTRIB_CONFIG or ./attrib.yaml)")
	root.PersistentFlags().BoolVarP(&g.verbose, "verbose", "v", false, "log debug details to stderr")
	root.AddCommand(newDemoCmd(g), newInitCmd(), newIngestCmd(g), newRunCmd(g), newQueryCmd(g), newRunsCmd(g), newChannelsCmd(g),
		newServeCmd(g), newBackfillCmd(g), newPathsCmd())
	return root
}
