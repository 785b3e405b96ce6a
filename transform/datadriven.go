package transform

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/duckdb/duckdb-go/v2"

	"attrib/config"
	"attrib/transform/attribution"
	"attrib/warehouse"
)

var dataDrivenModels = []string{"markov", "shapley", "fractribution"}

// configuredDataDriven returns the configured models that are data-driven, in config order.
func configuredDataDriven(cfg *config.Config) []string {
	var models []string
	for _, m := range cfg.Attribution.Models {
		if slices.Contains(dataDrivenModels, m) {
			models = append(models, m)
		}
	}
	return models
}

// refitModels lists the configured data-driven models in the temp table
// refit_models: their credits change with every fit, so no run carries them over.
func refitModels(ctx context.Context, c *sql.Conn, cfg *config.Config) error {
	if _, err := c.ExecContext(ctx, sqlRefitModels, configuredDataDriven(cfg)); err != nil {
		return fmt.Errorf("transform: refit models: %w", err)
	}
	return nil
}

// dataDriven fits the configured data-driven models per conversion type on
// path counts aggregated in DuckDB (read as Arrow), and fills _next_attribution_credits_data_driven_wide
// with each touch's credit under each model (the models credit each distinct path once, in Go; DuckDB
// gives every touch its step's credit in a join). Markov's removal effects and global allocation go
// to _next_markov_removal_effects.
//
// In an incremental run (inc) the channel ids and non-converting paths kept
// in attrib_state are updated for the people in inc_aff only.
//
// Without a data-driven model _next_markov_removal_effects is not built
// (RunWith's caller has dropped any leftover). step starts the timing of its
// parts: "non-converting paths", then "data-driven models" (the fits and
// the touches' credits).
func dataDriven(ctx context.Context, c *sql.Conn, cfg *config.Config, inc pathData, step func(string)) error {
	models := configuredDataDriven(cfg)
	if len(models) == 0 {
		return nil
	}
	step("non-converting paths")
	if inc.Incremental {
		var ready int
		if err := c.QueryRowContext(ctx, sqlNonconvertingReady).Scan(&ready); err != nil {
			return fmt.Errorf("transform: non-converting paths: %w", err)
		}
		inc.Incremental = ready == 1
	}
	stmts := []string{sqlChannelIDs.get(inc), sqlChannelIDsView, sqlMarkovRemovalCreate}
	if inc.Incremental {
		stmts = append(stmts, sqlNCPathsDelete)
	}
	for _, q := range stmts {
		if _, err := c.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("transform: channel ids: %w", err)
		}
	}
	_, hi := windowDates(cfg)
	if err := nonconvertingPaths(ctx, c, inc, hi); err != nil {
		return fmt.Errorf("transform: non-converting paths: %w", err)
	}
	for _, q := range []string{sqlNCPathsView, sqlNCPathCounts, sqlConverterPathCounts} {
		if _, err := c.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("transform: non-converting paths: %w", err)
		}
	}
	step("data-driven models")
	channels, err := warehouse.QueryStrings(ctx, c, sqlChannelList)
	if err != nil {
		return fmt.Errorf("transform: channel ids: %w", err)
	}
	types, err := warehouse.QueryStrings(ctx, c, sqlConversionTypes)
	if err != nil {
		return fmt.Errorf("transform: conversion types: %w", err)
	}

	ops, err := attribution.ParsePathTransforms(cfg.Attribution.PathTransforms)
	if err != nil {
		return fmt.Errorf("transform: %w", err)
	}
	// Inside Raw only the driver connection may be used: c itself is locked.
	return c.Raw(func(dc any) error {
		conn := dc.(driver.Conn)
		ar, err := duckdb.NewArrowFromConn(conn)
		if err != nil {
			return fmt.Errorf("transform: arrow: %w", err)
		}
		for _, typ := range types {
			pt := attribution.NewPathTransformer(ops, channels)
			if err := fitType(ctx, conn, ar, cfg, typ, pt, models); err != nil {
				return fmt.Errorf("transform: data-driven models for %s: %w", typ, err)
			}
		}
		return nil
	})
}

// fitType fits the models on one conversion type's paths after the configured path
// transforms (pt) and credits the type's conversions.
func fitType(ctx context.Context, conn driver.Conn, ar *duckdb.Arrow, cfg *config.Config, typ string, pt *attribution.PathTransformer, models []string) error {
	if err := execDriver(ctx, conn, sqlConvSteps, typ); err != nil {
		return fmt.Errorf("paths: %w", err)
	}
	raw, err := loadPaths(ctx, ar, typ, len(pt.States()))
	if err != nil {
		return err
	}
	if len(raw) == 0 {
		return nil
	}
	paths := transformPaths(raw, pt)
	channels := pt.States()
	crediters := make(map[string]attribution.Crediter, len(models))
	for _, m := range models {
		switch m {
		case "markov":
			res, err := attribution.Markov(paths, len(channels), cfg.Attribution.MarkovOrder)
			if err != nil {
				return fmt.Errorf("markov: %w", err)
			}
			if err := appendRemovalEffects(conn, typ, channels, &res, cfg.Attribution.MarkovOrder); err != nil {
				return err
			}
			crediters[m] = &res
		case "shapley":
			s, err := attribution.FitShapley(paths, len(channels))
			if err != nil {
				return fmt.Errorf("shapley: %w", err)
			}
			crediters[m] = s
		case "fractribution":
			f, err := attribution.FitFractribution(paths, len(channels))
			if err != nil {
				return fmt.Errorf("fractribution: %w", err)
			}
			crediters[m] = f
		}
	}
	return creditTouches(ctx, conn, ar, typ, raw, fittedModels{models: models, crediters: crediters, pt: pt})
}

// execOverView runs q on conn with rr registered as the Arrow view name,
// and drops the view afterwards (also when q fails or ctx is cancelled).
func execOverView(ctx context.Context, conn driver.Conn, ar *duckdb.Arrow, rr array.RecordReader, name, q string) error {
	release, err := ar.RegisterView(rr, name)
	if err != nil {
		return err
	}
	err = execDriver(ctx, conn, q)
	derr := execDriver(context.WithoutCancel(ctx), conn, "DROP VIEW IF EXISTS "+warehouse.QuoteIdent(name))
	release()
	return errors.Join(err, derr)
}

// execDriver runs one statement with positional arguments on a driver connection (inside
// sql.Conn.Raw, where the *sql.Conn itself is locked).
func execDriver(ctx context.Context, conn driver.Conn, q string, args ...any) error {
	ex, ok := conn.(driver.ExecerContext)
	if !ok {
		return errors.New("driver connection cannot execute")
	}
	_, err := ex.ExecContext(ctx, q, warehouse.NamedArgs(args))
	return err
}

// transformPaths applies the path transforms and merges paths that become equal, adding
// their counts in input order (data_driven_paths.sql orders paths, so the sums are deterministic).
func transformPaths(raw []attribution.PathCount, pt *attribution.PathTransformer) []attribution.PathCount {
	if pt.Identity() {
		return raw
	}
	index := make(map[string]int, len(raw))
	out := make([]attribution.PathCount, 0, len(raw))
	for _, p := range raw {
		steps, _ := pt.Apply(p.Steps)
		k := stepsKey(steps)
		if i, ok := index[k]; ok {
			out[i].Conversions += p.Conversions
			out[i].Nulls += p.Nulls
			out[i].Value += p.Value
			continue
		}
		index[k] = len(out)
		out = append(out, attribution.PathCount{Steps: steps, Conversions: p.Conversions, Nulls: p.Nulls, Value: p.Value})
	}
	return out
}

func stepsKey(steps []int32) string {
	b := make([]byte, 0, len(steps)*4)
	for _, s := range steps {
		b = append(b, byte(s), byte(s>>8), byte(s>>16), byte(s>>24))
	}
	return string(b)
}

func loadPaths(ctx context.Context, ar *duckdb.Arrow, typ string, nChannels int) ([]attribution.PathCount, error) {
	rr, err := ar.QueryContext(ctx, sqlDataDrivenPaths, typ, typ)
	if err != nil {
		return nil, fmt.Errorf("paths: %w", err)
	}
	defer rr.Release()
	var paths []attribution.PathCount
	for rr.Next() {
		p, err := attribution.PathsFromRecord(rr.RecordBatch(), nChannels)
		if err != nil {
			return nil, fmt.Errorf("paths: %w", err)
		}
		paths = append(paths, p...)
	}
	if err := rr.Err(); err != nil {
		return nil, fmt.Errorf("paths: %w", err)
	}
	return paths, nil
}

func appendRemovalEffects(conn driver.Conn, typ string, channels []string, r *attribution.MarkovResult, order int) error {
	app, err := duckdb.NewAppender(conn, "", "main", "_next_markov_removal_effects")
	if err != nil {
		return fmt.Errorf("markov removal effects: %w", err)
	}
	for i, ch := range channels {
		if err := app.AppendRow("markov", typ, ch, r.RemovalEffect[i], r.Conversions[i], r.Value[i], int32(order)); err != nil {
			_ = app.Close()
			return fmt.Errorf("markov removal effects: %w", err)
		}
	}
	if err := app.Close(); err != nil {
		return fmt.Errorf("markov removal effects: %w", err)
	}
	return nil
}

// fittedModels are one conversion type's fitted data-driven models, in config order, with the
// path transforms their paths went through.
type fittedModels struct {
	models    []string
	crediters map[string]attribution.Crediter
	pt        *attribution.PathTransformer
}

// pathCreditsView is the name of the Arrow view path_credits_create.sql reads.
const pathCreditsView = "attrib_path_credits_in"

// pathCreditsSchema is one row per path: its steps and, for each of dataDrivenModels (a column each,
// named by the model), the model's credit per step, NULL when the model is not configured.
var pathCreditsSchema = func() *arrow.Schema {
	fields := []arrow.Field{{Name: "steps", Type: arrow.ListOf(arrow.PrimitiveTypes.Int32)}}
	for _, m := range dataDrivenModels {
		fields = append(fields, arrow.Field{Name: m, Type: arrow.ListOf(arrow.PrimitiveTypes.Float64), Nullable: true})
	}
	return arrow.NewSchema(fields, nil)
}()

// creditTouches credits the touches of one type's conversions: the models' credit per step is
// computed once for each distinct path that converted (raw, before path transforms; tens or
// hundreds of thousands where the touches are millions), handed to DuckDB as Arrow
// (path_credits), and each touch takes its step's credit in a join (data_driven_credits.sql).
func creditTouches(ctx context.Context, conn driver.Conn, ar *duckdb.Arrow, typ string, raw []attribution.PathCount, fm fittedModels) error {
	rec, err := pathCreditsRecord(raw, fm)
	if err != nil {
		return err
	}
	defer rec.Release()
	rr, err := array.NewRecordReader(pathCreditsSchema, []arrow.RecordBatch{rec})
	if err != nil {
		return fmt.Errorf("path credits: %w", err)
	}
	defer rr.Release()
	if err := execOverView(ctx, conn, ar, rr, pathCreditsView, sqlPathCreditsCreate); err != nil {
		return fmt.Errorf("path credits: %w", err)
	}
	if err := execDriver(ctx, conn, sqlDataDrivenCredits, typ); err != nil {
		return fmt.Errorf("model credits: %w", err)
	}
	return nil
}

// pathCreditsRecord holds every model's credit per step of each path in raw with a conversion, one
// row per path (pathCreditsSchema).
func pathCreditsRecord(raw []attribution.PathCount, fm fittedModels) (arrow.RecordBatch, error) {
	b := array.NewRecordBuilder(memory.DefaultAllocator, pathCreditsSchema)
	defer b.Release()
	steps := b.Field(0).(*array.ListBuilder)
	stepIDs := steps.ValueBuilder().(*array.Int32Builder)
	for _, p := range raw {
		if p.Conversions == 0 {
			continue
		}
		byModel, err := pathCredits(p.Steps, fm)
		if err != nil {
			return nil, err
		}
		steps.Append(true)
		stepIDs.AppendValues(p.Steps, nil)
		for i, m := range dataDrivenModels {
			credits := b.Field(i + 1).(*array.ListBuilder)
			c, ok := byModel[m]
			credits.Append(ok)
			if ok {
				credits.ValueBuilder().(*array.Float64Builder).AppendValues(c, nil)
			}
		}
	}
	return b.NewRecordBatch(), nil
}

// pathCredits returns every model's credit per step of one path (its raw steps): the models
// credit the path as the path transforms leave it, and a step the transforms merged or dropped
// shares the credit of the step it went to (attribution.SpreadCredit).
func pathCredits(raw []int32, fm fittedModels) (map[string][]float64, error) {
	byModel := make(map[string][]float64, len(fm.models))
	seen, owner := raw, []int32(nil)
	identity := fm.pt.Identity()
	if !identity {
		seen, owner = fm.pt.Apply(raw)
	}
	for _, m := range fm.models {
		c, err := fm.crediters[m].Credit(seen)
		if err != nil {
			return nil, fmt.Errorf("%s credit: %w", m, err)
		}
		if !identity {
			c = attribution.SpreadCredit(c, owner)
		}
		byModel[m] = c
	}
	return byModel, nil
}

// bytesPerTouch is what one touch costs in a pass of nonconverting_paths.sql.tmpl: its entry in
// its person's list (time, touch id, channel id) and its share of the group and of the join with
// the person's last touch.
const bytesPerTouch = 64

// nonconvertingPaths builds attrib_state.nc_paths (a full run: anew; inc.Incremental: the rows of
// the people in inc_aff) in passes over parts of the people, so that one pass's lists fit in
// DuckDB's memory_limit (warehouse.Passes); hi is the conversion window's end date or nil.
func nonconvertingPaths(ctx context.Context, c *sql.Conn, inc pathData, hi any) error {
	if !inc.Incremental {
		if _, err := c.ExecContext(ctx, sqlNCPathsCreate); err != nil {
			return err
		}
	}
	n, err := warehouse.PassesOn(ctx, c, sqlNCPathsSize.get(inc), bytesPerTouch)
	if err != nil {
		return err
	}
	return execPersonPasses(ctx, c, n, ncPathsStatement(inc, hi, n), hi)
}

// ncPathsStatement is the statement of nonconvertingPaths' n passes. A full run without a conversion
// window in several passes reads each person's last touch from person_touches (sqlNCPathsLastKnown);
// in one pass it groups the touches again: with every person in one pass the join with
// person_touches ran out of a 1.9 GiB memory_limit at 2 M people (11.4 M touches), where seven
// passes of 14.6 M touches each at 18 M people and two passes at 2 M people did not.
func ncPathsStatement(inc pathData, hi any, n int) byPart {
	if !inc.Incremental && hi == nil && n > 1 {
		return sqlNCPathsLastKnown
	}
	return sqlNonconvertingPaths.get(inc)
}
