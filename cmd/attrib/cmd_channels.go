package main

import (
	"fmt"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"attrib/config"
	"attrib/transform/channel"
)

func newChannelsCmd(g *globalFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "channels",
		Short: "Print the effective channel classification rules, in evaluation order",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			// Without a config file the defaults are printed; a config
			// file that does not load is an error, never the defaults.
			var rules []channel.Rule
			path := config.Find(g.config)
			if _, err := os.Stat(path); err == nil || path != config.DefaultFile {
				cfg, err := loadConfig(g)
				if err != nil {
					return err
				}
				rules = cfg.Channels.Rules
			}
			cl, err := channel.New(rules)
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "#\torigin\trule\tchannel\tgroup\tconditions")
			for i, r := range cl.Rules() {
				fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", i+1, r.Origin, r.Name, r.Channel, r.Group, strings.Join(r.Conditions, " and "))
			}
			return tw.Flush()
		},
	}
}
