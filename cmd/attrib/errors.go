package main

import (
	"context"
	"database/sql"
	_ "embed"
	"errors"
	"regexp"
	"strings"
)

//go:embed sql/finished_runs.sql
var sqlFinishedRuns string

// errNoRunYet is what a query of a published table says before the first
// successful run, instead of DuckDB's "Did you mean sqlite_schema?".
var errNoRunYet = errors.New("query: no run has finished yet, so the published tables do not exist: run `attrib run` (or `attrib demo`) first; `attrib runs` lists the runs")

// beforeFirstRun turns a missing-table error into errNoRunYet when no run
// has succeeded in db; any other error is returned as it is.
func beforeFirstRun(ctx context.Context, db *sql.DB, err error) error {
	if err == nil || !strings.Contains(err.Error(), "Catalog Error") || !strings.Contains(err.Error(), "does not exist") {
		return err
	}
	var n int64
	if db.QueryRowContext(ctx, sqlFinishedRuns).Scan(&n) == nil && n == 0 {
		return errNoRunYet
	}
	return err
}

// internalPrefix is a Go package's name at the start of an error message or
// after a colon ("queries: ", "server: "): people see the operation, not
// the package that failed.
var internalPrefix = regexp.MustCompile(`(^|: )(?:queries|server|jobs|transform|warehouse|ingest|mmm): `)

// userMessage is an error as the command line shows it.
func userMessage(err error) string {
	msg := err.Error()
	if strings.HasPrefix(msg, "config: ") {
		return msg // names config keys, which may look like package names
	}
	for {
		next := internalPrefix.ReplaceAllString(msg, "$1")
		if next == msg {
			return msg
		}
		msg = next
	}
}
