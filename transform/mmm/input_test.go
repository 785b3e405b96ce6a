package mmm

import (
	"context"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
)

// smallSim is two years daily with a flighted and an always-on channel.
func smallSim(seed uint64) simResult {
	return simulate(seed, simSpec{
		grain: Day, periods: 730, base: 400, noise: 15,
		channels: []simChannel{
			{name: "search", kind: "flight", level: 1000, decay: 0.3, shape: 1, halfSat: 800, beta: 100},
			{name: "display", kind: "always", level: 500, decay: 0.2, shape: 1, halfSat: 400, beta: 60},
		},
	})
}

func TestInputErrors(t *testing.T) {
	t.Parallel()
	ok := smallSim(1).in
	month := ok
	month.Outcome = ok.Outcome[:30]
	month.Channels = []Channel{{Name: "search", Spend: ok.Channels[0].Spend[:30]}}
	bad := func(mod func(in *Input)) Input {
		in := ok
		in.Channels = append([]Channel(nil), ok.Channels...)
		mod(&in)
		return in
	}
	cases := []struct {
		name string
		in   Input
		o    Options
		want string
	}{
		{"one month", month, Options{}, "too few"},
		{"spend length", bad(func(in *Input) { in.Channels[0].Spend = in.Channels[0].Spend[:100] }), Options{}, "spend has 100 periods"},
		{"revenue length", bad(func(in *Input) { in.Revenue = make([]float64, 5) }), Options{}, "revenue has 5 periods"},
		{"negative spend", bad(func(in *Input) {
			s := append([]float64(nil), in.Channels[1].Spend...)
			s[7] = -1
			in.Channels[1].Spend = s
		}), Options{}, "spend[7] is -1"},
		{"NaN outcome", bad(func(in *Input) {
			y := append([]float64(nil), in.Outcome...)
			y[3] = math.NaN()
			in.Outcome = y
		}), Options{}, "outcome[3] is NaN"},
		{"negative outcome", bad(func(in *Input) {
			y := append([]float64(nil), in.Outcome...)
			y[4] = -2
			in.Outcome = y
		}), Options{}, "outcome[4] is -2"},
		{"two channels one name", bad(func(in *Input) { in.Channels[1].Name = "search" }), Options{}, "appears twice"},
		{"grain", bad(func(in *Input) { in.Grain = "month" }), Options{}, "grain"},
		{"interval", ok, Options{Interval: 1.5}, "interval"},
		{"no periods", Input{Grain: Day}, Options{}, "no periods"},
	}
	for _, c := range cases {
		_, err := FitModel(context.Background(), c.in, c.o)
		if err == nil || !strings.HasPrefix(err.Error(), "mmm: fit: ") || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want one containing %q", c.name, err, c.want)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := FitModel(ctx, ok, Options{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: err = %v", err)
	}
}

func TestUnidentifiedChannels(t *testing.T) {
	t.Parallel()
	sim := smallSim(2)
	in := sim.in
	T := len(in.Outcome)
	constant := make([]float64, T)
	few := make([]float64, T)
	for i := range constant {
		constant[i] = 300
	}
	for _, i := range []int{10, 200, 300, 400, 500} {
		few[i] = 1000
	}
	in.Channels = append(in.Channels,
		Channel{Name: "radio", Spend: constant},
		Channel{Name: "events", Spend: few},
		Channel{Name: "print", Spend: make([]float64, T)})
	fit := fitOrFail(t, in, Options{Seed: 3, Bootstrap: 40})
	wantWhy := map[string]string{
		"radio":  "spend is constant: it cannot be told apart from the baseline",
		"events": "spend in only 5 periods; needs 8",
		"print":  "no spend in the fitted periods",
	}
	for _, c := range fit.Channels[2:] {
		if c.Identified || c.Why != wantWhy[c.Name] {
			t.Errorf("%s: identified %v, why %q", c.Name, c.Identified, c.Why)
		}
		if c.Total != 0 || c.TotalHigh != 0 || c.Beta != 0 || c.Response(300) != 0 || c.Marginal(300) != 0 {
			t.Errorf("%s: total %g [%g], beta %g", c.Name, c.Total, c.TotalHigh, c.Beta)
		}
		if len(c.Contribution) != T || sum(c.Contribution) != 0 || len(c.BetaDraws) != 40 {
			t.Errorf("%s: contribution %d periods, sum %g, %d draws", c.Name, len(c.Contribution), sum(c.Contribution), len(c.BetaDraws))
		}
		found := false
		for _, w := range fit.Warnings {
			found = found || strings.Contains(w, c.Name) && strings.Contains(w, wantWhy[c.Name])
		}
		if !found {
			t.Errorf("%s: no warning in %q", c.Name, fit.Warnings)
		}
	}
	// The other channels are still measured.
	for i, c := range fit.Channels[:2] {
		if !c.Identified || relErr(c.Total, sim.truth[i]) > 0.2 {
			t.Errorf("%s: %g, truth %g", c.Name, c.Total, sim.truth[i])
		}
	}
}

// A constant-spend channel with a lift test is fitted from the test alone.
// Its true curve is the assumed one (shape 1, half-saturation at its mean
// spend, decay 0.45 = half the daily upper bound), so the closed form
// holds: each period adds 40 * 300/(300+300) = 20. A 14-day geo test
// switching it off measures what the window's spend added inside the
// window: on day k of the window the adstock left is 300 * 0.45^k, so the
// lift is sum over k = 1..14 of 40 * (0.5 - H(300 * 0.45^k)), and Beta =
// lift / S with S = sum of (0.5 - H(300 * 0.45^k)) = 40.
func TestExperimentOnlyChannel(t *testing.T) {
	t.Parallel()
	sim := smallSim(3)
	in := sim.in
	T := len(in.Outcome)
	radio := make([]float64, T)
	y := append([]float64(nil), in.Outcome...)
	for i := range radio {
		radio[i] = 300
		y[i] += 20
	}
	in.Outcome = y
	in.Channels = append(in.Channels, Channel{Name: "radio", Spend: radio})
	var S float64
	for k := 1; k <= 14; k++ {
		a := 300 * math.Pow(0.45, float64(k))
		S += 0.5 - a/(a+300)
	}
	lift := 40 * S
	in.Experiments = []Experiment{{ID: "geo-radio", Channel: "radio", From: 100, To: 113, Lift: lift, SE: 30 * lift / 280}}
	in.Revenue = make([]float64, T)
	for i := range y {
		in.Revenue[i] = 50 * y[i]
	}
	fit := fitOrFail(t, in, Options{Seed: 3, Bootstrap: 60})
	c := fit.Channels[2]
	if !c.Identified || !c.Calibrated || !strings.Contains(c.Why, "experiment") {
		t.Errorf("radio: identified %v calibrated %v why %q", c.Identified, c.Calibrated, c.Why)
	}
	if math.Abs(c.Beta-40) > 1e-9 || math.Abs(c.Total-20*float64(T)) > 1e-6 {
		t.Errorf("radio: beta %g (want 40), total %g (want %d)", c.Beta, c.Total, 20*T)
	}
	// The interval comes from the lift's standard error alone: Beta draws
	// are 40 * (1 + z*SE/lift) = 40 * (1 + z*30/280), their 5% and 95% quantiles near
	// 40 * (1 -+ 1.645*30/280) = 32.95 .. 47.05.
	lo, hi := c.TotalLow/(0.5*float64(T)), c.TotalHigh/(0.5*float64(T))
	if lo < 30 || lo > 36 || hi < 44 || hi > 50 {
		t.Errorf("radio: beta interval [%g, %g], want about [33, 47]", lo, hi)
	}
	e := fit.Experiments[0]
	if !e.Used || math.Abs(e.Predicted-lift) > 1e-6 || math.Abs(e.Z) > 1e-9 {
		t.Errorf("experiment: %+v", e)
	}
	// Revenue per conversion is 50 throughout: RevBeta = 50 * 40.
	if math.Abs(c.RevBeta-2000) > 1e-6 {
		t.Errorf("radio: RevBeta %g, want 2000", c.RevBeta)
	}
	// The other channels are not disturbed by the constant +20.
	for i, c := range fit.Channels[:2] {
		if relErr(c.Total, sim.truth[i]) > 0.2 {
			t.Errorf("%s: %g, truth %g", c.Name, c.Total, sim.truth[i])
		}
	}
}

func TestExperimentsUsableOrNot(t *testing.T) {
	t.Parallel()
	sim := smallSim(4)
	in := sim.in
	T := len(in.Outcome)
	lift := windowLift(sim.spec.channels[0], in.Channels[0].Spend, 300, 327, 0)
	lift2 := windowLift(sim.spec.channels[0], in.Channels[0].Spend, 310, 340, 0)
	in.Experiments = []Experiment{
		{ID: "ok", Channel: "search", From: 300, To: 327, Lift: lift, SE: 0.1 * lift},
		{ID: "overlap", Channel: "search", From: 310, To: 340, Lift: lift2, SE: 0.1 * lift2},
		{ID: "se0", Channel: "search", From: 300, To: 327, Lift: lift, SE: 0},
		{ID: "seneg", Channel: "search", From: 300, To: 327, Lift: lift, SE: -5},
		{ID: "unknown", Channel: "tv", From: 300, To: 327, Lift: 10, SE: 1},
		{ID: "reversed", Channel: "search", From: 327, To: 300, Lift: 10, SE: 1},
		{ID: "outside", Channel: "search", From: T - 5, To: T + 10, Lift: 10, SE: 1},
		{ID: "nan", Channel: "search", From: 300, To: 327, Lift: math.NaN(), SE: 1},
	}
	fit := fitOrFail(t, in, Options{Seed: 1, Bootstrap: 40})
	why := map[string]string{
		"se0": "standard error 0", "seneg": "standard error -5", "unknown": `channel "tv" is not in`,
		"reversed": "ends before it starts", "outside": "outside the fitted periods", "nan": "lift is not",
	}
	if len(fit.Experiments) != len(in.Experiments) {
		t.Fatalf("%d experiment fits for %d experiments", len(fit.Experiments), len(in.Experiments))
	}
	for i, e := range fit.Experiments {
		if e.ID != in.Experiments[i].ID {
			t.Errorf("experiment %d is %q, want input order", i, e.ID)
		}
		if w, bad := why[e.ID]; bad {
			if e.Used || !strings.Contains(e.Why, w) {
				t.Errorf("%s: used %v, why %q (want %q)", e.ID, e.Used, e.Why, w)
			}
			found := false
			for _, msg := range fit.Warnings {
				found = found || strings.Contains(msg, `"`+e.ID+`"`) && strings.Contains(msg, w)
			}
			if !found {
				t.Errorf("%s: no warning in %q", e.ID, fit.Warnings)
			}
			continue
		}
		// Both overlapping experiments are used and agree with the fit.
		if !e.Used || math.Abs(e.Z) > 1.645 || relErr(e.Predicted, e.Lift) > 0.15 {
			t.Errorf("%s: %+v", e.ID, e)
		}
	}
	if fit.ExperimentFit != 1 || !fit.Channels[0].Calibrated || fit.Channels[1].Calibrated {
		t.Errorf("experiment fit %g, calibrated %v %v", fit.ExperimentFit, fit.Channels[0].Calibrated, fit.Channels[1].Calibrated)
	}
}

// A go-dark test on the always-on channel: its spend was 0 over a window
// and the lift is what it would have added at its usual level there. The
// calibrated fit moves its prediction towards a lift that disagrees with
// the series (twice the true one, SE 5%).
func TestGoDarkCalibration(t *testing.T) {
	t.Parallel()
	sp := dailySpec()
	sim := simulate(1, sp)
	const ch = 3 // display, always on with go-dark weeks
	spend := sim.in.Channels[ch].Spend
	from, to := -1, -1
	for i := 100; i < len(spend) && to < 0; i++ {
		if spend[i] == 0 && from < 0 {
			from = i
		}
		if from >= 0 && spend[i] > 0 {
			to = i - 1
		}
	}
	if from < 0 || to-from < 7 {
		t.Fatalf("no go-dark window found (%d..%d)", from, to)
	}
	level := 0.0
	for _, v := range spend[from-28 : from] {
		level += v / 28
	}
	// The true lift, with the simulation's own adstock and Hill.
	lift := windowLift(sp.channels[ch], spend, from, to, level)
	in := sim.in
	in.Experiments = []Experiment{{ID: "dark", Channel: "display", From: from, To: to, Lift: lift, SE: 0.1 * lift, GoDarkLevel: level}}
	fit := fitOrFail(t, in, Options{Seed: 2, Bootstrap: 50})
	e := fit.Experiments[0]
	if !e.Used || math.Abs(e.Z) > 1.645 {
		t.Errorf("true lift %g: %+v", lift, e)
	}
	// Twice the truth, precise: without calibration weight (SE huge) the
	// model predicts about the truth; with it, much closer to the lift.
	in.Experiments = []Experiment{{ID: "dark", Channel: "display", From: from, To: to, Lift: 2 * lift, SE: 1e9, GoDarkLevel: level}}
	loose := fitOrFail(t, in, Options{Seed: 2, Bootstrap: 20}).Experiments[0]
	in.Experiments[0].SE = 0.05 * lift
	tight := fitOrFail(t, in, Options{Seed: 2, Bootstrap: 20}).Experiments[0]
	if d0, d1 := math.Abs(loose.Predicted-2*lift), math.Abs(tight.Predicted-2*lift); d1 > 0.5*d0 {
		t.Errorf("lift %g: predicted %g without weight, %g with", 2*lift, loose.Predicted, tight.Predicted)
	}
}

func TestRevenue(t *testing.T) {
	t.Parallel()
	sim := smallSim(5)
	in := sim.in
	lift := 0.0
	for i := 200; i <= 227; i++ {
		lift += sim.contrib[0][i]
	}
	in.Experiments = []Experiment{{ID: "x", Channel: "search", From: 200, To: 227, Lift: lift, SE: 0.2 * lift}}
	noRev := fitOrFail(t, in, Options{Seed: 9, Bootstrap: 50})
	found := false
	for _, w := range noRev.Warnings {
		found = found || strings.Contains(w, "no revenue")
	}
	if !found || noRev.Channels[0].RevBeta != 0 || noRev.Channels[0].Revenue != 0 {
		t.Errorf("no revenue: warnings %q, RevBeta %g", noRev.Warnings, noRev.Channels[0].RevBeta)
	}
	// Revenue is 60 per conversion exactly: every revenue figure is 60 x
	// the outcome's (the same blocks and lift draws in the bootstrap).
	in.Revenue = make([]float64, len(in.Outcome))
	for i, v := range in.Outcome {
		in.Revenue[i] = 60 * v
	}
	fit := fitOrFail(t, in, Options{Seed: 9, Bootstrap: 50})
	for _, c := range fit.Channels {
		for _, p := range [][2]float64{{c.RevBeta, c.Beta}, {c.Revenue, c.Total}, {c.RevenueLow, c.TotalLow}, {c.RevenueHigh, c.TotalHigh}} {
			if math.Abs(p[0]-60*p[1]) > 1e-6*math.Max(1, 60*p[1]) {
				t.Errorf("%s: revenue figure %g, want 60 x %g", c.Name, p[0], p[1])
			}
		}
		if c.RevenueResponse(500) != 60*c.Response(500) && math.Abs(c.RevenueResponse(500)-60*c.Response(500)) > 1e-6 {
			t.Errorf("%s: revenue response", c.Name)
		}
	}
}

func TestDeterminism(t *testing.T) {
	t.Parallel()
	sim := smallSim(6)
	in := sim.in
	in.Experiments = []Experiment{{ID: "x", Channel: "search", From: 200, To: 227, Lift: 1500, SE: 200}}
	in.Revenue = make([]float64, len(in.Outcome))
	for i, v := range in.Outcome {
		in.Revenue[i] = 40*v + 100*math.Sin(float64(i))
	}
	a := fitOrFail(t, in, Options{Seed: 11, Bootstrap: 40})
	b := fitOrFail(t, in, Options{Seed: 11, Bootstrap: 40})
	if !reflect.DeepEqual(a, b) {
		t.Fatal("two fits with one seed differ")
	}
	c := fitOrFail(t, in, Options{Seed: 12, Bootstrap: 40})
	if !reflect.DeepEqual(a.Fitted, c.Fitted) || !reflect.DeepEqual(a.Baseline, c.Baseline) || a.R2 != c.R2 || a.HoldoutMAPE != c.HoldoutMAPE {
		t.Error("the point fit depends on the seed")
	}
	differ := false
	for i := range a.Channels {
		x, y := a.Channels[i], c.Channels[i]
		if x.Beta != y.Beta || x.Total != y.Total || x.Decay != y.Decay || x.Shape != y.Shape || x.HalfSat != y.HalfSat || x.RevBeta != y.RevBeta {
			t.Errorf("%s: point values depend on the seed", x.Name)
		}
		differ = differ || x.TotalLow != y.TotalLow || x.TotalHigh != y.TotalHigh
	}
	if !differ || reflect.DeepEqual(a.BaselineLow, c.BaselineLow) {
		t.Error("intervals do not depend on the seed")
	}
}

// 150 days: one holdout fold instead of three and no yearly season, both
// said in the warnings; the fit still runs.
func TestShortSeries(t *testing.T) {
	t.Parallel()
	sim := smallSim(7)
	in := sim.in
	in.Outcome = in.Outcome[:150]
	in.Channels = []Channel{{Name: "search", Spend: in.Channels[0].Spend[:150]}, {Name: "display", Spend: in.Channels[1].Spend[:150]}}
	in.Holidays = nil
	fit := fitOrFail(t, in, Options{Bootstrap: 20})
	want := []string{"only 1 of 3 holdout folds", "less than a year: no yearly season"}
	for _, w := range want {
		found := false
		for _, msg := range fit.Warnings {
			found = found || strings.Contains(msg, w)
		}
		if !found {
			t.Errorf("no warning %q in %q", w, fit.Warnings)
		}
	}
	if fit.Periods != 150 || len(fit.Fitted) != 150 || math.IsNaN(fit.HoldoutMAPE) {
		t.Errorf("periods %d, fitted %d, holdout MAPE %g", fit.Periods, len(fit.Fitted), fit.HoldoutMAPE)
	}
}

// Degenerate series fit without panics: no channels at all (the baseline
// alone), and an outcome that is zero throughout.
func TestDegenerateSeries(t *testing.T) {
	t.Parallel()
	sim := smallSim(8)
	in := sim.in
	in.Channels = nil
	fit := fitOrFail(t, in, Options{Bootstrap: 20})
	if len(fit.Channels) != 0 || fit.BaselineShare != 1 || fit.R2 <= 0 {
		t.Errorf("no channels: %d channels, baseline share %g, R2 %g", len(fit.Channels), fit.BaselineShare, fit.R2)
	}
	in = sim.in
	in.Outcome = make([]float64, len(in.Outcome))
	fit = fitOrFail(t, in, Options{Bootstrap: 20})
	for _, c := range fit.Channels {
		if c.Total != 0 || c.TotalHigh != 0 {
			t.Errorf("zero outcome: %s total %g [%g, %g]", c.Name, c.Total, c.TotalLow, c.TotalHigh)
		}
	}
	if !math.IsNaN(fit.R2) || !math.IsNaN(fit.HoldoutMAPE) {
		t.Errorf("zero outcome: R2 %g, holdout MAPE %g (want NaN: undefined)", fit.R2, fit.HoldoutMAPE)
	}
}
