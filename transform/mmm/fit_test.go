package mmm

import (
	"context"
	"math"
	"strings"
	"testing"
)

func fitOrFail(t *testing.T, in Input, o Options) *Fit {
	t.Helper()
	fit, err := FitModel(context.Background(), in, o)
	if err != nil {
		t.Fatal(err)
	}
	return fit
}

func covers(c ChannelFit, truth float64) bool { return c.TotalLow <= truth && truth <= c.TotalHigh }

func relErr(got, want float64) float64 { return math.Abs(got/want - 1) }

// Three years daily with known effects: flighted channels, a TV-like
// channel, two always-on channels with go-dark weeks, and a channel with
// no effect. Over seeds 1..20 of this generator (Bootstrap 100) the
// channel totals' RMS error was 8.4%, 90% of the 90% intervals covered the
// truth (76% when the bootstrap held the hyperparameters fixed) and the
// no-effect channel's interval included 0 in 19 of 20; the seeds here are
// fixed so the test is deterministic.
func TestRecoveryDaily(t *testing.T) {
	t.Parallel()
	covered, n := 0, 0
	for _, seed := range []uint64{1, 4, 5} {
		sim := simulate(seed, dailySpec())
		fit := fitOrFail(t, sim.in, Options{Seed: seed, Bootstrap: 100})
		outcome := sum(sim.in.Outcome)
		trueSum, gotSum := 0.0, 0.0
		for i, c := range fit.Channels {
			truth := sim.truth[i]
			if !c.Identified {
				t.Errorf("seed %d: %s not identified: %s", seed, c.Name, c.Why)
			}
			if truth == 0 {
				// No effect: the interval includes 0 and the estimate is small.
				if c.TotalLow > 0 {
					t.Errorf("seed %d: %s has no effect but its interval is [%g, %g]", seed, c.Name, c.TotalLow, c.TotalHigh)
				}
				if c.Total > 0.005*outcome {
					t.Errorf("seed %d: %s has no effect but a total of %g (%.2f%% of the outcome)", seed, c.Name, c.Total, 100*c.Total/outcome)
				}
				continue
			}
			trueSum += truth
			gotSum += c.Total
			if e := relErr(c.Total, truth); e > 0.2 {
				t.Errorf("seed %d: %s total %g, truth %g (%.0f%% off)", seed, c.Name, c.Total, truth, 100*e)
			}
			n++
			if covers(c, truth) {
				covered++
			}
		}
		if e := relErr(gotSum, trueSum); e > 0.08 {
			t.Errorf("seed %d: summed channel effects %g, truth %g", seed, gotSum, trueSum)
		}
		if fit.R2 < 0.85 || fit.HoldoutMAPE > 0.06 || fit.BaselineShare < 0.6 || fit.BaselineShare > 0.85 {
			t.Errorf("seed %d: R2 %g, holdout MAPE %g, baseline share %g", seed, fit.R2, fit.HoldoutMAPE, fit.BaselineShare)
		}
	}
	if float64(covered) < 0.6*float64(n) {
		t.Errorf("90%% intervals cover the truth for %d of %d channel fits", covered, n)
	}
}

// The same kind of data weekly (156 weeks). The holdout folds hold 24
// weeks, so hyperparameters are chosen on little evidence: over seeds 1..20
// the totals' RMS error was 29% (the always-on channel mostly
// overestimated); the tolerances say so.
func TestRecoveryWeekly(t *testing.T) {
	t.Parallel()
	for _, seed := range []uint64{1, 3} {
		sim := simulate(seed, weeklySpec())
		fit := fitOrFail(t, sim.in, Options{Seed: seed, Bootstrap: 100})
		if fit.Grain != Week || fit.Periods != 156 {
			t.Errorf("grain %s, periods %d", fit.Grain, fit.Periods)
		}
		for i, c := range fit.Channels {
			truth := sim.truth[i]
			if truth == 0 {
				if c.TotalLow > 0 || c.Total > 0.01*sum(sim.in.Outcome) {
					t.Errorf("seed %d: %s has no effect: %g [%g, %g]", seed, c.Name, c.Total, c.TotalLow, c.TotalHigh)
				}
				continue
			}
			if e := relErr(c.Total, truth); e > 0.35 {
				t.Errorf("seed %d: %s total %g, truth %g (%.0f%% off)", seed, c.Name, c.Total, truth, 100*e)
			}
		}
	}
}

// Two channels with identical flights (one spends 0.6 x the other): the
// pair's sum is recovered and each interval is wide; an experiment on one
// of them separates them.
func TestCollinearPair(t *testing.T) {
	t.Parallel()
	sim := simulate(2, collinearSpec())
	const a, b = 1, 2
	pairTruth := sim.truth[a] + sim.truth[b]

	fit := fitOrFail(t, sim.in, Options{Seed: 1, Bootstrap: 100})
	ca, cb := fit.Channels[a], fit.Channels[b]
	if e := relErr(ca.Total+cb.Total, pairTruth); e > 0.1 {
		t.Errorf("pair total %g, truth %g", ca.Total+cb.Total, pairTruth)
	}
	for _, c := range []ChannelFit{ca, cb} {
		if width := c.TotalHigh - c.TotalLow; width < 0.3*pairTruth {
			t.Errorf("%s: interval [%g, %g] is narrow for a channel the data cannot separate", c.Name, c.TotalLow, c.TotalHigh)
		}
	}

	// A 4-week lift test on channel a, its lift what the window's spend
	// truly added inside the window, SE 10%.
	in := sim.in
	lift := windowLift(sim.spec.channels[a], in.Channels[a].Spend, 400, 427, 0)
	in.Experiments = []Experiment{{ID: "lift-a", Channel: "social_a", From: 400, To: 427, Lift: lift, SE: 0.1 * lift}}
	fit2 := fitOrFail(t, in, Options{Seed: 1, Bootstrap: 100})
	for _, i := range []int{a, b} {
		c := fit2.Channels[i]
		if e := relErr(c.Total, sim.truth[i]); e > 0.15 {
			t.Errorf("with the experiment: %s total %g, truth %g", c.Name, c.Total, sim.truth[i])
		}
		if !covers(c, sim.truth[i]) {
			t.Errorf("with the experiment: %s interval [%g, %g] misses the truth %g", c.Name, c.TotalLow, c.TotalHigh, sim.truth[i])
		}
		if w, w0 := c.TotalHigh-c.TotalLow, fit.Channels[i].TotalHigh-fit.Channels[i].TotalLow; w > 0.6*w0 {
			t.Errorf("with the experiment: %s interval width %g, without %g", c.Name, w, w0)
		}
	}
	if !fit2.Channels[a].Calibrated || fit2.Channels[b].Calibrated {
		t.Errorf("calibrated flags: %v %v", fit2.Channels[a].Calibrated, fit2.Channels[b].Calibrated)
	}
	e := fit2.Experiments[0]
	if !e.Used || math.Abs(e.Z) > 1.645 || fit2.ExperimentFit != 1 {
		t.Errorf("experiment fit: %+v, share %g", e, fit2.ExperimentFit)
	}
}

// Exactly identical columns (same hyperparameters, spend in proportion):
// no information on the split at all. The fit says so, splits the pair's
// point estimate in proportion to spend and gives intervals spanning the
// possible splits.
func TestConfoundedPairSplit(t *testing.T) {
	t.Parallel()
	sim := simulate(2, collinearSpec())
	o, _ := withDefaults(Day, Options{Seed: 1, Bootstrap: 200})
	f, err := newFitter(context.Background(), sim.in, o)
	if err != nil {
		t.Fatal(err)
	}
	// No search: every channel at the starting hyperparameters, so the
	// pair's columns are identical.
	fit, err := f.final()
	if err != nil {
		t.Fatal(err)
	}
	ca, cb := fit.Channels[1], fit.Channels[2]
	pair := ca.Total + cb.Total
	// Spend shares 1/1.6 and 0.6/1.6.
	if relErr(ca.Total, pair/1.6) > 1e-9 || relErr(cb.Total, 0.6*pair/1.6) > 1e-9 {
		t.Errorf("split %g / %g of %g, want in proportion to spend (0.625 / 0.375)", ca.Total, cb.Total, pair)
	}
	for _, c := range []ChannelFit{ca, cb} {
		if !strings.Contains(c.Why, "moves together") {
			t.Errorf("%s: Why = %q", c.Name, c.Why)
		}
		if c.TotalLow > 0.25*pair || c.TotalHigh < 0.75*pair {
			t.Errorf("%s: interval [%g, %g] does not span the splits of %g", c.Name, c.TotalLow, c.TotalHigh, pair)
		}
	}
	found := false
	for _, w := range fit.Warnings {
		found = found || strings.Contains(w, "social_a") && strings.Contains(w, "social_b")
	}
	if !found {
		t.Errorf("no warning about the pair: %q", fit.Warnings)
	}
	// The replicate sums of the pair are those of an ordinary bootstrap: the
	// split draws move contribution between the two only.
	sa, sb := colSum(f.chans[1].h), colSum(f.chans[2].h)
	for r := range ca.BetaDraws {
		if s := ca.BetaDraws[r]*sa + cb.BetaDraws[r]*sb; s <= 0 {
			t.Fatalf("replicate %d: pair sum %g", r, s)
		}
	}
}

// One year daily of a small market (weakSpec: about 5 conversions a day,
// Poisson counts, ten channels, most always on, two without effect). On
// these seeds a fit with a free intercept drove the baseline's mean below
// 0 (baseline shares -0.08, -0.09, -0.14 and -0.59): the channels claimed
// more than all conversions. Here the baseline's mean is never negative,
// the channels' summed contribution stays within the fitted outcome, the
// no-effect channels' intervals include 0, and the pulsed channels (8 and
// 18 days with spend, carry-over) are identified.
func TestWeakDataBaseline(t *testing.T) {
	t.Parallel()
	for _, seed := range []uint64{1, 2, 3, 9} {
		sim := simulateWeak(seed, weakSpec())
		fit := fitOrFail(t, sim.in, Options{Seed: seed, Bootstrap: 60})
		T := float64(len(fit.Baseline))
		if mean := sum(fit.Baseline) / T; mean < -1e-9 || fit.BaselineShare < 0 || fit.BaselineShare > 1 {
			t.Errorf("seed %d: baseline mean %g per period, baseline share %g", seed, mean, fit.BaselineShare)
		}
		outcome := sum(sim.in.Outcome)
		total := 0.0
		for i, c := range fit.Channels {
			total += c.Total
			if sim.truth[i] == 0 && c.TotalLow > 1e-9*outcome && c.TotalHigh > 0.01*outcome {
				t.Errorf("seed %d: %s has no effect but its interval is [%g, %g]", seed, c.Name, c.TotalLow, c.TotalHigh)
			}
			if (c.Name == "mail" || c.Name == "events") && !c.Identified {
				t.Errorf("seed %d: %s not identified: %s", seed, c.Name, c.Why)
			}
			if c.TotalLow > c.Total || c.Total > c.TotalHigh {
				t.Errorf("seed %d: %s total %g outside its interval [%g, %g]", seed, c.Name, c.Total, c.TotalLow, c.TotalHigh)
			}
		}
		if fitted := sum(fit.Fitted); total > fitted*(1+1e-9) {
			t.Errorf("seed %d: channels' summed contribution %g exceeds the fitted outcome %g", seed, total, fitted)
		}
	}
}

// The 90% intervals of the channel totals cover the truth about as often
// as they say. Over seeds 1..20 (Bootstrap 100) they covered it in 90% of
// the daily channel fits, 93% of the weekly ones and 91% of the weak-data
// ones (TestWeakDataBaseline's series); with the hyperparameters and the
// shrinkage held fixed in the bootstrap it was 76%, 40% and 69%. Here, on
// seeds 1..10 of the weekly series (30 channel fits with an effect; the
// weekly fits are the cheapest), at least 80% must cover: the
// fixed-hyperparameter bootstrap covered 8 of 30, and with a true rate of
// 90% the chance of fewer than 24 of 30 is about 3%.
func TestIntervalCoverage(t *testing.T) {
	t.Parallel()
	covered, n := 0, 0
	for seed := uint64(1); seed <= 10; seed++ {
		sim := simulate(seed, weeklySpec())
		fit := fitOrFail(t, sim.in, Options{Seed: seed, Bootstrap: 100})
		for i, c := range fit.Channels {
			if sim.truth[i] == 0 {
				continue
			}
			n++
			if covers(c, sim.truth[i]) {
				covered++
			}
		}
	}
	if float64(covered) < 0.8*float64(n) {
		t.Errorf("90%% intervals cover the truth for %d of %d channel fits", covered, n)
	}
}
