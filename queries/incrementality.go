package queries

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/duckdb/duckdb-go/v2"

	"attrib/config"
	"attrib/transform/mmm"
)

// AllTypes names the fit over all conversion types together.
const AllTypes = "(all)"

// IncrementalityTables are the tables BuildIncrementality creates under
// _next_ names (part of Published).
var IncrementalityTables = []string{
	"mmm_fit", "channel_incrementality", "incrementality_timeseries", "response_curves", "budget_recommendations",
}

// IncrementalityResult summarises one BuildIncrementality.
type IncrementalityResult struct {
	Fitted int    // fits that succeeded
	Note   string // one line for pipeline_runs.steps ("4 fits, day grain" or why none)
}

// mmmData is what the media mix model reads from the warehouse.
type mmmData struct {
	grain      mmm.Grain
	start, end time.Time // the model's window (local days; start is a Monday for weekly grain)
	spendLast  time.Time // last day with spend, when the window is too short to fit
	periods    int
	channels   []mmm.Channel
	groups     map[string]string
	types      []string                 // conversion types, sorted; AllTypes last
	outcomes   map[string]*[2][]float64 // type -> conversions, revenue per period
	exps       []experimentRow          // loaded experiments
	why        string                   // non-empty: no model can be fitted, and why
	holidays   []mmm.Holiday            // config holidays as period sets
	budgetFrom int                      // first period of the budget window
	current    map[string]float64       // channel -> mean spend per period over the budget window
	positive   map[string]float64       // channel -> mean spend per period with spend (curve reference)
}

type experimentRow struct {
	id, channel, ctype, design string
	start, end                 time.Time
	lift, se                   float64
}

// The statements of the incrementality step.
var (
	mmmCreate = mustSQLs("mmm_fit_create", "mmm_channels_create", "incrementality_timeseries_create",
		"response_curves_create", "mmm_budget_create")
	incrementalityTables    = mustSQLs("channel_incrementality", "budget_recommendations")
	sqlModelAccuracyCreate  = mustSQL("model_accuracy_create")
	tmplModelAccuracyScores = mustTmpl("model_accuracy_scores")
	sqlMMMWindow            = mustSQL("mmm_window")
	sqlMMMSpend             = mustSQL("mmm_spend")
	sqlMMMOutcomes          = mustSQL("mmm_outcomes")
	sqlMMMExperiments       = mustSQL("mmm_experiments")
)

// BuildIncrementality fits the media mix model per conversion type and for
// all types together, and creates _next_mmm_fit, _next_channel_incrementality,
// _next_incrementality_timeseries, _next_response_curves and
// _next_budget_recommendations on c, which must hold the working tables of
// BuildWith (eval_params, eval_days, spend_daily, channel_map) and its
// _next_channel_performance (the credits' daily sums). With evaluation.truth_file or
// incremental_truth_file set it also scores every model against them in
// _next_model_accuracy. c must hold none of these _next_ tables yet (the
// jobs session drops leftovers first).
func BuildIncrementality(ctx context.Context, c *sql.Conn, cfg *config.Config) (IncrementalityResult, error) {
	var res IncrementalityResult
	for _, st := range mmmCreate {
		if _, err := c.ExecContext(ctx, st.sql); err != nil {
			return res, fmt.Errorf("queries: incrementality: %s: %w", st.name, err)
		}
	}
	inc := cfg.Incrementality
	var d *mmmData
	if !cfg.IncrementalityOn() {
		d = &mmmData{why: "incrementality is switched off (incrementality.enabled: false)"}
	} else {
		var err error
		if d, err = loadMMMData(ctx, c, cfg); err != nil {
			return res, err
		}
	}
	w := &mmmWriter{budgetWeeks: inc.BudgetWeeks}
	var all *mmm.Fit
	if d.why != "" {
		status := "not fitted"
		if !cfg.IncrementalityOn() {
			status = "disabled"
		}
		res.Note = status + ": " + d.why
		w.fitRow(AllTypes, status, d, nil, []string{d.why}, *inc.Seed)
		for _, ch := range d.channels {
			w.channelRow(AllTypes, d, ch.Name, nil, status+": "+d.why)
		}
	} else {
		var err error
		if all, err = fitIncrementality(ctx, d, inc, w, &res); err != nil {
			return res, err
		}
	}
	w.budget(d, all, *cfg.Evaluation.BudgetMinFactor, *cfg.Evaluation.BudgetMaxFactor, cfg.Currency)
	if err := w.flush(ctx, c); err != nil {
		return res, err
	}
	for _, st := range incrementalityTables {
		if _, err := c.ExecContext(ctx, st.sql); err != nil {
			return res, fmt.Errorf("queries: %s: %w", st.name, err)
		}
	}
	return res, buildModelAccuracy(ctx, c, cfg)
}

// fitIncrementality fits a model per conversion type of d into w, counting
// the fits and noting their times in res; a failed fit gets rows saying
// why. It returns the fit of all types (nil if it failed).
func fitIncrementality(ctx context.Context, d *mmmData, inc config.Incrementality, w *mmmWriter, res *IncrementalityResult) (*mmm.Fit, error) {
	var all *mmm.Fit
	var times []string // per fit, for the step's note
	for _, typ := range d.types {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("queries: incrementality: %w", err)
		}
		start := time.Now()
		in, warns := d.input(typ)
		fit, err := mmm.FitModel(ctx, in, mmm.Options{
			Seed: *inc.Seed, Bootstrap: inc.Bootstrap, Holdouts: inc.Holdouts,
			HoldoutPeriods: d.holdoutPeriods(inc.HoldoutWeeks),
		})
		if err != nil {
			if ctx.Err() != nil {
				return nil, fmt.Errorf("queries: incrementality %s: %w", typ, ctx.Err())
			}
			w.fitRow(typ, "failed", d, nil, append(warns, err.Error()), *inc.Seed)
			for _, ch := range d.channels {
				w.channelRow(typ, d, ch.Name, nil, "not fitted: "+err.Error())
			}
			continue
		}
		res.Fitted++
		times = append(times, fmt.Sprintf("%s %.1fs", typ, time.Since(start).Seconds()))
		w.fitRow(typ, "fitted", d, fit, append(warns, fit.Warnings...), *inc.Seed)
		w.fitted(typ, d, fit)
		if typ == AllTypes {
			all = fit
		}
	}
	res.Note = fmt.Sprintf("%d of %d fits, %s grain, %d periods: %s", res.Fitted, len(d.types), d.grain, d.periods, strings.Join(times, ", "))
	return all, nil
}

// buildModelAccuracy scores the models against the demo's truth files
// named in the evaluation section, if any.
func buildModelAccuracy(ctx context.Context, c *sql.Conn, cfg *config.Config) error {
	for _, t := range []struct{ file, label, column string }{
		{cfg.Evaluation.TruthFile, "earliest_cause", "true_share"},
		{cfg.Evaluation.IncrementalTruthFile, "counterfactual", "true_incremental_conversions"},
	} {
		path := cfg.Resolve(t.file)
		if path == "" {
			continue
		}
		if _, err := c.ExecContext(ctx, sqlModelAccuracyCreate); err != nil {
			return fmt.Errorf("queries: model_accuracy: %w", err)
		}
		q := render(tmplModelAccuracyScores, struct{ Column string }{t.column})
		if _, err := c.ExecContext(ctx, q, t.label, path); err != nil {
			return fmt.Errorf("queries: model_accuracy (%s) from %s: %w", t.label, path, err)
		}
	}
	return nil
}

// loadMMMData reads spend, outcomes and experiments and decides the grain
// and window, or says in why that no model can be fitted.
func loadMMMData(ctx context.Context, c *sql.Conn, cfg *config.Config) (*mmmData, error) {
	inc := cfg.Incrementality
	d := &mmmData{groups: map[string]string{}, outcomes: map[string]*[2][]float64{}, current: map[string]float64{}, positive: map[string]float64{}}
	var sFirst, sLast, cFirst, cLast sql.NullTime
	var sDays, sWeekdays int
	if err := c.QueryRowContext(ctx, sqlMMMWindow).Scan(&sFirst, &sLast, &sDays, &sWeekdays, &cFirst, &cLast); err != nil {
		return nil, fmt.Errorf("queries: incrementality window: %w", err)
	}
	switch {
	case !sFirst.Valid:
		d.why = "no spend is loaded: the model measures channels with spend"
		return d, nil
	case !cFirst.Valid:
		d.why = "no conversions are loaded"
		return d, nil
	}
	d.grain = mmm.Day
	if inc.Grain == "week" || (inc.Grain == "auto" && sWeekdays == 1) {
		d.grain = mmm.Week
	}
	d.setWindow(sFirst.Time, sLast.Time, cFirst.Time, cLast.Time)
	days := int(d.end.Sub(d.start).Hours()/24+0.5) + 1
	if days < 7*inc.MinHistoryWeeks {
		d.why = fmt.Sprintf("needs %d weeks of spend and conversions, the data has %.1f weeks (%s to %s). Set incrementality.min_history_weeks to fit on less, at your own risk",
			inc.MinHistoryWeeks, float64(max(days, 0))/7, d.start.Format(time.DateOnly), d.end.Format(time.DateOnly))
		// Every channel with spend still gets rows saying why, and the
		// budget shows the spend of its last weeks.
		d.spendLast = sLast.Time
		return d, d.readSpend(ctx, c, sFirst.Time, sLast.Time)
	}
	d.periods = days
	if d.grain == mmm.Week {
		d.periods = days / 7
	}
	if err := d.readSpend(ctx, c, d.start, d.end); err != nil {
		return nil, err
	}
	if err := d.readOutcomes(ctx, c); err != nil {
		return nil, err
	}
	if err := d.readExperiments(ctx, c); err != nil {
		return nil, err
	}
	d.holidays = d.holidayPeriods(inc.Holidays)
	d.setBudgetWindow(inc.BudgetWeeks)
	return d, nil
}

// setWindow sets the model's window: the days both spend (sFirst..sLast)
// and conversions (cFirst..cLast) cover, at weekly grain whole
// Monday-to-Sunday weeks only.
func (d *mmmData) setWindow(sFirst, sLast, cFirst, cLast time.Time) {
	d.start, d.end = later(sFirst, cFirst), earlier(sLast, cLast)
	if d.grain == mmm.Week {
		// Whole Monday-to-Sunday weeks only: a week's spend may be dated on
		// any of its days, and a week the conversions cover in part would
		// look like a drop.
		d.start = later(monday(sFirst), cFirst)
		if m := monday(d.start); m.Before(d.start) {
			d.start = m.AddDate(0, 0, 7)
		}
		d.end = earlier(monday(sLast).AddDate(0, 0, 6), cLast)
		if sunday := monday(d.end).AddDate(0, 0, 6); sunday.After(d.end) {
			d.end = monday(d.end).AddDate(0, 0, -1)
		}
	}
}

// setBudgetWindow sets the budget window (the last budgetWeeks weeks) and
// each channel's mean spend per period over it and over its periods with
// spend.
func (d *mmmData) setBudgetWindow(budgetWeeks int) {
	budget := budgetWeeks * 7
	if d.grain == mmm.Week {
		budget = budgetWeeks
	}
	d.budgetFrom = max(0, d.periods-budget)
	for _, ch := range d.channels {
		var sum, pos float64
		var n int
		for t, s := range ch.Spend {
			if t >= d.budgetFrom {
				sum += s
			}
			if s > 0 {
				pos += s
				n++
			}
		}
		d.current[ch.Name] = sum / float64(d.periods-d.budgetFrom)
		if n > 0 {
			d.positive[ch.Name] = pos / float64(n)
		}
	}
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func earlier(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func monday(t time.Time) time.Time {
	wd := (int(t.Weekday()) + 6) % 7 // Monday = 0
	return t.AddDate(0, 0, -wd)
}

// period is the index of day t in the model's periods (may be out of range).
func (d *mmmData) period(t time.Time) int {
	days := int(t.Sub(d.start).Hours()/24 + 0.5)
	if t.Before(d.start) {
		days = -int(d.start.Sub(t).Hours()/24 + 0.5)
	}
	if d.grain == mmm.Week {
		if days < 0 {
			return (days - 6) / 7
		}
		return days / 7
	}
	return days
}

// periodStart is the first day of period i.
func (d *mmmData) periodStart(i int) time.Time {
	if d.grain == mmm.Week {
		return d.start.AddDate(0, 0, 7*i)
	}
	return d.start.AddDate(0, 0, i)
}

func (d *mmmData) holdoutPeriods(weeks int) int {
	if d.grain == mmm.Week {
		return weeks
	}
	return 7 * weeks
}

// readSpend reads the spend of every channel with spend from..to into
// periods of the model's window (none when the window has no periods).
func (d *mmmData) readSpend(ctx context.Context, c *sql.Conn, from, to time.Time) error {
	rows, err := c.QueryContext(ctx, sqlMMMSpend, from, to)
	if err != nil {
		return fmt.Errorf("queries: incrementality spend: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var ch, group string
		var day time.Time
		var s float64
		if err := rows.Scan(&ch, &group, &day, &s); err != nil {
			return fmt.Errorf("queries: incrementality spend: %w", err)
		}
		if n := len(d.channels); n == 0 || d.channels[n-1].Name != ch {
			d.channels = append(d.channels, mmm.Channel{Name: ch, Spend: make([]float64, d.periods)})
			d.groups[ch] = group
		}
		if p := d.period(day); p >= 0 && p < d.periods {
			d.channels[len(d.channels)-1].Spend[p] += s
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("queries: incrementality spend: %w", err)
	}
	return nil
}

func (d *mmmData) readOutcomes(ctx context.Context, c *sql.Conn) error {
	rows, err := c.QueryContext(ctx, sqlMMMOutcomes, d.start, d.end)
	if err != nil {
		return fmt.Errorf("queries: incrementality conversions: %w", err)
	}
	defer rows.Close()
	all := &[2][]float64{make([]float64, d.periods), make([]float64, d.periods)}
	for rows.Next() {
		var typ string
		var day time.Time
		var n, rev float64
		if err := rows.Scan(&typ, &day, &n, &rev); err != nil {
			return fmt.Errorf("queries: incrementality conversions: %w", err)
		}
		o := d.outcomes[typ]
		if o == nil {
			o = &[2][]float64{make([]float64, d.periods), make([]float64, d.periods)}
			d.outcomes[typ] = o
			d.types = append(d.types, typ)
		}
		if p := d.period(day); p >= 0 && p < d.periods {
			o[0][p] += n
			o[1][p] += rev
			all[0][p] += n
			all[1][p] += rev
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("queries: incrementality conversions: %w", err)
	}
	sort.Strings(d.types)
	d.outcomes[AllTypes] = all
	d.types = append(d.types, AllTypes)
	return nil
}

func (d *mmmData) readExperiments(ctx context.Context, c *sql.Conn) error {
	rows, err := c.QueryContext(ctx, sqlMMMExperiments)
	if err != nil {
		return fmt.Errorf("queries: incrementality experiments: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var e experimentRow
		if err := rows.Scan(&e.id, &e.channel, &e.ctype, &e.start, &e.end, &e.lift, &e.se, &e.design); err != nil {
			return fmt.Errorf("queries: incrementality experiments: %w", err)
		}
		if e.ctype == "" {
			e.ctype = AllTypes
		}
		d.exps = append(d.exps, e)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("queries: incrementality experiments: %w", err)
	}
	return nil
}

func (d *mmmData) holidayPeriods(hs []config.Holiday) []mmm.Holiday {
	byName := map[string][]int{}
	var names []string
	for _, h := range hs {
		s, err1 := time.Parse(time.DateOnly, h.Start)
		e, err2 := time.Parse(time.DateOnly, h.End)
		if err1 != nil || err2 != nil { // config validation refuses these
			continue
		}
		if _, ok := byName[h.Name]; !ok {
			names = append(names, h.Name)
		}
		for t := s; !t.After(e); t = t.AddDate(0, 0, 1) {
			if p := d.period(t); p >= 0 && p < d.periods && !slices.Contains(byName[h.Name], p) {
				byName[h.Name] = append(byName[h.Name], p)
			}
		}
	}
	var out []mmm.Holiday
	for _, n := range names {
		if len(byName[n]) > 0 {
			out = append(out, mmm.Holiday{Name: n, Periods: byName[n]})
		}
	}
	return out
}

// input is the model input of one fit, with warnings about experiments
// that cannot apply to it.
func (d *mmmData) input(typ string) (mmm.Input, []string) {
	o := d.outcomes[typ]
	in := mmm.Input{Start: d.start, Grain: d.grain, Outcome: o[0], Revenue: o[1], Channels: d.channels, Holidays: d.holidays}
	var warns []string
	for _, e := range d.exps {
		if e.ctype != typ {
			if typ == AllTypes && d.outcomes[e.ctype] == nil {
				warns = append(warns, fmt.Sprintf("experiment %s: conversion type %q has no conversions in the window; not used", e.label(), e.ctype))
			}
			continue
		}
		name := e.channel
		if !slices.ContainsFunc(d.channels, func(c mmm.Channel) bool { return c.Name == name }) {
			for _, c := range d.channels {
				if strings.EqualFold(c.Name, name) {
					name = c.Name
				}
			}
		}
		x := mmm.Experiment{ID: e.label(), Channel: name, From: d.period(e.start), To: d.period(e.end), Lift: e.lift, SE: e.se}
		if strings.Contains(strings.ReplaceAll(e.design, "_", "-"), "dark") {
			x.GoDarkLevel = d.levelBefore(name, x.From, x.To-x.From+1)
			if x.GoDarkLevel == 0 {
				warns = append(warns, fmt.Sprintf("experiment %s: go-dark test of %s without spend before it; read as a test at the spend it had", e.label(), e.channel))
			}
		}
		in.Experiments = append(in.Experiments, x)
	}
	return in, warns
}

func (e experimentRow) label() string {
	if e.id != "" {
		return e.id
	}
	return fmt.Sprintf("%s %s..%s", e.channel, e.start.Format(time.DateOnly), e.end.Format(time.DateOnly))
}

// levelBefore is the channel's mean spend per period over the n periods
// before period from (the spend a go-dark test switched off).
func (d *mmmData) levelBefore(channel string, from, n int) float64 {
	for _, c := range d.channels {
		if c.Name != channel {
			continue
		}
		var sum float64
		var k int
		for t := max(0, from-n); t < min(from, d.periods); t++ {
			sum += c.Spend[t]
			k++
		}
		if k == 0 {
			return 0
		}
		return sum / float64(k)
	}
	return 0
}

// mmmWriter collects the rows of the incrementality tables.
type mmmWriter struct {
	budgetWeeks                             int
	fits, channels, series, curves, budgets [][]driver.Value
}

func nullFloat(ok bool, v float64) driver.Value {
	if !ok {
		return nil
	}
	return v
}

func (w *mmmWriter) fitRow(typ, status string, d *mmmData, f *mmm.Fit, warns []string, seed uint64) {
	var ws, we driver.Value
	if !d.start.IsZero() {
		ws, we = d.start, d.end
	}
	// Warnings are '; '-separated: a message's own semicolons become commas.
	clean := make([]string, len(warns))
	for i, w := range warns {
		clean[i] = strings.ReplaceAll(w, "; ", ", ")
	}
	row := []driver.Value{typ, status, nil, nil, ws, we, nil, nil, nil, nil, nil, nil, seed, strings.Join(clean, "; "), nil, nil, nil}
	if f != nil {
		used := 0
		for _, e := range f.Experiments {
			if e.Used {
				used++
			}
		}
		var obs, fitted, base float64
		for t := range f.Fitted {
			obs += d.outcomes[typ][0][t]
			fitted += f.Fitted[t]
			base += f.Baseline[t]
		}
		row[2], row[3] = string(f.Grain), int32(f.Periods)
		row[6], row[7], row[8], row[9] = finite(f.R2), finite(f.NRMSE), finite(f.HoldoutMAPE), finite(f.BaselineShare)
		row[10], row[11] = int32(used), finite(f.ExperimentFit)
		row[14], row[15], row[16] = obs, fitted, base
	}
	w.fits = append(w.fits, row)
}

func finite(v float64) driver.Value {
	if v != v || v > 1e300 || v < -1e300 {
		return nil
	}
	return v
}

// channelRow adds a channel's measured effect (cf nil: not measured, with why).
func (w *mmmWriter) channelRow(typ string, d *mmmData, ch string, cf *mmm.ChannelFit, method string) {
	if d.start.IsZero() { // no window: nothing to report the channel over
		return
	}
	row := []driver.Value{typ, ch, d.start, d.end, nil, nil, nil, nil, nil, nil, d.current[ch], nil, method, nil, nil, nil}
	if cf != nil {
		row[4], row[5], row[6] = cf.Total, cf.TotalLow, cf.TotalHigh
		row[7], row[8], row[9] = cf.Revenue, cf.RevenueLow, cf.RevenueHigh
		row[11] = finite(cf.RevenueMarginal(d.current[ch]))
		row[13], row[14], row[15] = cf.Decay, cf.HalfSat, cf.Shape
	}
	w.channels = append(w.channels, row)
}

// fitted adds the rows of one successful fit.
func (w *mmmWriter) fitted(typ string, d *mmmData, f *mmm.Fit) {
	for t := range f.Periods {
		w.series = append(w.series, []driver.Value{d.periodStart(t), typ, "(baseline)", nil, f.Baseline[t],
			at(f.BaselineLow, t), at(f.BaselineHigh, t)})
	}
	for i := range f.Channels {
		cf := &f.Channels[i]
		if !cf.Identified {
			w.channelRow(typ, d, cf.Name, nil, "not identified: "+cf.Why)
			continue
		}
		method := "mmm"
		if cf.Calibrated {
			method = "mmm+experiments"
		}
		w.channelRow(typ, d, cf.Name, cf, method)
		spend := d.channels[i].Spend
		for t := range f.Periods {
			w.series = append(w.series, []driver.Value{d.periodStart(t), typ, cf.Name, spend[t], cf.Contribution[t],
				at(cf.ContributionLow, t), at(cf.ContributionHigh, t)})
		}
		ref, cur := d.current[cf.Name], d.current[cf.Name]
		if ref <= 0 {
			ref = d.positive[cf.Name]
		}
		const levels = 30 // 0 to 3x current spend in steps of a tenth
		for k := 0; k <= levels; k++ {
			s := ref * float64(k) / 10
			isCur := (cur > 0 && k == 10) || (cur <= 0 && k == 0)
			w.curves = append(w.curves, []driver.Value{typ, cf.Name, s, cf.Response(s), cf.RevenueResponse(s),
				finite(cf.RevenueMarginal(s)), isCur})
		}
	}
}

func at(xs []float64, i int) driver.Value {
	if i < len(xs) {
		return xs[i]
	}
	return nil
}

func (w *mmmWriter) flush(ctx context.Context, c *sql.Conn) error {
	return c.Raw(func(dc any) error {
		conn, ok := dc.(driver.Conn)
		if !ok {
			return errors.New("queries: incrementality: not a DuckDB connection")
		}
		for _, t := range []struct {
			schema, table string
			rows          [][]driver.Value
		}{
			{"", "_next_mmm_fit", w.fits},
			{"temp", "mmm_channels", w.channels},
			{"", "_next_incrementality_timeseries", w.series},
			{"", "_next_response_curves", w.curves},
			{"temp", "mmm_budget", w.budgets},
		} {
			if err := ctx.Err(); err != nil {
				return err
			}
			app, err := duckdb.NewAppender(conn, t.schema, "main", t.table)
			if err != nil {
				return fmt.Errorf("queries: incrementality %s: %w", t.table, err)
			}
			for _, r := range t.rows {
				if err := app.AppendRow(r...); err != nil {
					_ = app.Close()
					return fmt.Errorf("queries: incrementality %s: %w", t.table, err)
				}
			}
			if err := app.Close(); err != nil {
				return fmt.Errorf("queries: incrementality %s: %w", t.table, err)
			}
		}
		return nil
	})
}
