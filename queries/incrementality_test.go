package queries_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestIncrementalityTooShort: the golden data has spend from 2024-01-05 to 2024-01-25 and conversions
// from 2024-01-10 to 2024-03-02, so the model's window is 2024-01-10..2024-01-25, 16 days: far from
// the 52 weeks a fit needs. mmm_fit says so; both spend channels are listed as not fitted (Display had
// no spend inside the window: spend 0); Paid Search has 2 attributed conversions in the window
// (A on 01-10 and B on 01-15, both last_non_direct to Paid Search). The budget holds both channels
// at the spend of the 13 weeks up to the last day with spend (2023-10-27..2024-01-25): Paid Search
// 140 + 20, Display 200 (EUR 160 at 1.25).
func TestIncrementalityTooShort(t *testing.T) {
	t.Parallel()
	c := evalRun(t, goldenYAML, goldenData()...)
	expectRows(t, c, `SELECT conversion_type, status, grain, window_start, window_end, starts_with(warnings, 'needs 52 weeks'),
			contains(warnings, '2.3 weeks') FROM mmm_fit`, [][]any{
		{"(all)", "not fitted", nil, "2024-01-10 00:00", "2024-01-25 00:00", true, true},
	})
	expectRows(t, c, `SELECT channel, spend, incremental_conversions, attributed_conversions, incrementality_factor,
			starts_with(method, 'not fitted: needs 52 weeks') FROM channel_incrementality WHERE attributed_conversions > 0 OR spend > 0 OR method LIKE 'not%' ORDER BY channel`, [][]any{
		{"Display", 0.0, nil, 0.0, nil, true},
		{"Paid Search", 20.0, nil, 2.0, nil, true},
	})
	expectRows(t, c, `SELECT channel, period_start, period_end, spend, recommended_spend, change, change_factor, basis, action,
			reason = 'Held: no media mix model was fitted (see mmm_fit.warnings)' FROM budget_recommendations ORDER BY channel`, [][]any{
		{"Display", "2023-10-27 00:00", "2024-01-25 00:00", 200.0, 200.0, 0.0, 1.0, "held", "hold", true},
		{"Paid Search", "2023-10-27 00:00", "2024-01-25 00:00", 160.0, 160.0, 0.0, 1.0, "held", "hold", true},
	})
	expectRows(t, c, `SELECT count(*) FROM incrementality_timeseries UNION ALL SELECT count(*) FROM response_curves`, [][]any{{0.0}, {0.0}})
}

// TestIncrementalityDisabled: incrementality.enabled false writes one mmm_fit row saying so and holds
// the budget.
func TestIncrementalityDisabled(t *testing.T) {
	t.Parallel()
	c := evalRun(t, goldenYAML+"incrementality: {enabled: false}\n", goldenData()...)
	expectRows(t, c, `SELECT conversion_type, status, warnings FROM mmm_fit`, [][]any{
		{"(all)", "disabled", "incrementality is switched off (incrementality.enabled: false)"},
	})
	expectRows(t, c, `SELECT count(*), count(*) FILTER (WHERE basis = 'held') FROM budget_recommendations`, [][]any{{0.0, 0.0}})
}

// mmmTruth is the simulated market of TestIncrementalityRecovery: two years of daily data, three spend
// channels with known adstock (normalised geometric, started at 0), Hill saturation and effect, and a
// baseline with a weekly pattern.
type mmmTruth struct {
	days     int
	start    time.Time
	spend    map[string][]float64
	contrib  map[string][]float64 // true contribution per day (conversions of both types)
	baseline []float64
}

var mmmChannels = []struct {
	name                  string
	decay, shape, k, beta float64
}{
	{"TV", 0.6, 1.0, 4000, 14},   // flights of four weeks on, four off
	{"Search", 0.1, 1.0, 800, 9}, // always on, varying weekly, dark for two weeks twice
	{"Outdoor", 0.3, 1.0, 2000, 0},
}

func simulateMarket(seed uint64) mmmTruth {
	r := rand.New(rand.NewPCG(seed, 7))
	m := mmmTruth{days: 731, start: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), spend: map[string][]float64{}, contrib: map[string][]float64{}}
	m.baseline = make([]float64, m.days)
	for d := range m.days {
		m.baseline[d] = 30 + 5*math.Sin(2*math.Pi*float64(d)/365.25)
		if wd := m.start.AddDate(0, 0, d).Weekday(); wd == time.Saturday || wd == time.Sunday {
			m.baseline[d] -= 8
		}
	}
	for _, ch := range mmmChannels {
		s := make([]float64, m.days)
		weekLevel := 0.0
		for d := range s {
			if d%7 == 0 {
				weekLevel = 0.4 + 1.2*r.Float64()
			}
			switch ch.name {
			case "TV":
				if (d/28)%2 == 0 {
					s[d] = 5000 * weekLevel
				}
			case "Search":
				if !(d >= 200 && d < 214) && !(d >= 500 && d < 514) {
					s[d] = 1000 * weekLevel
				}
			case "Outdoor":
				if (d/21)%3 == 1 {
					s[d] = 2500 * weekLevel
				}
			}
			s[d] = math.Round(s[d]*100) / 100
		}
		m.spend[ch.name] = s
		c := make([]float64, m.days)
		a := 0.0
		for d := range s {
			a = ch.decay*a + (1-ch.decay)*s[d]
			if a > 0 {
				c[d] = ch.beta * math.Pow(a, ch.shape) / (math.Pow(a, ch.shape) + math.Pow(ch.k, ch.shape))
			}
		}
		m.contrib[ch.name] = c
	}
	return m
}

// writeMarket writes the spend and the conversions (Poisson around baseline + contributions; each
// conversion is account_opened with probability 0.6, revenue 100, else card_activated, revenue 40)
// as CSV files and returns the setup statements that load them.
func writeMarket(t *testing.T, m mmmTruth, seed uint64) []stmt {
	t.Helper()
	dir := t.TempDir()
	r := rand.New(rand.NewPCG(seed, 11))
	var sp, cv strings.Builder
	sp.WriteString("date,channel,spend\n")
	cv.WriteString("id,ts,typ,revenue\n")
	n := 0
	for d := range m.days {
		day := m.start.AddDate(0, 0, d)
		mu := m.baseline[d]
		for _, ch := range mmmChannels {
			if s := m.spend[ch.name][d]; s > 0 {
				fmt.Fprintf(&sp, "%s,%s,%.2f\n", day.Format(time.DateOnly), ch.name, s)
			}
			mu += m.contrib[ch.name][d]
		}
		for range poissonDraw(r, mu) {
			typ, rev := "account_opened", 100
			if r.Float64() >= 0.6 {
				typ, rev = "card_activated", 40
			}
			fmt.Fprintf(&cv, "c%d,%s,%s,%d\n", n, day.Add(time.Duration(r.IntN(86400))*time.Second).Format(time.RFC3339), typ, rev)
			n++
		}
	}
	spFile, cvFile := filepath.Join(dir, "spend.csv"), filepath.Join(dir, "conversions.csv")
	if err := os.WriteFile(spFile, []byte(sp.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cvFile, []byte(cv.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return []stmt{
		{`INSERT INTO spend (spend_id, date, channel, spend, currency, spend_original, source_name, load_id)
			SELECT channel || date, date, channel, spend, 'USD', spend, 'test', 'l' FROM read_csv(?, types = {'date': 'DATE', 'spend': 'DECIMAL(18,4)'})`, []any{spFile}},
		{`INSERT INTO conversions (conversion_id, occurred_at, customer_id, conversion_type, revenue, currency, revenue_original, source_name, load_id)
			SELECT id, ts::TIMESTAMPTZ, id, typ, revenue, 'USD', revenue, 'test', 'l' FROM read_csv(?, all_varchar = true)`, []any{cvFile}},
	}
}

func poissonDraw(r *rand.Rand, mu float64) int {
	// Sum of two halves keeps exp(-mu) away from underflow for the means used here.
	n := 0
	for range 2 {
		l, p := math.Exp(-mu/2), 1.0
		for {
			p *= r.Float64()
			if p <= l {
				break
			}
			n++
		}
	}
	return n
}

func sum(xs []float64, from, to int) float64 {
	var s float64
	for _, x := range xs[from:to] {
		s += x
	}
	return s
}

// TestIncrementalityRecovery fits the model on a simulated market with known effects and checks the
// tables against the simulation: the window and grain, the spend per day in incrementality_timeseries
// (exactly the simulated spend), the contributions adding up to the fitted series, TV's and Search's
// incremental conversions near their true totals, Outdoor's near zero, the ratios, the response curve
// at current spend, and a budget that keeps the total and moves within the bounds.
func TestIncrementalityRecovery(t *testing.T) {
	t.Parallel()
	m := simulateMarket(3)
	c := evalRun(t, goldenYAML, writeMarket(t, m, 3)...)
	expectRows(t, c, `SELECT conversion_type, status, grain, periods, window_start, window_end, warnings
		FROM mmm_fit ORDER BY conversion_type`, [][]any{
		{"(all)", "fitted", "day", 731.0, "2024-01-01 00:00", "2025-12-31 00:00", ""},
		{"account_opened", "fitted", "day", 731.0, "2024-01-01 00:00", "2025-12-31 00:00", ""},
		{"card_activated", "fitted", "day", 731.0, "2024-01-01 00:00", "2025-12-31 00:00", ""},
	})
	// Spend in the time series is the simulated spend, day by day.
	for _, ch := range mmmChannels {
		got := query(t, c, `SELECT sum(spend), count(*) FILTER (WHERE spend > 0), min(period_start), max(period_start)
			FROM incrementality_timeseries WHERE conversion_type = '(all)' AND channel = ?`, ch.name)
		want := sum(m.spend[ch.name], 0, m.days)
		if g := norm(got[0][0]).(float64); math.Abs(g-want) > 0.01 {
			t.Errorf("%s: time series spend %v, want %v", ch.name, g, want)
		}
		first := query(t, c, `SELECT spend FROM incrementality_timeseries WHERE conversion_type = '(all)' AND channel = ? AND period_start = DATE '2024-07-19'`, ch.name)
		if g, w := norm(first[0][0]).(float64), m.spend[ch.name][200]; math.Abs(g-w) > 0.005 {
			t.Errorf("%s: spend on day 200 (2024-07-19) %v, want %v", ch.name, g, w)
		}
	}
	// The contributions and the baseline add up to the fitted series.
	expectRows(t, c, `SELECT count(*) FROM (
			SELECT conversion_type, sum(contribution) AS s FROM incrementality_timeseries GROUP BY ALL) x
		JOIN mmm_fit f USING (conversion_type) WHERE abs(x.s - f.fitted) > 1e-6 * f.fitted`, [][]any{{0.0}})
	// Effects near the truth.
	for _, ch := range mmmChannels {
		truth := sum(m.contrib[ch.name], 0, m.days)
		row := query(t, c, `SELECT incremental_conversions, incremental_conversions_low, incremental_conversions_high,
				spend::DOUBLE, cost_per_incremental_conversion, incremental_revenue, iroas, method
			FROM channel_incrementality WHERE conversion_type = '(all)' AND channel = ?`, ch.name)
		if len(row) != 1 {
			t.Fatalf("%s: %d rows", ch.name, len(row))
		}
		inc, lo, hi := norm(row[0][0]).(float64), norm(row[0][1]).(float64), norm(row[0][2]).(float64)
		spend := norm(row[0][3]).(float64)
		t.Logf("%s: true %.0f, fitted %.0f [%.0f, %.0f]", ch.name, truth, inc, lo, hi)
		if ch.beta > 0 && math.Abs(inc-truth) > 0.25*truth {
			t.Errorf("%s: incremental conversions %.0f, true %.0f (more than 25%% off)", ch.name, inc, truth)
		}
		if ch.beta == 0 && inc > 0.02*sum(m.baseline, 0, m.days) {
			t.Errorf("%s: no true effect, fitted %.0f", ch.name, inc)
		}
		if !(lo <= inc && inc <= hi) {
			t.Errorf("%s: point %v outside its interval [%v, %v]", ch.name, inc, lo, hi)
		}
		if math.Abs(spend-sum(m.spend[ch.name], 0, m.days)) > 0.01 {
			t.Errorf("%s: spend %v", ch.name, spend)
		}
		if inc > 0 && !same(row[0][4], spend/inc) {
			t.Errorf("%s: cost per incremental conversion %v, want %v", ch.name, norm(row[0][4]), spend/inc)
		}
		if !same(row[0][6], norm(row[0][5]).(float64)/spend) {
			t.Errorf("%s: iroas %v, want %v", ch.name, norm(row[0][6]), norm(row[0][5]).(float64)/spend)
		}
	}
	// Response curves: 31 levels from 0 to 3x the mean spend per day of the last 13 weeks (91 days).
	for _, ch := range mmmChannels {
		cur := sum(m.spend[ch.name], m.days-91, m.days) / 91
		rows := query(t, c, `SELECT period_spend, incremental_conversions, is_current FROM response_curves
			WHERE conversion_type = '(all)' AND channel = ? ORDER BY period_spend`, ch.name)
		if len(rows) != 31 {
			t.Fatalf("%s: %d curve levels", ch.name, len(rows))
		}
		prev := -1.0
		for i, r := range rows {
			s, y := norm(r[0]).(float64), norm(r[1]).(float64)
			if !same(s, cur*float64(i)/10) || y < prev-1e-12 || (r[2] == true) != (i == 10) {
				t.Errorf("%s level %d: spend %v (want %v), conversions %v after %v, current %v", ch.name, i, s, cur*float64(i)/10, y, prev, r[2])
			}
			prev = y
		}
	}
	// Budget: the total is kept to the cent, each move within 0.7x..1.3x, change_factor exact.
	expectRows(t, c, `SELECT sum(recommended_spend) = sum(round(spend, 2)), bool_and(change_factor BETWEEN 0.7 - 1e-9 AND 1.3 + 1e-9),
			bool_and(change_factor = recommended_spend::DOUBLE / spend::DOUBLE), bool_and(period_start = DATE '2025-10-02'),
			bool_and(basis = 'mmm'), count(*) FROM budget_recommendations`, [][]any{{true, true, true, true, true, 3.0}})
	// Outdoor adds nothing: cut to the lower bound.
	expectRows(t, c, `SELECT action, round(change_factor, 4) FROM budget_recommendations WHERE channel = 'Outdoor'`, [][]any{{"decrease", 0.7}})
}

// TestIncrementalityExperiments: the simulated market with three experiments loaded: a geo test of TV
// over 2025-03-10..2025-04-06 (days 434..461: two weeks dark, then a flight) whose lift is what TV's
// spend of those days truly added within them (the market with and without that spend), with a 10%
// standard error, a test of a channel without spend (Radio) and one before the
// data (2023). The first calibrates TV (method and basis mmm+experiments, the fit agrees with it); the
// other two are named in the warnings and not used.
func TestIncrementalityExperiments(t *testing.T) {
	t.Parallel()
	m := simulateMarket(3)
	lift := marketLift(m, "TV", 434, 461)
	setup := append(writeMarket(t, m, 3),
		experimentRow("tv-geo", "TV", "2025-03-10", "2025-04-06", lift, 0.1*lift, "geo"),
		experimentRow("radio", "Radio", "2025-03-10", "2025-04-06", 100, 10, "geo"),
		experimentRow("old", "Search", "2023-03-01", "2023-03-28", 100, 10, "holdout"))
	c := evalRun(t, goldenYAML, setup...)
	got := query(t, c, `SELECT experiments_used, experiment_fit, warnings FROM mmm_fit WHERE conversion_type = '(all)'`)
	if len(got) != 1 {
		t.Fatalf("mmm_fit (all): %d rows", len(got))
	}
	if !same(got[0][0], 1.0) || !same(got[0][1], 1.0) {
		t.Errorf("experiments used %v, fit %v; want 1 and 1", norm(got[0][0]), norm(got[0][1]))
	}
	warns := got[0][2].(string)
	for _, want := range []string{"radio", "old"} {
		if !strings.Contains(warns, want) {
			t.Errorf("warnings %q do not name experiment %q", warns, want)
		}
	}
	expectRows(t, c, `SELECT channel, method FROM channel_incrementality WHERE conversion_type = '(all)' ORDER BY channel`, [][]any{
		{"Outdoor", "mmm"}, {"Search", "mmm"}, {"TV", "mmm+experiments"},
	})
	expectRows(t, c, `SELECT basis FROM budget_recommendations WHERE channel = 'TV'`, [][]any{{"mmm+experiments"}})
	// The per-type fits have no experiment of their own type.
	expectRows(t, c, `SELECT conversion_type, experiments_used, experiment_fit FROM mmm_fit WHERE conversion_type <> '(all)' ORDER BY 1`, [][]any{
		{"account_opened", 0.0, nil}, {"card_activated", 0.0, nil},
	})
}

func experimentRow(id, channel, from, to string, lift, se float64, design string) stmt {
	return stmt{`INSERT INTO experiments (experiment_id, channel, start_date, end_date, incremental_conversions, standard_error, design, source_name, load_id)
		VALUES (?, ?, ?::DATE, ?::DATE, ?, ?, ?, 'test', 'l')`, []any{id, channel, from, to, lift, se, design}}
}

// marketLift is what channel ch's spend on days from..to adds within those days: its contribution
// against the same market with that spend switched off.
func marketLift(m mmmTruth, ch string, from, to int) float64 {
	for _, c := range mmmChannels {
		if c.name != ch {
			continue
		}
		var lift, on, off float64
		for d, s := range m.spend[ch] {
			x := s
			if d >= from && d <= to {
				x = 0
			}
			on = c.decay*on + (1-c.decay)*s
			off = c.decay*off + (1-c.decay)*x
			if d >= from && d <= to {
				lift += c.beta * (on/(on+c.k) - off/(off+c.k))
			}
		}
		return lift
	}
	panic(ch)
}

// TestIncrementalityWeekly: the simulated market with its spend booked weekly, on each week's Monday
// (the week's total), is fitted at weekly grain (grain auto: every spend row on one weekday). The
// conversions run from Monday 2024-01-01 to Wednesday 2025-12-31, so the window is the 104 whole weeks
// 2024-01-01..2025-12-28 and the three days of the last, partial week are left out. The time series
// carries each week's spend on its Monday.
func TestIncrementalityWeekly(t *testing.T) {
	t.Parallel()
	m := simulateMarket(5)
	setup := writeMarket(t, m, 5)[1:] // the conversions only
	var weekly []stmt
	for _, ch := range mmmChannels {
		for w := 0; w*7 < m.days; w++ {
			s := sum(m.spend[ch.name], w*7, min(w*7+7, m.days))
			if s > 0 {
				weekly = append(weekly, spendRow(fmt.Sprintf("w%s%d", ch.name, w), m.start.AddDate(0, 0, 7*w).Format(time.DateOnly), ch.name, s))
			}
		}
	}
	c := evalRun(t, goldenYAML, append(setup, weekly...)...)
	expectRows(t, c, `SELECT conversion_type, status, grain, periods, window_start, window_end FROM mmm_fit WHERE conversion_type = '(all)'`, [][]any{
		{"(all)", "fitted", "week", 104.0, "2024-01-01 00:00", "2025-12-28 00:00"},
	})
	got := query(t, c, `SELECT sum(spend) FROM incrementality_timeseries WHERE conversion_type = '(all)' AND channel = 'TV' AND period_start = DATE '2024-01-08'`)
	if w := sum(m.spend["TV"], 7, 14); !same(got[0][0], w) {
		t.Errorf("TV's spend in the week of 2024-01-08: %v, want %v", norm(got[0][0]), w)
	}
	expectRows(t, c, `SELECT count(DISTINCT period_start), bool_and(dayofweek(period_start) = 1) FROM incrementality_timeseries WHERE conversion_type = '(all)'`,
		[][]any{{104.0, true}})
}
