package main

import (
	"fmt"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"attrib/transform/channel"
)

func newChannelsCmd(g *globalFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "channels",
		Short: "Print the effective channel classification rules, in evaluation order",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var rules []channel.Rule
			if cfg, err := loadConfig(g); err == nil {
				rules = cfg.Channels.Rules
			} else if g.config != "" {
				return err
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
