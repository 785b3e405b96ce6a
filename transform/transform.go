package transform

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

	"attrib/config"
	"attrib/transform/channel"
	"attrib/warehouse"
)

// Published lists the result tables transform builds under _next_ names. attribution_credits is a
// view over two of them (migrations 0045 and 0046): attribution_credits_rule_based, which an
// incremental run publishes as a delta (Result.Deltas), and attribution_credits_data_driven_wide
// (one row per conversion and touch, a credit column per data-driven model, shown a row per model by
// the view attribution_credits_data_driven), replaced whole by every run. An incremental run
// publishes conversion_paths as a delta too. For the evaluation, RunWith leaves the temp view
// all_credits: this run's credits as the published view will show them (and all_paths, this run's
// conversion_paths whole).
var Published = []string{"conversion_paths", "attribution_credits_rule_based", "attribution_credits_data_driven_wide", "markov_removal_effects"}

// Result summarises one transform.
type Result struct {
	// Mode is ModeFull or ModeIncremental; FullReason says why a run was full.
	Mode       string
	FullReason string
	// CarryOver is set when the rule-based results of people not rebuilt
	// were carried over: the temp table inc_days then lists the days whose
	// daily-grain results may have changed, and inc_touch_days those whose
	// touch counts may have (queries.Options.Incremental).
	CarryOver bool
	// Rebuilt is the number of people whose identities and paths were rebuilt
	// (everyone stitched, in a full run).
	Rebuilt      int64
	Combinations int // distinct attribute combinations classified
	Stitch       StitchStats
	Conversions  int64
	Credits      int64
	// Deltas are the tables of Published whose _next_ version holds only the
	// rows that change, to be published with warehouse.PublishDeltas: in an
	// incremental run, conversion_paths (its delete reads the temp table
	// inc_aff), and in a run that carried results over,
	// attribution_credits_rule_based (its delete reads inc_conversions).
	Deltas []warehouse.Delta
	// Timings is the wall time of each step, in order.
	Timings []Timing

	fingerprint string
}

// Timing is the duration of one transform step.
type Timing struct {
	Step    string
	Seconds float64
}

// Step reports progress: the name of the step that starts now.
type Step func(name string)

// Options of one transform.
type Options struct {
	// Step, when set, is called as each step starts.
	Step Step
	// Full rebuilds everything even when an incremental run is possible.
	Full bool
}

// Run is RunWith with default options and a step reporter.
func Run(ctx context.Context, c *sql.Conn, cfg *config.Config, step Step) (Result, error) {
	return RunWith(ctx, c, cfg, Options{Step: step})
}

// RunWith classifies, stitches, builds paths and credits on connection c,
// leaving the working temp tables (touches, channel_map, conv_touches,
// models) for the evaluation queries and the results under _next_ names for
// warehouse.Publish, inside whose transaction Result.Commit must run. c must
// hold no _next_ version of Published: the jobs session drops leftovers
// before its first stage (the one place that cleans them up), and a second
// RunWith on the same connection fails with "already exists" until the first
// one's tables are published or dropped.
//
// When the settings are those of the last committed transform and the new
// loads are a small share of the data, the run is incremental: identities
// are stitched only for the new loads' rows, and the paths of only the people
// they touch are rebuilt (the rest of conversion_paths is carried over).
// Everything the models fit on all paths (the data-driven models, and the
// credits and evaluation tables built from them) is still computed over all
// data, so both modes give the same results.
func RunWith(ctx context.Context, c *sql.Conn, cfg *config.Config, o Options) (Result, error) {
	var res Result
	t := stepTimer{res: &res, report: o.Step}
	defer t.step("")
	cl, err := channel.New(cfg.Channels.Rules)
	if err != nil {
		return res, fmt.Errorf("transform: channel rules: %w", err)
	}
	t.step("classify channels")
	if res.Combinations, err = classify(ctx, c, cl, o.Full); err != nil {
		return res, fmt.Errorf("transform: %w", err)
	}

	t.step("stitch identities")
	if err := stitchIdentities(ctx, c, cfg, o.Full, &res); err != nil {
		return res, err
	}
	inc := pathData{Incremental: res.Mode == ModeIncremental}

	t.step("build paths")
	if err := buildPaths(ctx, c, cfg, inc, &res); err != nil {
		return res, err
	}

	t.step("attribute")
	if err := attribute(ctx, c, cfg, inc, &res, t.step); err != nil {
		return res, err
	}
	return res, nil
}

// stepTimer times the steps of a run into res.Timings and reports each as it starts.
type stepTimer struct {
	res     *Result
	report  Step
	started time.Time
}

// step times the step that ends and reports the one that starts ("" when none does).
func (t *stepTimer) step(name string) {
	now := time.Now()
	if n := len(t.res.Timings); n > 0 {
		t.res.Timings[n-1].Seconds = now.Sub(t.started).Seconds()
	}
	t.started = now
	if name == "" {
		return
	}
	t.res.Timings = append(t.res.Timings, Timing{Step: name})
	if t.report != nil {
		t.report(name)
	}
}

// stitchIdentities decides the run's mode (res.Mode, res.FullReason) and stitches identities:
// only the new loads' identifiers in an incremental run, everything in a full one (also when
// the incremental stitch finds it cannot guard a component).
func stitchIdentities(ctx context.Context, c *sql.Conn, cfg *config.Config, forceFull bool, res *Result) error {
	blocked, err := blockedNodes(ctx, c, cfg)
	if err != nil {
		return err
	}
	// Both stitching modes, and a full one after an incremental attempt, read id_blocked.
	if err := fillBlocked(ctx, c, blocked); err != nil {
		return fmt.Errorf("transform: %w", err)
	}
	maxSize := cfg.Identity.MaxComponentSize
	if maxSize == 0 {
		maxSize = 1000 // config.Load's default; a negative cap switches the guard off
	}
	res.fingerprint = fingerprint(cfg)
	if _, err := c.ExecContext(ctx, sqlCoveredLoads); err != nil {
		return fmt.Errorf("transform: covered loads: %w", err)
	}
	if res.Mode, res.FullReason, err = planMode(ctx, c, res.fingerprint, forceFull); err != nil {
		return err
	}
	if res.Mode == ModeIncremental {
		ok, st, err := stitchIncremental(ctx, c, maxSize)
		if err != nil {
			return fmt.Errorf("transform: %w", err)
		}
		res.Stitch = st
		if !ok {
			res.Mode, res.FullReason = ModeFull, "new identifiers touch a component over identity.max_component_size"
		}
	}
	if res.Mode == ModeFull {
		// Until this run commits, nothing says what the published results cover.
		if _, err := c.ExecContext(ctx, sqlStateClear); err != nil {
			return fmt.Errorf("transform: state: %w", err)
		}
		if res.Stitch, err = stitch(ctx, c, maxSize, len(blocked) > 0); err != nil {
			return fmt.Errorf("transform: %w", err)
		}
	}
	return nil
}

// buildPaths builds the lookbacks, the attributed conversions, their touches and
// _next_conversion_paths (in an incremental run, for the people in inc_aff only), and counts
// the people rebuilt (res.Rebuilt).
func buildPaths(ctx context.Context, c *sql.Conn, cfg *config.Config, inc pathData, res *Result) error {
	if _, err := c.ExecContext(ctx, sqlModels, cfg.Attribution.Models); err != nil {
		return fmt.Errorf("transform: models: %w", err)
	}
	if _, err := c.ExecContext(ctx, sqlLookbacks, cfg.Lookback("").Microseconds()); err != nil {
		return fmt.Errorf("transform: lookbacks: %w", err)
	}
	for typ := range cfg.Attribution.LookbackByType {
		if _, err := c.ExecContext(ctx, sqlLookbackSet, cfg.Lookback(typ).Microseconds(), typ); err != nil {
			return fmt.Errorf("transform: lookbacks: %w", err)
		}
	}
	lo, hi := windowDates(cfg)
	if _, err := c.ExecContext(ctx, sqlAttributedConversions, lo, hi); err != nil {
		return fmt.Errorf("transform: attributed conversions: %w", err)
	}
	if _, err := c.ExecContext(ctx, sqlTouches); err != nil {
		return fmt.Errorf("transform: touches: %w", err)
	}
	var paths []string
	if inc.Incremental {
		paths = append(paths, sqlAffectedPersons, sqlAffectedTouches, sqlConvTouchesDelete)
	}
	paths = append(paths, sqlConversionTouches.get(inc), sqlConvTouchesView)
	for _, q := range paths {
		if _, err := c.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("transform: conversion touches: %w", err)
		}
	}
	if _, err := c.ExecContext(ctx, sqlConversionPaths.get(inc), unattributed(cfg)); err != nil {
		return fmt.Errorf("transform: conversion_paths: %w", err)
	}
	if _, err := c.ExecContext(ctx, sqlAllPaths.get(inc)); err != nil {
		return fmt.Errorf("transform: conversion_paths: %w", err)
	}
	if inc.Incremental {
		res.Deltas = append(res.Deltas, warehouse.Delta{Table: "conversion_paths", Delete: sqlConversionPathsDelete})
	}
	if err := personTouches(ctx, c, inc); err != nil {
		return fmt.Errorf("transform: person touches: %w", err)
	}
	res.Rebuilt = int64(res.Stitch.Persons)
	if inc.Incremental {
		if err := c.QueryRowContext(ctx, sqlRebuiltCount).Scan(&res.Rebuilt); err != nil {
			return fmt.Errorf("transform: count: %w", err)
		}
	}
	return nil
}

// bytesPerPersonIdentifier is what one identifier of identity_map costs in a pass of
// person_touches.sql.tmpl (people have about two): its person's group (the id, two times and
// the first touch's channel with its arg_min key).
const bytesPerPersonIdentifier = 64

// personTouches keeps attrib_state.person_touches, each person's first and last touch, which
// the evaluation reads as the temp view person_touches instead of every touch: a full run
// fills it anew, an incremental run the rows of the people in inc_aff (everyone when the table
// is missing), in passes over parts of the people (warehouse.Passes).
func personTouches(ctx context.Context, c *sql.Conn, inc pathData) error {
	if inc.Incremental {
		var ready int
		if err := c.QueryRowContext(ctx, sqlPersonTouchesReady).Scan(&ready); err != nil {
			return err
		}
		inc.Incremental = ready == 1
	}
	start := sqlPersonTouchesCreate
	if inc.Incremental {
		start = sqlPersonTouchesDelete
	}
	if _, err := c.ExecContext(ctx, start); err != nil {
		return err
	}
	n, err := warehouse.PassesOn(ctx, c, sqlPersonTouchesSize.get(inc), bytesPerPersonIdentifier)
	if err != nil {
		return err
	}
	if err := execPersonPasses(ctx, c, n, sqlPersonTouches.get(inc)); err != nil {
		return err
	}
	_, err = c.ExecContext(ctx, sqlPersonTouchesView)
	return err
}

// attribute credits every conversion under every model into the two _next_ parts of
// attribution_credits (and the view all_credits over them) and counts the results
// (res.Conversions, res.Credits). Rule-based credits of people not rebuilt are carried over
// (res.CarryOver, res.Deltas): they stay in the published attribution_credits_rule_based, unless
// a channel's group changed (then every credit row changes). step starts the timing of each
// later part: "non-converting paths", "data-driven models" (with data-driven models configured)
// and "attribution credits".
func attribute(ctx context.Context, c *sql.Conn, cfg *config.Config, inc pathData, res *Result, step func(string)) error {
	carry := inc
	if carry.Incremental {
		var changed int
		if err := c.QueryRowContext(ctx, sqlChannelGroupsChanged).Scan(&changed); err != nil {
			return fmt.Errorf("transform: channel groups: %w", err)
		}
		carry.Incremental = changed == 0
	}
	res.CarryOver = carry.Incremental
	if err := refitModels(ctx, c, cfg); err != nil {
		return err
	}
	a := cfg.Attribution
	if _, err := c.ExecContext(ctx, sqlRuleCredits.get(carry), a.DirectChannel, a.HalfLifeDays, *a.PositionFirst, *a.PositionLast); err != nil {
		return fmt.Errorf("transform: rule-based models: %w", err)
	}
	if _, err := c.ExecContext(ctx, sqlDataDrivenPartCreate); err != nil {
		return fmt.Errorf("transform: data-driven models: %w", err)
	}
	if err := dataDriven(ctx, c, cfg, inc, step); err != nil {
		return err
	}
	step("attribution credits")
	if carry.Incremental {
		if _, err := c.ExecContext(ctx, sqlIncConversions); err != nil {
			return fmt.Errorf("transform: attribution credits: %w", err)
		}
		res.Deltas = append(res.Deltas, warehouse.Delta{Table: "attribution_credits_rule_based", Delete: sqlCreditsRuleDelete})
	}
	for _, q := range []string{sqlCreditsRuleBased.get(carry), sqlCreditsDataDriven} {
		if _, err := c.ExecContext(ctx, q, unattributed(cfg)); err != nil {
			return fmt.Errorf("transform: attribution credits: %w", err)
		}
	}
	if _, err := c.ExecContext(ctx, sqlCreditsView.get(carry)); err != nil {
		return fmt.Errorf("transform: attribution credits: %w", err)
	}
	if carry.Incremental {
		for _, q := range []string{sqlChangedTouchDays, sqlChangedDays} {
			if _, err := c.ExecContext(ctx, q); err != nil {
				return fmt.Errorf("transform: changed days: %w", err)
			}
		}
	}
	if err := c.QueryRowContext(ctx, sqlResultCounts).Scan(&res.Conversions, &res.Credits); err != nil {
		return fmt.Errorf("transform: count: %w", err)
	}
	return nil
}

// unattributed is the channel of conversions without a touch in their window.
func unattributed(cfg *config.Config) string {
	if cfg.Attribution.UnattributedChannel == "" {
		return "(unattributed)"
	}
	return cfg.Attribution.UnattributedChannel
}

// windowDates returns the conversion window's bounds as bind values (nil = unbounded).
func windowDates(cfg *config.Config) (lo, hi any) {
	if s := cfg.Attribution.ConversionWindowStart; s != "" {
		lo = s
	}
	if s := cfg.Attribution.ConversionWindowEnd; s != "" {
		hi = s
	}
	return lo, hi
}

// blockedNodes turns the configured block list into node keys of every
// identifier type, hashing values the way ingest hashes e-mail and phone.
func blockedNodes(ctx context.Context, c *sql.Conn, cfg *config.Config) ([]string, error) {
	var out []string
	ipad, opad := warehouse.HMACPads([]byte(cfg.PII.Key))
	for _, v := range cfg.Identity.Block {
		out = append(out, "c:"+v, "a:"+v)
		var e, p sql.NullString
		err := c.QueryRowContext(ctx, sqlBlockedHashes,
			v, ipad, opad, v, cfg.PII.DefaultCountryCode, ipad, opad).Scan(&e, &p)
		if err != nil {
			return nil, fmt.Errorf("transform: block list: %w", err)
		}
		if e.Valid {
			out = append(out, "e:"+e.String)
		}
		if p.Valid {
			out = append(out, "p:"+p.String)
		}
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}
