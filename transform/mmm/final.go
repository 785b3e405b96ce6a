package mmm

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"
)

// pointFit is the final fit with the chosen hyperparameters.
type pointFit struct {
	beta, bb []float64 // design coefficients (outcome)
	expOnly  []float64 // Beta per input channel fitted from experiments alone
	// genReg and genRes are the regression part and the residuals of the
	// fit at the chosen hyperparameters without shrinkage (lambda 0): the
	// bootstrap draws its series from them (see bootstrap.go).
	genReg, genRes []float64

	rev       bool
	rpc       float64 // revenue per conversion over the series
	revSigma  float64
	revOffset []float64
	revBeta   []float64
	revBB     []float64
	// genRevReg and genRevRes: genReg and genRes of the revenue.
	genRevReg, genRevRes []float64
}

// final refits with the chosen hyperparameters, bootstraps the intervals
// and assembles the result.
func (f *fitter) final() (*Fit, error) {
	p, ape, err := f.finalPoint()
	if err != nil {
		return nil, err
	}
	groups := f.confoundedGroups()
	dr, err := f.bootstrap(p, groups)
	if err != nil {
		return nil, err
	}

	out := &Fit{
		Grain:   f.in.Grain,
		Start:   f.in.Start,
		Periods: f.T,
	}
	lo, hi := (1-f.o.Interval)/2, 1-(1-f.o.Interval)/2
	f.baselineBand(out, p, dr, lo, hi)
	f.channelPoints(out, p, dr)
	for _, g := range groups {
		f.splitGroup(out, g)
	}
	f.channelIntervals(out, dr, lo, hi)
	f.experimentFit(out)
	f.statistics(out, p, ape)
	out.Warnings = f.warnings
	return out, nil
}

// finalPoint is the fit at the chosen hyperparameters (outcome and revenue) with the holdout
// absolute percentage errors of its folds.
func (f *fitter) finalPoint() (*pointFit, []float64, error) {
	d := f.d
	rg := d.ranges[f.K]
	cs := d.newScratch()
	// sigma again at the chosen hyperparameters, then the final fit.
	f.solveFull(rg.r, rg.w, f.expD, f.expR, cs)
	f.sigma = f.residualSigma(f.yReg, cs)
	f.expTerms()
	f.solveFull(rg.r, rg.w, f.expD, f.expR, cs)
	p := &pointFit{beta: slices.Clone(cs.beta), bb: slices.Clone(cs.bb)}
	p.genReg, p.genRes = f.unshrunk(f.yReg, rg.r, rg.w, f.expD, f.expR, cs)
	p.expOnly = make([]float64, len(f.chans))
	for i, c := range f.chans {
		if c.expOnly {
			p.expOnly[i] = c.expOnlyBeta(nil)
		}
	}

	var ape []float64
	for k := 1; k <= f.K; k++ {
		f.foldSSE(f.K-k, -1, nil, f.expD, f.expR, cs, &ape)
	}
	if err := f.ctx.Err(); err != nil {
		return nil, nil, err
	}
	f.revenueFit(p, cs)
	return p, ape, nil
}

// baselineBand sets the baseline, its interval (the replicates' quantiles lo and hi, widened
// to contain it) and starts Fitted at the baseline.
func (f *fitter) baselineBand(out *Fit, p *pointFit, dr *draws, lo, hi float64) {
	T := f.T
	out.Baseline = f.baselineOf(p.bb, p.beta[f.ic])
	out.Fitted = slices.Clone(out.Baseline)
	out.BaselineLow, out.BaselineHigh = make([]float64, T), make([]float64, T)
	buf := make([]float64, len(dr.base))
	for t := range T {
		for b := range dr.base {
			buf[b] = dr.base[b][t]
		}
		l, h := quantiles(buf, lo, hi)
		out.BaselineLow[t], out.BaselineHigh[t] = min(l, out.Baseline[t]), max(h, out.Baseline[t])
	}
}

// channelPoints appends every channel's point fit to out.Channels and adds the contributions
// to Fitted.
func (f *fitter) channelPoints(out *Fit, p *pointFit, dr *draws) {
	T := f.T
	for i, c := range f.chans {
		cf := ChannelFit{Name: c.name, Identified: c.identified, Why: c.why, Calibrated: c.calibrated}
		cf.Contribution = make([]float64, T)
		cf.ContributionLow = make([]float64, T)
		cf.ContributionHigh = make([]float64, T)
		cf.BetaDraws = dr.beta[i]
		cf.RevBetaDraws = dr.rev[i]
		if c.identified {
			cf.Decay, cf.Shape, cf.HalfSat = c.hp.decay, c.hp.shape, c.halfSat
			if c.expOnly {
				cf.Beta = p.expOnly[i]
				cf.RevBeta = p.expOnly[i] * p.rpc
			} else {
				cf.Beta = p.beta[c.pos]
				if p.rev {
					cf.RevBeta = p.revBeta[c.pos]
				}
			}
			sumH := colSum(c.h)
			for t, v := range c.h {
				cf.Contribution[t] = cf.Beta * v
				out.Fitted[t] += cf.Contribution[t]
			}
			cf.Total = cf.Beta * sumH
			cf.Revenue = cf.RevBeta * sumH
		}
		out.Channels = append(out.Channels, cf)
	}
}

// splitGroup splits a confounded group's summed effect between its channels in proportion
// to spend, and says so in their Why and the warnings.
func (f *fitter) splitGroup(out *Fit, g []int) {
	sum, rsum := 0.0, 0.0
	for _, ch := range g {
		sum += out.Channels[ch].Total
		rsum += out.Channels[ch].Revenue
	}
	shares := f.spendShares(g)
	for k, ch := range g {
		cf := &out.Channels[ch]
		sh := colSum(f.chans[ch].h)
		if sh <= 0 {
			continue
		}
		cf.Beta = shares[k] * sum / sh
		cf.RevBeta = shares[k] * rsum / sh
		cf.Total, cf.Revenue = shares[k]*sum, shares[k]*rsum
		for t, v := range f.chans[ch].h {
			out.Fitted[t] += (cf.Beta*v - cf.Contribution[t])
			cf.Contribution[t] = cf.Beta * v
		}
	}
	names := make([]string, len(g))
	for k, ch := range g {
		names[k] = fmt.Sprintf("%q", f.chans[ch].name)
	}
	note := fmt.Sprintf("spend moves together in %s: their summed effect is measured, the split between them is not (shown in proportion to spend; the intervals span the possible splits)",
		strings.Join(names, ", "))
	for _, ch := range g {
		cf := &out.Channels[ch]
		cf.Why = strings.TrimPrefix(cf.Why+"; "+note, "; ")
	}
	f.warn("channels %s: %s", strings.Join(names, ", "), "their spend moves together: the summed effect is measured, the split between them is not")
}

// channelIntervals sets the identified channels' intervals: the replicates' percentiles,
// widened where needed to contain the point value (the bootstrap draws its series from the
// fit without shrinkage, so its replicates need not surround a shrunk point value; see
// bootstrap.go).
func (f *fitter) channelIntervals(out *Fit, dr *draws, lo, hi float64) {
	for i, c := range f.chans {
		if !c.identified {
			continue
		}
		cf := &out.Channels[i]
		sumH := colSum(c.h)
		bLo, bHi := quantiles(slices.Clone(dr.beta[i]), lo, hi)
		bLo, bHi = min(bLo, cf.Beta), max(bHi, cf.Beta)
		for t, v := range c.h {
			cf.ContributionLow[t] = bLo * v
			cf.ContributionHigh[t] = bHi * v
		}
		cf.TotalLow, cf.TotalHigh = bLo*sumH, bHi*sumH
		rLo, rHi := quantiles(slices.Clone(dr.rev[i]), lo, hi)
		rLo, rHi = min(rLo, cf.RevBeta), max(rHi, cf.RevBeta)
		cf.RevenueLow, cf.RevenueHigh = rLo*sumH, rHi*sumH
	}
}

// experimentFit sets each experiment's predicted lift and z-score, and the share within
// 1.645 standard errors (NaN without experiments).
func (f *fitter) experimentFit(out *Fit) {
	used, within := 0, 0
	out.Experiments = f.expFits
	for _, e := range f.exps {
		ef := &out.Experiments[e.out]
		ef.Predicted = out.Channels[e.ch].Beta * e.S
		ef.Z = (ef.Predicted - e.lift) / e.se
		used++
		if math.Abs(ef.Z) <= 1.645 {
			within++
		}
	}
	out.ExperimentFit = math.NaN()
	if used > 0 {
		out.ExperimentFit = float64(within) / float64(used)
	}
}

// statistics sets R2, NRMSE, the holdout MAPE (from the folds' errors ape) and the baseline
// share.
func (f *fitter) statistics(out *Fit, p *pointFit, ape []float64) {
	T := f.T
	y := f.in.Outcome
	mean, lo_, hi_ := 0.0, math.Inf(1), math.Inf(-1)
	for _, v := range y {
		mean += v
		lo_, hi_ = min(lo_, v), max(hi_, v)
	}
	mean /= float64(T)
	sse, sst := 0.0, 0.0
	for t, v := range y {
		e := v - out.Fitted[t]
		sse += e * e
		sst += (v - mean) * (v - mean)
	}
	out.R2, out.NRMSE, out.HoldoutMAPE, out.BaselineShare = math.NaN(), math.NaN(), math.NaN(), math.NaN()
	if sst > 0 {
		out.R2 = 1 - sse/sst
	}
	if hi_ > lo_ {
		out.NRMSE = math.Sqrt(sse/float64(T)) / (hi_ - lo_)
	}
	if len(ape) > 0 {
		out.HoldoutMAPE = stat.Mean(ape, nil)
	}
	// sum(Baseline) is periods x intercept (the other baseline regressors
	// sum to 0) and sum(Fitted) that plus the channels' totals, taken so
	// that rounding cannot push the share below 0 or above 1.
	sumBase := float64(T) * p.beta[f.ic]
	sumFit := sumBase
	for _, c := range out.Channels {
		sumFit += c.Total
	}
	if sumFit != 0 {
		out.BaselineShare = sumBase / sumFit
	}
}

// baselineOf is the baseline per period with baseline coefficients bb and
// intercept c.
func (f *fitter) baselineOf(bb []float64, c float64) []float64 {
	out := make([]float64, f.T)
	for t := range out {
		out[t] = c
	}
	for b, col := range f.d.base {
		for t, v := range col {
			out[t] += bb[b] * v
		}
	}
	return out
}

// quantiles sorts x in place and returns its lo and hi quantiles (linear
// interpolation); 0, 0 for no values.
func quantiles(x []float64, lo, hi float64) (float64, float64) {
	if len(x) == 0 {
		return 0, 0
	}
	slices.Sort(x)
	return stat.Quantile(lo, stat.LinInterp, x, nil), stat.Quantile(hi, stat.LinInterp, x, nil)
}

// unshrunk solves the regression with right-hand side r, w (of response
// y) and the experiment terms without shrinkage and returns its fitted
// values and residuals; the shrinkage is left as it was.
func (f *fitter) unshrunk(y, r, w, expD, expR []float64, cs *colScratch) (fit, res []float64) {
	lambda := f.d.lambda
	f.d.lambda = 0
	f.solveFull(r, w, expD, expR, cs)
	f.d.lambda = lambda
	fit, res = make([]float64, f.T), make([]float64, f.T)
	for t := range f.T {
		fit[t] = f.d.predict(t, -1, nil, cs)
		res[t] = y[t] - fit[t]
	}
	return fit, res
}

// revenueFit fits Input.Revenue with the outcome's hyperparameters and
// shrinkage: the same columns, its own baseline coefficients and NNLS.
// Experiments enter at the series' revenue per conversion (lift and SE
// times revenue/conversions), an assumption stated here because Experiment
// carries no revenue lift; channels fitted from experiments alone get
// RevBeta = Beta x revenue per conversion.
func (f *fitter) revenueFit(p *pointFit, cs *colScratch) {
	d := f.d
	nc := d.nc
	p.revBeta = make([]float64, nc)
	p.revBB = make([]float64, d.nb)
	if f.in.Revenue == nil {
		f.warn("no revenue series: revenue figures (RevBeta, Revenue) are 0")
		return
	}
	p.rev = true
	sumY, sumR := 0.0, 0.0
	for t := range f.T {
		sumY += f.in.Outcome[t]
		sumR += f.in.Revenue[t]
	}
	if sumY > 0 {
		p.rpc = sumR / sumY
	}
	p.revOffset = make([]float64, f.T)
	for i, c := range f.chans {
		if b := p.expOnly[i] * p.rpc; b != 0 {
			for t, v := range c.h {
				p.revOffset[t] += b * v
			}
		}
	}
	revReg := make([]float64, f.T)
	for t := range f.T {
		revReg[t] = f.in.Revenue[t] - p.revOffset[t]
	}
	w := make([]float64, d.nb)
	r := make([]float64, nc)
	d.rhs(revReg, w, r, cs.tmp)
	zero := make([]float64, nc)
	f.solveFull(r, w, zero, zero, cs)
	p.revSigma = f.residualSigma(revReg, cs)
	expD, expR := f.revenueExpTerms(p)
	f.solveFull(r, w, expD, expR, cs)
	p.revBeta = slices.Clone(cs.beta)
	p.revBB = slices.Clone(cs.bb)
	p.genRevReg, p.genRevRes = f.unshrunk(revReg, r, w, expD, expR, cs)
}

// revenueExpTerms are the experiments' terms of the revenue regression at
// the current window sums and lifts (see revenueFit).
func (f *fitter) revenueExpTerms(p *pointFit) (expD, expR []float64) {
	expD, expR = make([]float64, f.d.nc), make([]float64, f.d.nc)
	if p.rpc <= 0 {
		return expD, expR
	}
	for _, e := range f.regExps {
		k := p.revSigma * p.revSigma / (e.se * e.se * p.rpc * p.rpc)
		pos := f.chans[e.ch].pos
		expD[pos] += k * e.S * e.S
		expR[pos] += k * e.S * e.lift * p.rpc
	}
	return expD, expR
}

// confoundedGroups returns groups (input channel indexes) of regression
// channels between which the data carry no information on the split of
// their effect. It looks at the channels' spend through one common
// transform (every channel at the starting hyperparameters, so that spend
// in proportion gives identical columns: differences in the fitted
// hyperparameters of such channels are not information the data can
// vouch for). In those normal equations (baseline partialled out,
// experiments included, standardised) each member has a variance
// inflation factor of at least confoundedVIF (its column 99.9% explained
// by the others) and the members' estimates correlate at or below
// confoundedCorr. This is spend moving in lockstep (identical flights) with
// no experiment on either; an experiment on one channel of a pair carries
// information on that channel alone and separates the pair. Where the
// split is only weakly informed the channels are not grouped and the
// bootstrap gives wide intervals itself.
func (f *fitter) confoundedGroups() [][]int {
	nc := len(f.fitted) // channels only: the intercept is partialled out below
	if nc < 2 {
		return nil
	}
	R, expD, sq := f.partialledGram()
	var idx []int
	for j := range nc {
		if R[j*nc+j] > explainedTol*sq[j] {
			idx = append(idx, j)
		}
	}
	k := len(idx)
	if k < 2 {
		return nil
	}
	inv := scaledInverse(R, expD, nc, idx)
	parent := make([]int, k)
	for i := range parent {
		parent[i] = i
	}
	find := func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	for a := range k {
		if inv.At(a, a) < confoundedVIF {
			continue
		}
		for b := a + 1; b < k; b++ {
			if inv.At(b, b) < confoundedVIF {
				continue
			}
			corr := inv.At(a, b) / math.Sqrt(inv.At(a, a)*inv.At(b, b))
			if corr <= confoundedCorr {
				ra, rb := find(a), find(b)
				if ra != rb {
					parent[max(ra, rb)] = min(ra, rb)
				}
			}
		}
	}
	var groups [][]int
	slot := make([]int, k)
	for i := range slot {
		slot[i] = -1
	}
	for a := range k {
		r := find(a)
		if slot[r] < 0 {
			slot[r] = len(groups)
			groups = append(groups, nil)
		}
		groups[slot[r]] = append(groups[slot[r]], f.fitted[idx[a]])
	}
	out := groups[:0]
	for _, g := range groups {
		if len(g) > 1 {
			out = append(out, g)
		}
	}
	return out
}

// partialledGram returns, for the fitted channels' columns at the default hyperparameters,
// their Gram matrix R (nc x nc, row-major) with the baseline regressors and the intercept
// partialled out, each channel's experiment information expD, and each column's plain sum of
// squares sq.
func (f *fitter) partialledGram() (R, expD, sq []float64) {
	d := f.d
	nc := len(f.fitted)
	rg := d.ranges[f.K]
	T := f.T
	hp := f.defaultHyper()
	ref := make([][]float64, nc)
	gbc := make([][]float64, nc)
	u := make([][]float64, nc)
	expD = make([]float64, nc)
	a := make([]float64, T)
	tmp := mat.NewVecDense(max(d.nb, 1), nil)
	w2 := f.sigma * f.sigma
	for j, ch := range f.fitted {
		c := f.chans[ch]
		ref[j] = make([]float64, T)
		halfSat := c.columnInto(hp, ref[j], a)
		gbc[j] = make([]float64, d.nb)
		u[j] = make([]float64, d.nb)
		for b := range d.nb {
			gbc[j][b] = dot(d.base[b], ref[j])
		}
		rg.bs.solve(u[j], gbc[j], tmp)
		for _, e := range c.exps {
			s := e.windowSum(hp, halfSat, ref[j], a)
			expD[j] += w2 / (e.se * e.se) * s * s
		}
	}
	// The baseline regressors are centred, so partialling out the intercept
	// as well subtracts T x mean x mean.
	mean := make([]float64, nc)
	for j := range nc {
		mean[j] = colSum(ref[j]) / float64(T)
	}
	R = make([]float64, nc*nc)
	for i := range nc {
		for j := i; j < nc; j++ {
			v := dot(ref[i], ref[j]) - float64(T)*mean[i]*mean[j] - dot(gbc[i], u[j])
			R[i*nc+j], R[j*nc+i] = v, v
		}
	}
	sq = make([]float64, nc)
	for j := range nc {
		sq[j] = dot(ref[j], ref[j])
	}
	return R, expD, sq
}

// scaledInverse is the inverse of the correlation-scaled information matrix of the channels
// idx (R plus experiment information, with a small ridge; made positive definite if needed).
func scaledInverse(R, expD []float64, nc int, idx []int) *mat.SymDense {
	k := len(idx)
	sym := mat.NewSymDense(k, nil)
	for a, i := range idx {
		si := 1 / math.Sqrt(R[i*nc+i]+expD[i])
		for b, j := range idx {
			if b < a {
				continue
			}
			sj := 1 / math.Sqrt(R[j*nc+j]+expD[j])
			v := R[i*nc+j]
			if a == b {
				v += expD[i]
			}
			v *= si * sj
			if a == b {
				v += channelRidge
			}
			sym.SetSym(a, b, v)
		}
	}
	var ch mat.Cholesky
	for add := 1e-9; !ch.Factorize(sym); add *= 10 {
		for a := range k {
			sym.SetSym(a, a, sym.At(a, a)+add)
		}
	}
	var inv mat.SymDense
	_ = ch.InverseTo(&inv) // a Condition error: near singular, which is what is looked for
	return &inv
}

// spendShares is each group member's share of the group's spend.
func (f *fitter) spendShares(g []int) []float64 {
	sh := make([]float64, len(g))
	tot := 0.0
	for k, ch := range g {
		sh[k] = colSum(f.chans[ch].spend)
		tot += sh[k]
	}
	for k := range sh {
		sh[k] /= tot
	}
	return sh
}
