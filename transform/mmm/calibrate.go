package mmm

import (
	"fmt"
	"math"
)

// Calibration by experiments.
//
// A usable experiment e of channel c adds one pseudo-observation to the
// channel regression:
//
//	(sigma/SE_e) * Beta_c * S_e  =  (sigma/SE_e) * Lift_e,
//	S_e = sum over t in From..To of (h_on[t] - h_off[t])
//
// the conversions the test's spend added within its window: h = Hill(
// Adstock(spend)) is the channel's column, h_on with the spend the test
// ran and h_off with the window's spend switched off (carry-over from
// spend before the window is in both, so it cancels), and sigma the
// residual standard deviation of the fit, so that the experiment's error
// counts as z_e^2 = ((Beta_c S_e - Lift_e)/SE_e)^2 observations' worth of
// squared error. It is linear in Beta for fixed hyperparameters, so it
// enters the NNLS (all folds and the final fit) and, through
// sigma^2 * sum z_e^2, the hyperparameter objective. A lift, geo or
// holdout test ran the channel at the data's spend: h_on is the channel's
// column and h_off the spend with the window's periods at 0. A go-dark
// test switched the channel off (GoDarkLevel > 0): h_off is the channel's
// column and h_on the spend with the window's periods at GoDarkLevel.
// Either way the adstock is recomputed with the channel's hyperparameters.
// Overlapping experiments of one channel are all used, each as its own
// pseudo-observation (they are treated as independent measurements).
//
// A channel the series cannot identify (constant spend, too few periods
// with spend) but that has a usable experiment is fitted from its
// experiments alone: its hyperparameters are fixed at assumed values
// (decay half the upper bound, shape 1, half-saturation at its mean
// positive adstocked spend), Beta = max(0, sum S L/SE^2 / sum S^2/SE^2),
// and its contribution is subtracted from the outcome before the other
// channels and the baseline are fitted.

// expUse is one usable experiment.
type expUse struct {
	out      int // index into Fit.Experiments
	k        int // index among the usable experiments
	ch       int // input channel
	from, to int
	lift, se float64
	level    float64
	spendMod []float64 // spend with the window at GoDarkLevel, or at 0 for a lift test
	S        float64   // window sum of the channel's column, current hyperparameters
}

// checkExperiments validates the experiments and returns the usable ones
// and one ExperimentFit per input experiment (Used=false with Why for the
// others).
func checkExperiments(in Input, T int, chanIndex map[string]int) ([]*expUse, []ExperimentFit, []string) {
	var use []*expUse
	var warnings []string
	fits := make([]ExperimentFit, len(in.Experiments))
	for i, e := range in.Experiments {
		fits[i] = ExperimentFit{ID: e.ID, Channel: e.Channel, Lift: e.Lift, SE: e.SE}
		ch, known := chanIndex[e.Channel]
		why := ""
		switch {
		case !known:
			why = fmt.Sprintf("channel %q is not in the model's spend", e.Channel)
		case e.From > e.To:
			why = fmt.Sprintf("window %d..%d ends before it starts", e.From, e.To)
		case e.From < 0 || e.To > T-1:
			why = fmt.Sprintf("window %d..%d is outside the fitted periods 0..%d", e.From, e.To, T-1)
		case math.IsNaN(e.SE) || math.IsInf(e.SE, 0) || e.SE <= 0:
			why = fmt.Sprintf("standard error %g: it must be a number > 0", e.SE)
		case math.IsNaN(e.Lift) || math.IsInf(e.Lift, 0):
			why = "lift is not a finite number"
		case math.IsNaN(e.GoDarkLevel) || math.IsInf(e.GoDarkLevel, 0) || e.GoDarkLevel < 0:
			why = fmt.Sprintf("go-dark level %g: it must be a number >= 0", e.GoDarkLevel)
		}
		if why == "" && e.GoDarkLevel == 0 {
			spent := 0.0
			for _, v := range in.Channels[ch].Spend[:e.To+1] {
				spent += v
			}
			if spent == 0 {
				why = "the channel had no spend up to the end of the window (and no go-dark level is given)"
			}
		}
		if why != "" {
			fits[i].Why = why
			warnings = append(warnings, fmt.Sprintf("experiment %q (%s) not used: %s", e.ID, e.Channel, why))
			continue
		}
		fits[i].Used = true
		u := &expUse{out: i, k: len(use), ch: ch, from: e.From, to: e.To, lift: e.Lift, se: e.SE, level: e.GoDarkLevel}
		u.spendMod = append([]float64(nil), in.Channels[ch].Spend...)
		for t := e.From; t <= e.To; t++ {
			u.spendMod[t] = e.GoDarkLevel // 0 for a lift test
		}
		use = append(use, u)
	}
	return use, fits, warnings
}

// windowSum is S_e for hyperparameters hp and half-saturation halfSat,
// where h is the channel's column at hp; tmp has room for T values.
func (e *expUse) windowSum(hp hyper, halfSat float64, h, tmp []float64) float64 {
	s := 0.0
	a := tmp[:e.to+1]
	adstockInto(a, e.spendMod, hp.decay)
	for t := e.from; t <= e.to; t++ {
		s += h[t] - Hill(a[t], halfSat, hp.shape)
	}
	if e.level > 0 { // go-dark: the modified spend is the one with the channel on
		return -s
	}
	return s
}

// expOnlyBeta is the weighted least-squares Beta of a channel fitted from
// its experiments alone (S and lifts given), clamped at 0.
func expOnlyBeta(S, lift, se []float64) float64 {
	num, den := 0.0, 0.0
	for i := range S {
		w := 1 / (se[i] * se[i])
		num += w * S[i] * lift[i]
		den += w * S[i] * S[i]
	}
	if den <= 0 {
		return 0
	}
	return max(0, num/den)
}
