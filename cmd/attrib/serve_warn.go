package main

import (
	"fmt"
	"io"

	"attrib/config"
)

// serveChecks is what `attrib serve` checks before it opens anything: the
// serve section's ${VAR}s must be set (other commands ignore them), and it
// warns on w when no one could log in to the dashboard, API or PostgreSQL
// endpoint.
func serveChecks(cfg *config.Config, w io.Writer) error {
	if err := cfg.ServeEnv(); err != nil {
		return err
	}
	if msg := nobodyCanLogIn(cfg.Serve); msg != "" {
		fmt.Fprintln(w, "attrib serve: warning:", msg)
	}
	return nil
}

// nobodyCanLogIn explains why no one could use the dashboard, API or
// PostgreSQL endpoint with this serve section, or is "" when someone can.
func nobodyCanLogIn(s config.Serve) string {
	if len(s.Users) > 0 || s.Anonymous {
		return ""
	}
	return "nobody can log in: serve.users is empty and serve.anonymous is false, so the dashboard, " +
		"HTTP API and PostgreSQL endpoint answer every request with 401 (add a user under serve.users, " +
		"or set serve.anonymous: true to let clients on this machine in without a password)"
}
