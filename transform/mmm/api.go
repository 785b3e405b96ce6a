package mmm

import "time"

// Grain is the length of one period of a fit.
type Grain string

// Grains.
const (
	Day  Grain = "day"
	Week Grain = "week"
)

// Input is one outcome series (conversions of one type, or of all types)
// with the spend of every channel over the same periods.
type Input struct {
	Start   time.Time // first period (a date; a Monday for weekly grain)
	Grain   Grain
	Outcome []float64 // conversions per period
	// Revenue per period (nil: no revenue model; len(Outcome) otherwise).
	// When given it is fitted with the outcome's hyperparameters.
	Revenue  []float64
	Channels []Channel
	// Holidays: each is one indicator regressor of the baseline.
	Holidays []Holiday
	// Experiments calibrate channel effects (see Experiment).
	Experiments []Experiment
}

// Channel is one spend channel's spend per period (len = len(Outcome)).
type Channel struct {
	Name  string
	Spend []float64
}

// Holiday is a named set of periods (indexes into Outcome).
type Holiday struct {
	Name    string
	Periods []int
}

// Experiment is a measured lift for one channel over periods From..To
// (inclusive indexes): the channel's contribution to the outcome over those
// periods is Lift with standard error SE (> 0).
//
// When GoDarkLevel > 0 the channel was switched off during the window and
// Lift is what it would have added at GoDarkLevel spend per period: the
// model's prediction then replaces the window's spend by GoDarkLevel.
//
// An experiment is not used (Fit.Experiments says why, and so do
// Fit.Warnings) when its channel is not in Input.Channels, From > To, the
// window is not inside 0..len(Outcome)-1, SE is not a number > 0, Lift is
// not finite, GoDarkLevel is negative, or (without a go-dark level) the
// channel had no spend up to the window's end. Overlapping experiments are
// all used.
type Experiment struct {
	ID          string
	Channel     string
	From, To    int
	Lift        float64
	SE          float64
	GoDarkLevel float64
}

// Options of a fit; zero values take the defaults in brackets.
type Options struct {
	Seed           uint64  // bootstrap seed (0 is a valid seed); the point fit does not depend on it
	Bootstrap      int     // bootstrap replicates [200]
	Holdouts       int     // rolling-origin folds [3]
	HoldoutPeriods int     // periods per holdout fold [56 for day, 8 for week]
	Interval       float64 // central interval mass [0.9]
	Harmonics      int     // yearly Fourier pairs [3 for day, 2 for week]
	// MinSpendPeriods: a channel with spend in fewer periods, or with
	// (nearly) constant spend, is not identified [6 for week, 8 for day].
	MinSpendPeriods int
}

// Fit is the result of FitModel for one outcome.
type Fit struct {
	Grain    Grain
	Start    time.Time
	Periods  int
	Fitted   []float64 // baseline + every channel's contribution, per period
	Baseline []float64 // per period
	// BaselineLow and BaselineHigh bound Baseline per period (interval).
	BaselineLow, BaselineHigh []float64
	Channels                  []ChannelFit // in Input order, identified or not
	R2                        float64      // in sample (NaN for a constant outcome)
	NRMSE                     float64      // RMSE / (max - min of Outcome), in sample (NaN for a constant outcome)
	HoldoutMAPE               float64      // mean absolute percentage error over the rolling-origin holdouts (periods with outcome > 0)
	BaselineShare             float64      // sum(Baseline) / sum(Fitted), >= 0 (the baseline's mean is constrained >= 0)
	// Experiments has one entry per Input experiment, in input order.
	Experiments []ExperimentFit
	// ExperimentFit is the share of used experiments whose model prediction
	// lies within 1.645 standard errors of the measured lift (NaN when none).
	ExperimentFit float64
	// Warnings say in plain words what the fit could not do as asked:
	// channels not identified, experiments not used, no revenue series
	// (revenue figures are then 0), fewer holdout folds, no yearly season,
	// channels whose split is not identified.
	Warnings []string
}

// ChannelFit is one channel's fitted response.
type ChannelFit struct {
	Name string
	// Identified is false when the data cannot separate the channel from the
	// baseline (Why says so: constant spend, too few periods with spend);
	// such a channel has no curve and zero contribution. Such a channel
	// with a usable experiment is fitted from its experiments alone, with
	// an assumed curve: Identified is then true and Why says so. Why also
	// notes channels whose spend moves in lockstep with others' (their
	// summed effect is measured, not the split).
	Identified bool
	Why        string
	Calibrated bool // at least one experiment of this channel was used

	Decay   float64 // geometric adstock carry-over per period, in [0, 1)
	Shape   float64 // Hill exponent
	HalfSat float64 // Hill half-saturation, in spend per period (adstocked)
	Beta    float64 // outcome per period at full saturation (>= 0)
	RevBeta float64 // revenue per period at full saturation (>= 0)

	// Contribution is the outcome per period; Low and High bound it.
	Contribution                      []float64
	ContributionLow, ContributionHigh []float64
	// Total is the contribution summed over the fit and Revenue its
	// revenue; Low and High are bootstrap percentile intervals (see the
	// package comment), widened to contain the point value if needed, not
	// necessarily centred on it.
	Total, TotalLow, TotalHigh       float64
	Revenue, RevenueLow, RevenueHigh float64

	// BetaDraws and RevBetaDraws are the bootstrap replicates of Beta and
	// RevBeta (same length), for intervals of derived figures. A replicate
	// reselects the hyperparameters, so its draw is the Beta that gives the
	// replicate's total on this fit's curve.
	BetaDraws, RevBetaDraws []float64
}

// Response is the steady-state outcome per period at spend s per period
// (adstock at its steady state equals s: the adstock is normalised).
func (c ChannelFit) Response(s float64) float64 { return c.Beta * Hill(s, c.HalfSat, c.Shape) }

// RevenueResponse is Response in revenue.
func (c ChannelFit) RevenueResponse(s float64) float64 {
	return c.RevBeta * Hill(s, c.HalfSat, c.Shape)
}

// Marginal is d Response / d s at s.
func (c ChannelFit) Marginal(s float64) float64 { return c.Beta * HillDeriv(s, c.HalfSat, c.Shape) }

// RevenueMarginal is d RevenueResponse / d s at s.
func (c ChannelFit) RevenueMarginal(s float64) float64 {
	return c.RevBeta * HillDeriv(s, c.HalfSat, c.Shape)
}

// ExperimentFit compares one experiment with the fitted model.
type ExperimentFit struct {
	ID, Channel string
	Lift, SE    float64
	Predicted   float64 // the model's contribution over the window (after calibration); 0 when not used
	Z           float64 // (Predicted - Lift) / SE; 0 when not used
	Used        bool    // false when ignored (Why says why)
	Why         string
}
