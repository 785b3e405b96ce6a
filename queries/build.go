package queries

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"text/template"
	"time"

	"attrib/config"
	"attrib/warehouse"
)

// The evaluation statements BuildWith runs after eval_params, in order.
var (
	sqlEvalParams  = mustSQL("eval_params")
	sqlIncNewTypes = mustSQL("inc_new_types")
	evalSteps      = slices.Concat(mustSQLs("eval_days", "spend_daily"),
		[]namedSQL{{name: "channel_performance", tmpl: mustTmpl("channel_performance")}},
		mustSQLs("eval_acq", "eval_act", "eval_acq_stats"),
		[]namedSQL{{name: "eval_person", tmpl: mustTmpl("eval_person"), passes: true}},
		mustSQLs("eval_value_curve", "channel_roi", "model_comparison", "funnel", "cohort_retention", "lifecycle"))
	sqlEvalPersonSize = mustSQL("eval_person_size")
)

// Options of one Build.
type Options struct {
	// Incremental is set after a transform that carried the rule-based
	// credits of people it did not rebuild over (transform.Result.CarryOver):
	// the daily-grain table channel_performance then carries its published
	// rule-based rows of the days not in inc_days over, when nothing else
	// changed them (no new conversion type).
	Incremental bool
	// Timed, when set, is called with each step's name and duration as it ends.
	Timed func(step string, d time.Duration)
}

// Published lists the tables Build creates under _next_ names: the
// evaluation tables of BuildWith and the incrementality tables of
// BuildIncrementality.
var Published = append([]string{
	"channel_performance", "channel_roi", "model_comparison", "funnel", "cohort_retention",
	"lifecycle", "model_accuracy",
}, IncrementalityTables...)

// Build is BuildWith with default options (everything computed) followed
// by BuildIncrementality.
func Build(ctx context.Context, c *sql.Conn, cfg *config.Config) error {
	if err := BuildWith(ctx, c, cfg, Options{}); err != nil {
		return err
	}
	_, err := BuildIncrementality(ctx, c, cfg)
	return err
}

// BuildWith creates the evaluation tables on connection c, which must hold
// the working tables of a transform run (touches, channel_map, models and
// _next_attribution_credits); BuildIncrementality then adds the media mix
// model's tables and the budget recommendations. cfg comes from config.Parse or config.Load,
// which fill in the evaluation defaults. c must hold no _next_ version of
// the tables BuildWith builds (the jobs session drops leftovers first).
func BuildWith(ctx context.Context, c *sql.Conn, cfg *config.Config, o Options) error {
	e := cfg.Evaluation
	if _, err := c.ExecContext(ctx, sqlEvalParams, e.Period, e.AcquisitionType, e.AcquisitionModel,
		e.LTVMonths, e.RetentionMonths, *e.RetentionTarget, e.ChurnDays, e.ActiveDays, e.ActivationDays,
		cfg.Attribution.UnattributedChannel); err != nil {
		return fmt.Errorf("queries: evaluation settings: %w", err)
	}
	if o.Incremental {
		var newTypes int
		if err := c.QueryRowContext(ctx, sqlIncNewTypes).Scan(&newTypes); err != nil {
			return fmt.Errorf("queries: conversion types: %w", err)
		}
		o.Incremental = newTypes == 0
	}
	for _, st := range evalSteps {
		name, q := st.name, st.sql
		start := time.Now()
		switch {
		case st.passes:
			if err := evalPerson(ctx, c, st.tmpl); err != nil {
				return fmt.Errorf("queries: %s: %w", name, err)
			}
		case st.tmpl != nil:
			q = render(st.tmpl, o)
			fallthrough
		default:
			if _, err := c.ExecContext(ctx, q); err != nil {
				return fmt.Errorf("queries: %s: %w", name, err)
			}
		}
		if o.Timed != nil {
			o.Timed(name, time.Since(start))
		}
	}
	return nil
}

// bytesPerIdentifier is what one person of eval_person costs in memory, counted per identifier
// of identity_map (people have about two): their row of person_touches, the anti join that adds the
// people with conversions but no touch, and their output row. (128 while eval_person grouped every
// touch for the first one; at 18 M people 64 makes three passes instead of five. The acquired
// people's activity and value are in eval_acq_stats, outside the passes.)
const bytesPerIdentifier = 64

// evalPerson builds eval_person with the statement t in passes over parts of the people
// (warehouse.Passes on identity_map's size and DuckDB's memory_limit): the first creates the
// table, the others add to it.
func evalPerson(ctx context.Context, c *sql.Conn, t *template.Template) error {
	n, err := warehouse.PassesOn(ctx, c, sqlEvalPersonSize, bytesPerIdentifier)
	if err != nil {
		return err
	}
	return evalPersonPasses(ctx, c, t, n)
}

// evalPersonPasses runs the n passes of eval_person.
func evalPersonPasses(ctx context.Context, c *sql.Conn, t *template.Template, n int) error {
	for p := range n {
		if _, err := c.ExecContext(ctx, render(t, struct{ Create bool }{p == 0}), n, p); err != nil {
			return fmt.Errorf("pass %d of %d: %w", p+1, n, err)
		}
	}
	return nil
}
