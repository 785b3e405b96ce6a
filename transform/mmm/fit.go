package mmm

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
)

// Defaults of Options.
const (
	defaultBootstrap = 200
	defaultHoldouts  = 3
	defaultInterval  = 0.9
	// cvMin is the coefficient of variation of spend below which a channel's
	// spend counts as constant.
	cvMin = 0.05
	// confoundedVIF and confoundedCorr: channels whose coefficients the
	// final fit cannot separate; see confoundedGroups.
	confoundedVIF  = 1000
	confoundedCorr = -0.9
)

// withDefaults fills the zero fields of o and rejects invalid values.
func withDefaults(g Grain, o Options) (Options, error) {
	switch {
	case o.Bootstrap < 0:
		return o, fmt.Errorf("bootstrap replicates %d: must be >= 0", o.Bootstrap)
	case o.Holdouts < 0:
		return o, fmt.Errorf("holdouts %d: must be >= 0", o.Holdouts)
	case o.HoldoutPeriods < 0:
		return o, fmt.Errorf("holdout periods %d: must be >= 0", o.HoldoutPeriods)
	case math.IsNaN(o.Interval) || o.Interval < 0 || o.Interval >= 1:
		return o, fmt.Errorf("interval %g: must be in (0, 1)", o.Interval)
	case o.Harmonics < 0:
		return o, fmt.Errorf("harmonics %d: must be >= 0", o.Harmonics)
	case o.MinSpendPeriods < 0:
		return o, fmt.Errorf("minimum spend periods %d: must be >= 0", o.MinSpendPeriods)
	}
	day := g == Day
	if o.Bootstrap == 0 {
		o.Bootstrap = defaultBootstrap
	}
	if o.Holdouts == 0 {
		o.Holdouts = defaultHoldouts
	}
	if o.HoldoutPeriods == 0 {
		o.HoldoutPeriods = pick(day, 56, 8)
	}
	if o.Interval == 0 {
		o.Interval = defaultInterval
	}
	if o.Harmonics == 0 {
		o.Harmonics = pick(day, 3, 2)
	}
	if o.MinSpendPeriods == 0 {
		o.MinSpendPeriods = pick(day, 8, 6)
	}
	return o, nil
}

func pick[T any](cond bool, a, b T) T {
	if cond {
		return a
	}
	return b
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// validate checks the input's shape and values.
func validate(in Input) error {
	if in.Grain != Day && in.Grain != Week {
		return fmt.Errorf("grain %q: must be %q or %q", in.Grain, Day, Week)
	}
	T := len(in.Outcome)
	if T == 0 {
		return errors.New("no periods")
	}
	for t, v := range in.Outcome {
		if !finite(v) || v < 0 {
			return fmt.Errorf("outcome[%d] is %g: must be a finite number >= 0", t, v)
		}
	}
	if in.Revenue != nil {
		if len(in.Revenue) != T {
			return fmt.Errorf("revenue has %d periods, outcome %d", len(in.Revenue), T)
		}
		for t, v := range in.Revenue {
			if !finite(v) {
				return fmt.Errorf("revenue[%d] is %g: must be a finite number", t, v)
			}
		}
	}
	seen := make(map[string]bool, len(in.Channels))
	for _, c := range in.Channels {
		if c.Name == "" {
			return errors.New("a channel has no name")
		}
		if seen[c.Name] {
			return fmt.Errorf("channel %q appears twice", c.Name)
		}
		seen[c.Name] = true
		if len(c.Spend) != T {
			return fmt.Errorf("channel %q: spend has %d periods, outcome %d", c.Name, len(c.Spend), T)
		}
		for t, v := range c.Spend {
			if !finite(v) || v < 0 {
				return fmt.Errorf("channel %q: spend[%d] is %g: must be a finite number >= 0", c.Name, t, v)
			}
		}
	}
	return nil
}

// chanState is one input channel during a fit.
type chanState struct {
	name       string
	spend      []float64
	identified bool
	expOnly    bool // fitted from its experiments alone
	why        string
	pos        int // design column, -1 when not in the regression
	hp         hyper
	halfSat    float64
	h          []float64 // column at hp
	exps       []*expUse
	calibrated bool
	penalty    float64
}

// columnInto writes Hill(Adstock(spend)) at hp into h and returns the
// half-saturation in spend units (a: scratch for T values).
func (c *chanState) columnInto(hp hyper, h, a []float64) float64 {
	cache := newAdstockCache(len(a))
	cache.a = a
	return c.columnCached(hp, h, cache)
}

// adstockCache keeps one channel's adstock at one decay, its logarithm and
// its power at one shape: candidates of a search step that share a decay
// share the first two, those that share a decay and a shape all three.
type adstockCache struct {
	ok       bool
	ch       *chanState
	decay    float64
	a, loga  []float64
	meanPos  float64 // mean of the positive adstocked spend
	powOK    bool
	powShape float64
	pow      []float64 // a^shape
}

func newAdstockCache(T int) *adstockCache {
	return &adstockCache{a: make([]float64, T), loga: make([]float64, T), pow: make([]float64, T)}
}

// columnCached is columnInto with the adstock taken from (or put in) cache.
// Hill is computed as a^shape / (a^shape + halfSat^shape) with the powers
// as exp(shape x log).
func (c *chanState) columnCached(hp hyper, h []float64, cache *adstockCache) float64 {
	if !cache.ok || cache.ch != c || cache.decay != hp.decay {
		adstockInto(cache.a, c.spend, hp.decay)
		top := 0.0
		for _, v := range cache.a {
			top = max(top, v)
		}
		sum, n := 0.0, 0
		for t, v := range cache.a {
			if v > 1e-9*top {
				sum += v
				n++
			}
			if v > 0 {
				cache.loga[t] = math.Log(v)
			} else {
				cache.loga[t] = math.Inf(-1)
			}
		}
		cache.meanPos = 0
		if n > 0 {
			cache.meanPos = sum / float64(n)
		}
		cache.ok, cache.ch, cache.decay = true, c, hp.decay
		cache.powOK = false
	}
	if cache.meanPos == 0 {
		clear(h)
		return 0
	}
	if !cache.powOK || cache.powShape != hp.shape {
		for t, la := range cache.loga {
			cache.pow[t] = math.Exp(hp.shape * la) // 0 where a <= 0
		}
		cache.powOK, cache.powShape = true, hp.shape
	}
	K := hp.mult * cache.meanPos
	Ks := math.Exp(hp.shape * math.Log(K))
	for t, p := range cache.pow {
		switch {
		case p == 0:
			h[t] = 0
		case math.IsInf(p, 1):
			h[t] = 1
		default:
			h[t] = p / (p + Ks)
		}
	}
	return K
}

// fitter is the state of one FitModel call.
type fitter struct {
	ctx      context.Context
	in       Input
	o        Options
	T, K, H  int
	decayMax float64
	base     baseline
	chans    []*chanState
	fitted   []int     // input channel of each design column but the last
	ic       int       // design column of the intercept (len(fitted))
	exps     []*expUse // usable experiments
	regExps  []*expUse // usable experiments of regression channels
	expFits  []ExperimentFit
	offset   []float64 // contribution of experiment-only channels
	yReg     []float64 // outcome less offset
	d        *design
	sigma    float64
	// shrinkScale is (sigma/ybar)^2 of the starting fit (0 when the mean
	// outcome is 0): lambda = shrinkScale / kappa^2 (see chooseLambda).
	shrinkScale float64
	expD        []float64 // experiment terms per design column
	expR        []float64
	workers     []*worker

	passive    [][]bool // per range: the current fit's positive channels (NNLS warm start)
	objective  float64
	penaltySum float64
	warnings   []string
}

// FitModel fits the media mix model to in (see the package comment for the
// model, the search and the intervals).
//
// Errors: an invalid grain, option or value (negative, NaN or infinite
// spend or outcome, NaN or infinite revenue), lengths that differ, two
// channels with one name, and a series too short for one holdout fold after
// a training part of at least max(HoldoutPeriods, regressors+10) periods
// (daily defaults: 112 periods). A channel the data cannot identify is not
// an error: it is reported with Identified=false and Why, and in Warnings.
func FitModel(ctx context.Context, in Input, o Options) (*Fit, error) {
	o, err := withDefaults(in.Grain, o)
	if err == nil {
		err = validate(in)
	}
	if err != nil {
		return nil, fmt.Errorf("mmm: fit: %w", err)
	}
	f, err := newFitter(ctx, in, o)
	if err != nil {
		return nil, fmt.Errorf("mmm: fit: %w", err)
	}
	if err := f.search(); err != nil {
		return nil, fmt.Errorf("mmm: fit: %w", err)
	}
	out, err := f.final()
	if err != nil {
		return nil, fmt.Errorf("mmm: fit: %w", err)
	}
	return out, nil
}

func newFitter(ctx context.Context, in Input, o Options) (*fitter, error) {
	T := len(in.Outcome)
	f := &fitter{ctx: ctx, in: in, o: o, T: T, H: o.HoldoutPeriods}
	f.decayMax = pick(in.Grain == Day, 0.9, 0.8)
	harmonics, err := f.planFolds()
	if err != nil {
		return nil, err
	}
	var bw []string
	f.base, bw = buildBaseline(in, T, harmonics)
	f.warnings = append(f.warnings, bw...)

	chanIndex := make(map[string]int, len(in.Channels))
	for i, c := range in.Channels {
		chanIndex[c.Name] = i
	}
	var ew []string
	f.exps, f.expFits, ew = checkExperiments(in, T, chanIndex)
	f.warnings = append(f.warnings, ew...)

	f.chans = make([]*chanState, len(in.Channels))
	for i, c := range in.Channels {
		cs := f.newChanState(i, c)
		if cs.identified && !cs.expOnly {
			cs.pos = len(f.fitted)
			f.fitted = append(f.fitted, i)
			f.regExps = append(f.regExps, cs.exps...)
		}
		f.chans[i] = cs
	}
	// Experiments in input order (regExps was built channel by channel).
	slices.SortFunc(f.regExps, func(a, b *expUse) int { return a.out - b.out })
	f.initRegression()
	return f, nil
}

// planFolds sets the number of holdout folds K that fit in the series
// (warning when fewer than asked) and returns the number of yearly
// harmonics of the baseline (none, with a warning, when the shortest
// training part spans less than a year); too short a series is an error.
func (f *fitter) planFolds() (harmonics int, err error) {
	in, o, T := f.in, f.o, f.T
	nb := 2 + 2*o.Harmonics + len(in.Holidays) + pick(in.Grain == Day, 6, 0)
	minTrain := max(f.H, nb+len(in.Channels)+10)
	if T < minTrain+f.H {
		return 0, fmt.Errorf("%d periods are too few: needs at least %d (a holdout of %d periods after at least %d for training)",
			T, minTrain+f.H, f.H, minTrain)
	}
	f.K = min(o.Holdouts, (T-minTrain)/f.H)
	if f.K < o.Holdouts {
		f.warn("only %d of %d holdout folds fit in %d periods", f.K, o.Holdouts, T)
	}
	harmonics = o.Harmonics
	if span := (T - f.K*f.H) * periodDays(in.Grain); span < 365 && harmonics > 0 {
		harmonics = 0
		f.warn("the shortest training part spans %d days, less than a year: no yearly season in the baseline", span)
	}
	return harmonics, nil
}

// newChanState is input channel i's starting state: its experiments,
// whether it is identified (or fitted from its experiments alone), and
// its column and experiments' window sums at the default hyperparameters.
func (f *fitter) newChanState(i int, c Channel) *chanState {
	cs := &chanState{name: c.Name, spend: c.Spend, pos: -1}
	for _, e := range f.exps {
		if e.ch == i {
			cs.exps = append(cs.exps, e)
		}
	}
	cs.identified, cs.why = identify(c.Spend, f.o.MinSpendPeriods)
	if !cs.identified && len(cs.exps) > 0 {
		cs.identified, cs.expOnly = true, true
		cs.why += fmt.Sprintf("; fitted from its %d experiment(s) alone, with an assumed curve (decay %.2g, shape 1, half-saturation at its mean spend)",
			len(cs.exps), f.decayMax/2)
	}
	if cs.why != "" {
		f.warn("channel %q: %s", c.Name, cs.why)
	}
	cs.calibrated = len(cs.exps) > 0
	cs.hp = f.defaultHyper()
	cs.penalty = f.penalty(cs.hp)
	cs.h = make([]float64, f.T)
	a := make([]float64, f.T)
	cs.halfSat = cs.columnInto(cs.hp, cs.h, a)
	tmp := a
	for _, e := range cs.exps {
		e.S = e.windowSum(cs.hp, cs.halfSat, cs.h, tmp)
	}
	return cs
}

// initRegression builds the regression's outcome (less the contribution
// of channels fitted from experiments alone), its design, the
// experiments' weights' sigma, the shrinkage scale and the passive state.
func (f *fitter) initRegression() {
	T := f.T
	f.offset = make([]float64, T)
	for _, c := range f.chans {
		if !c.expOnly {
			continue
		}
		beta := c.expOnlyBeta(nil)
		for t := range T {
			f.offset[t] += beta * c.h[t]
		}
	}
	f.yReg = make([]float64, T)
	for t := range T {
		f.yReg[t] = f.in.Outcome[t] - f.offset[t]
	}
	// Design columns: the fitted channels, then the intercept.
	cols := make([][]float64, len(f.fitted)+1)
	for j, ch := range f.fitted {
		cols[j] = f.chans[ch].h
	}
	f.ic = len(f.fitted)
	cols[f.ic] = make([]float64, T)
	for t := range T {
		cols[f.ic][t] = 1
	}
	f.d = newDesign(f.base.cols, cols, f.yReg, f.K, f.H)
	f.d.ic = f.ic
	f.expD = make([]float64, len(cols))
	f.expR = make([]float64, len(cols))
	// sigma for the experiments' weights: the residual standard deviation
	// of a fit at the starting hyperparameters without experiments.
	cs := f.d.newScratch()
	f.solveFull(f.d.ranges[f.K].r, f.d.ranges[f.K].w, f.expD, f.expR, cs)
	f.sigma = f.residualSigma(f.yReg, cs)
	if ybar := colSum(f.in.Outcome) / float64(T); ybar > 0 {
		f.shrinkScale = (f.sigma / ybar) * (f.sigma / ybar)
	}
	f.expTerms()
	f.refreshPassive(cs)
}

func (f *fitter) warn(format string, args ...any) {
	f.warnings = append(f.warnings, fmt.Sprintf(format, args...))
}

// identify says whether spend can be told apart from the baseline.
func identify(spend []float64, minPeriods int) (bool, string) {
	n := 0
	sum := 0.0
	for _, v := range spend {
		if v > 0 {
			n++
		}
		sum += v
	}
	if n == 0 {
		return false, "no spend in the fitted periods"
	}
	if n < minPeriods {
		return false, fmt.Sprintf("spend in only %d periods; needs %d", n, minPeriods)
	}
	mean := sum / float64(len(spend))
	ss := 0.0
	for _, v := range spend {
		ss += (v - mean) * (v - mean)
	}
	if math.Sqrt(ss/float64(len(spend)))/mean < cvMin {
		return false, "spend is constant: it cannot be told apart from the baseline"
	}
	return true, ""
}

// expOnlyBeta is Beta of an experiment-only channel; z, when given, holds a
// bootstrap draw per experiment of the channel (lift + SE*z).
func (c *chanState) expOnlyBeta(z []float64) float64 {
	S := make([]float64, len(c.exps))
	lift := make([]float64, len(c.exps))
	se := make([]float64, len(c.exps))
	for i, e := range c.exps {
		S[i], lift[i], se[i] = e.S, e.lift, e.se
		if z != nil {
			lift[i] += e.se * z[i]
		}
	}
	return expOnlyBeta(S, lift, se)
}

// solveFull fits the whole series with reduced right-hand side r and
// baseline solve w (cs.beta, cs.bb hold the coefficients afterwards).
func (f *fitter) solveFull(r, w, expD, expR []float64, cs *colScratch) {
	d := f.d
	d.reduced(f.K, -1, cs, r, expD, expR)
	var init []bool
	if f.passive != nil {
		init = f.passive[f.K]
	}
	cs.nn.solveFrom(cs.R, cs.r, d.nc, cs.beta, init)
	d.baseCoef(f.K, -1, w, cs)
}

// residualSigma is the residual standard deviation over the whole series
// of the fit in cs to y.
func (f *fitter) residualSigma(y []float64, cs *colScratch) float64 {
	sse := 0.0
	active := 0
	for _, b := range cs.beta {
		if b > 0 {
			active++
		}
	}
	for t := range f.T {
		e := y[t] - f.d.predict(t, -1, nil, cs)
		sse += e * e
	}
	dof := max(1, f.T-f.d.nb-active)
	s := math.Sqrt(sse / float64(dof))
	if s == 0 || !finite(s) {
		// A perfect fit: any positive scale keeps the weights finite.
		s = 1e-9 * (1 + maxAbs(y))
	}
	return s
}

func maxAbs(x []float64) float64 {
	m := 0.0
	for _, v := range x {
		m = max(m, math.Abs(v))
	}
	return m
}
