package queries

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"text/template"
	"time"

	"attrib/config"
	"attrib/schema"
	"attrib/warehouse"
)

// The evaluation statements BuildWith runs after eval_params, in order.
var (
	sqlEvalParams  = mustSQL("eval_params")
	sqlIncNewTypes = mustSQL("inc_new_types")
	evalSteps      = slices.Concat(mustSQLs("eval_days", "spend_daily"),
		[]namedSQL{{name: "channel_performance", tmpl: mustTmpl("channel_performance")}},
		[]namedSQL{{name: "eval_acq", sql: mustSQL("eval_acq"), args: acquisitionArgs}},
		mustSQLs("eval_act", "eval_acq_stats"),
		[]namedSQL{{name: "eval_scope", sql: mustSQL("eval_scope"), scoped: true}},
		[]namedSQL{{name: "eval_person", tmpl: mustTmpl("eval_person"), passes: true}},
		mustSQLs("eval_value_curve", "channel_roi", "model_comparison"),
		[]namedSQL{{name: "funnel", tmpl: mustTmpl("funnel")}},
		mustSQLs("cohort_retention", "lifecycle"))
	sqlEvalPersonSize   = mustSQL("eval_person_size")
	sqlEvalScopeSize    = mustSQL("eval_scope_size")
	sqlLifecycleColumns = mustSQL("lifecycle_columns")
	sqlLifecycleDelete  = mustSQL("lifecycle_delete")
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

// Built says how BuildWith built its tables.
type Built struct {
	// Deltas lists the tables whose _next_ version holds only the rows that
	// change, to be published with warehouse.PublishDeltas: lifecycle after an
	// incremental evaluation (the rows of eval_scope).
	Deltas []warehouse.Delta
}

// tmplData is what the evaluation's templates see.
type tmplData struct {
	// Incremental: channel_performance carries its published rows of the days not in inc_days over.
	Incremental bool
	// Scoped: eval_person holds the people of eval_scope only, lifecycle is built for them (a delta),
	// and funnel takes everyone else from the published lifecycle.
	Scoped bool
	// Create: the first pass of eval_person creates the table. Open: the last pass, which has a lower
	// bound on person_id only (warehouse.PersonParts).
	Create, Open bool
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
	if _, err := BuildWith(ctx, c, cfg, Options{}); err != nil {
		return err
	}
	_, err := BuildIncrementality(ctx, c, cfg)
	return err
}

// BuildWith creates the evaluation tables on connection c, which must hold
// the working tables of a transform run (touches, channel_map, models and
// all_credits); BuildIncrementality then adds the media mix
// model's tables and the budget recommendations. cfg comes from config.Parse or config.Load,
// which fill in the evaluation defaults. c must hold no _next_ version of
// the tables BuildWith builds (the jobs session drops leftovers first).
//
// With o.Incremental (and no new conversion type), channel_performance
// carries its published rows over, and when the published lifecycle has the
// catalogue's columns the evaluation is scoped: eval_person and lifecycle
// cover the people of eval_scope (everyone acquired, and the people the
// transform rebuilt), and _next_lifecycle is a delta (Built.Deltas), which
// saves computing and writing again the rows of the tens of millions of people
// who were only ever reached.
func BuildWith(ctx context.Context, c *sql.Conn, cfg *config.Config, o Options) (Built, error) {
	var built Built
	e := cfg.Evaluation
	if _, err := c.ExecContext(ctx, sqlEvalParams, e.Period, e.AcquisitionType, e.AcquisitionModel,
		e.LTVMonths, e.RetentionMonths, *e.RetentionTarget, e.ChurnDays, e.ActiveDays, e.ActivationDays,
		cfg.Attribution.UnattributedChannel); err != nil {
		return built, fmt.Errorf("queries: evaluation settings: %w", err)
	}
	d := tmplData{}
	if o.Incremental {
		var newTypes int
		if err := c.QueryRowContext(ctx, sqlIncNewTypes).Scan(&newTypes); err != nil {
			return built, fmt.Errorf("queries: conversion types: %w", err)
		}
		d.Incremental = newTypes == 0
	}
	if d.Incremental {
		ok, err := lifecycleAsCatalogued(ctx, c)
		if err != nil {
			return built, err
		}
		d.Scoped = ok
	}
	for _, st := range evalSteps {
		name, q := st.name, st.sql
		if st.scoped && !d.Scoped {
			continue
		}
		start := time.Now()
		switch {
		case st.passes:
			if err := evalPerson(ctx, c, st.tmpl, d); err != nil {
				return built, fmt.Errorf("queries: %s: %w", name, err)
			}
		case st.tmpl != nil:
			q = render(st.tmpl, d)
			fallthrough
		default:
			var args []any
			if st.args != nil {
				args = st.args(cfg)
			}
			if _, err := c.ExecContext(ctx, q, args...); err != nil {
				return built, fmt.Errorf("queries: %s: %w", name, err)
			}
		}
		if o.Timed != nil {
			o.Timed(name, time.Since(start))
		}
	}
	if d.Scoped {
		built.Deltas = []warehouse.Delta{{Table: "lifecycle", Delete: sqlLifecycleDelete}}
	}
	return built, nil
}

// acquisitionArgs are eval_acq.sql's parameters: the acquisition type and model.
func acquisitionArgs(cfg *config.Config) []any {
	return []any{cfg.Evaluation.AcquisitionType, cfg.Evaluation.AcquisitionModel}
}

// lifecycleAsCatalogued reports whether the published lifecycle table exists with the columns of
// schema.Catalogue, in order: then an incremental evaluation may publish only changed rows into it.
func lifecycleAsCatalogued(ctx context.Context, c *sql.Conn) (bool, error) {
	have, err := warehouse.QueryStrings(ctx, c, sqlLifecycleColumns)
	if err != nil {
		return false, fmt.Errorf("queries: lifecycle columns: %w", err)
	}
	i := slices.IndexFunc(schema.Catalogue, func(t schema.Table) bool { return t.Name == "lifecycle" })
	if i < 0 {
		return false, nil
	}
	want := schema.Catalogue[i].Columns
	return slices.EqualFunc(have, want, func(h string, w schema.Column) bool { return h == w.Name }), nil
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
func evalPerson(ctx context.Context, c *sql.Conn, t *template.Template, d tmplData) error {
	size := sqlEvalPersonSize
	if d.Scoped {
		size = sqlEvalScopeSize
	}
	n, err := warehouse.PassesOn(ctx, c, size, bytesPerIdentifier)
	if err != nil {
		return err
	}
	return evalPersonPasses(ctx, c, t, d, n)
}

// evalPersonPasses runs the n passes of eval_person.
func evalPersonPasses(ctx context.Context, c *sql.Conn, t *template.Template, d tmplData, n int) error {
	for p, part := range warehouse.PersonParts(n) {
		d.Create, d.Open = p == 0, part.Open
		if _, err := c.ExecContext(ctx, render(t, d), part.Args()...); err != nil {
			return fmt.Errorf("pass %d of %d: %w", p+1, n, err)
		}
	}
	return nil
}
