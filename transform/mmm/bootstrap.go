package mmm

import (
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"

	"gonum.org/v1/gonum/stat/distuv"
)

// Intervals: a moving-block bootstrap of the whole selection, cheapened.
//
// Replicate b (b = 0..Bootstrap-1) draws from its own generator
// rand.New(rand.NewPCG(Seed, b)), so replicates can run on any number of
// goroutines and a fit is identical for a seed. It draws, in this order:
// block starts uniform on 0..T-L (L = 28 periods daily, 4 weekly, at most
// T) until T residuals are laid end to end; one N(0,1) per usable
// experiment; one Gamma draw per member of each confounded group. Then
//
//   - y* = fitted + resampled residuals, both of the fit at the chosen
//     hyperparameters without shrinkage (the revenue uses the same blocks
//     on its own such fit): drawn from the shrunk fit, the replicates would
//     shrink an already shrunk effect again and their intervals would sit
//     below the truth of any channel the shrinkage pulls down;
//   - each experiment's lift is Lift + SE*N(0,1) (its revenue lift the same
//     draw times revenue per conversion);
//   - the selection is rerun on y*, cheaply (reselect): the shrinkage from
//     its grid, and each channel's hyperparameters moved to a better
//     neighbour on the unit cube, at most twice, in one sweep. With the
//     hyperparameters held fixed the intervals ignored how uncertain they
//     are and covered the truth too rarely (see reselectStep);
//   - Beta and RevBeta are refitted at the replicate's selection (channels
//     fitted from experiments alone from their drawn lifts). A replicate's
//     curve differs from the point fit's, so its draw is kept as the Beta
//     that gives the replicate's total on the point curve: BetaDraws[b] =
//     Beta* x sum(column*) / sum(column), in which the per-period and total
//     intervals and figures derived from BetaDraws are read;
//   - for a confounded group the replicate's summed contribution is split
//     between its channels by a Dirichlet draw centred on their spend
//     shares (alpha_i = group size x spend share_i, from Gamma(alpha_i)
//     draws): the data say nothing about the split, and this makes each
//     channel's interval span the possible splits instead of repeating one
//     arbitrary split.
//
// Intervals are percentile intervals of the replicates at (1-Interval)/2
// and 1-(1-Interval)/2, widened where needed to contain the point value of
// the final fit (which is shrunk, so the replicates need not surround it);
// an interval need not be centred on its point value. A channel's
// contribution interval is its point column times the quantiles of
// BetaDraws.

// draws are the bootstrap replicates.
type draws struct {
	beta, rev [][]float64 // [input channel][replicate]
	base      [][]float64 // [replicate][period], baseline of the outcome
}

func blockLen(g Grain, T int) int {
	return min(T, pick(g == Day, 28, 4))
}

// blockIndex fills idx with a moving-block resample of 0..len(idx)-1:
// blocks of L consecutive indexes starting uniformly on 0..len(idx)-L, laid
// end to end (the last one cut).
func blockIndex(rng *rand.Rand, idx []int, L int) {
	T := len(idx)
	for pos := 0; pos < T; {
		s := rng.IntN(T - L + 1)
		for k := 0; k < L && pos < T; k++ {
			idx[pos] = s + k
			pos++
		}
	}
}

type bootWS struct {
	idx      []int
	z, split []float64
	y, off   []float64
}

func (f *fitter) bootstrap(p *pointFit, groups [][]int) (*draws, error) {
	B := f.o.Bootstrap
	T := f.T
	dr := &draws{beta: make([][]float64, len(f.chans)), rev: make([][]float64, len(f.chans)), base: make([][]float64, B)}
	for i := range f.chans {
		dr.beta[i] = make([]float64, B)
		dr.rev[i] = make([]float64, B)
	}
	next := make(chan int, B)
	for b := range B {
		next <- b
	}
	close(next)
	var wg sync.WaitGroup
	for range max(1, min(runtime.GOMAXPROCS(0), B)) {
		ws := &bootWS{
			idx: make([]int, T), z: make([]float64, len(f.exps)),
			y: make([]float64, T), off: make([]float64, T),
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range next {
				if f.ctx.Err() != nil {
					continue
				}
				f.replicate(b, p, groups, ws, dr)
			}
		}()
	}
	wg.Wait()
	if err := f.ctx.Err(); err != nil {
		return nil, err
	}
	return dr, nil
}

// replicate computes bootstrap replicate b into dr.
func (f *fitter) replicate(b int, p *pointFit, groups [][]int, ws *bootWS, dr *draws) {
	T := f.T
	f.drawReplicate(b, groups, ws)
	betaX := f.expOnlyBetas(ws)

	// Outcome: the series drawn, the selection rerun on it (see reselect),
	// the refit.
	y := make([]float64, T)
	for t := range T {
		y[t] = p.genReg[t] + p.genRes[ws.idx[t]] + f.offset[t] - ws.off[t]
	}
	r := f.clone(y, ws.z)
	r.reselect()
	cs := r.workers[0].cs
	rg := r.d.ranges[r.K]
	r.solveFull(rg.r, rg.w, r.expD, r.expR, cs)
	dr.base[b] = r.baselineOf(cs.bb, cs.beta[r.ic])
	for i, c := range f.chans {
		switch {
		case c.expOnly:
			dr.beta[i][b] = betaX[i]
		case c.pos >= 0:
			dr.beta[i][b] = f.equiv(r, i, cs.beta[c.pos])
		}
	}

	// Revenue, on the same blocks, lift draws and selection.
	if p.rev {
		f.replicateRevenue(b, p, r, y, betaX, ws, dr)
	}
	f.splitGroups(b, groups, ws, dr)
}

// drawReplicate makes replicate b's draws from its own generator, in the
// package comment's order: the block starts (into ws.idx), one N(0,1) per
// experiment (ws.z), one Gamma draw per member of each confounded group
// (ws.split).
func (f *fitter) drawReplicate(b int, groups [][]int, ws *bootWS) {
	src := rand.NewPCG(f.o.Seed, uint64(b))
	rng := rand.New(src)
	blockIndex(rng, ws.idx, blockLen(f.in.Grain, f.T))
	for i := range ws.z {
		ws.z[i] = rng.NormFloat64()
	}
	ws.split = ws.split[:0]
	for _, g := range groups {
		for _, share := range f.spendShares(g) {
			gam := distuv.Gamma{Alpha: float64(len(g)) * share, Beta: 1, Src: src}
			ws.split = append(ws.split, gam.Rand())
		}
	}
}

// expOnlyBetas fits the channels fitted from experiments alone from the
// replicate's lift draws ws.z and returns their Betas by channel (0 for
// the others); their contributions are summed into ws.off.
func (f *fitter) expOnlyBetas(ws *bootWS) []float64 {
	clear(ws.off)
	betaX := make([]float64, len(f.chans))
	for i, c := range f.chans {
		if !c.expOnly {
			continue
		}
		z := make([]float64, len(c.exps))
		for k, e := range c.exps {
			z[k] = ws.z[e.k]
		}
		betaX[i] = c.expOnlyBeta(z)
		for t, v := range c.h {
			ws.off[t] += betaX[i] * v
		}
	}
	return betaX
}

// equiv is replicate r's Beta of channel i as the Beta of the point
// curve that gives the same total (see the package comment).
func (f *fitter) equiv(r *fitter, i int, beta float64) float64 {
	if sh := colSum(f.chans[i].h); sh > 0 {
		return beta * colSum(r.chans[i].h) / sh
	}
	return 0
}

// replicateRevenue refits the revenue of replicate b (fitter r) on the
// same blocks, lift draws and selection, into dr.rev; y is reused for the
// revenue series drawn.
func (f *fitter) replicateRevenue(b int, p *pointFit, r *fitter, y, betaX []float64, ws *bootWS, dr *draws) {
	cs := r.workers[0].cs
	for t := range f.T {
		revOff := 0.0
		for i, c := range f.chans {
			if c.expOnly {
				revOff += betaX[i] * p.rpc * c.h[t]
			}
		}
		y[t] = p.genRevReg[t] + p.genRevRes[ws.idx[t]] + p.revOffset[t] - revOff
	}
	w := make([]float64, r.d.nb)
	rr := make([]float64, r.d.nc)
	r.d.rhs(y, w, rr, cs.tmp)
	expD, expR := r.revenueExpTerms(p)
	r.solveFull(rr, w, expD, expR, cs)
	for i, c := range f.chans {
		switch {
		case c.expOnly:
			dr.rev[i][b] = betaX[i] * p.rpc
		case c.pos >= 0:
			dr.rev[i][b] = f.equiv(r, i, cs.beta[c.pos])
		}
	}
}

// splitGroups splits replicate b's summed contribution of each confounded
// group between its channels by the group's Dirichlet draw in ws.split.
func (f *fitter) splitGroups(b int, groups [][]int, ws *bootWS, dr *draws) {
	k := 0
	for _, g := range groups {
		split := ws.split[k : k+len(g)]
		k += len(g)
		tot := 0.0
		for _, v := range split {
			tot += v
		}
		sum, rsum := 0.0, 0.0
		for _, ch := range g {
			sh := colSum(f.chans[ch].h)
			sum += dr.beta[ch][b] * sh
			rsum += dr.rev[ch][b] * sh
		}
		for j, ch := range g {
			sh := colSum(f.chans[ch].h)
			if sh > 0 {
				dr.beta[ch][b] = split[j] / tot * sum / sh
				dr.rev[ch][b] = split[j] / tot * rsum / sh
			}
		}
	}
}

// clone is the fitter's state with the regression's outcome replaced by y
// and every experiment's lift by Lift + SE*z[k]: a bootstrap replicate's
// own fitter, sharing nothing it changes with f.
func (f *fitter) clone(y, z []float64) *fitter {
	g := *f
	g.warnings, g.workers, g.passive = nil, nil, nil
	g.yReg = y
	copies := make(map[*expUse]*expUse, len(f.exps))
	g.exps = make([]*expUse, len(f.exps))
	for i, e := range f.exps {
		c := *e
		c.lift = e.lift + e.se*z[e.k]
		copies[e] = &c
		g.exps[i] = &c
	}
	g.regExps = make([]*expUse, len(f.regExps))
	for i, e := range f.regExps {
		g.regExps[i] = copies[e]
	}
	g.chans = make([]*chanState, len(f.chans))
	for i, c := range f.chans {
		cc := *c
		cc.h = slices.Clone(c.h)
		cc.exps = make([]*expUse, len(c.exps))
		for k, e := range c.exps {
			cc.exps[k] = copies[e]
		}
		g.chans[i] = &cc
	}
	g.d = f.d.withY(y)
	g.expD, g.expR = make([]float64, g.d.nc), make([]float64, g.d.nc)
	g.expTerms()
	ws := g.newWorker()
	g.workers = []*worker{ws}
	g.refreshPassive(ws.cs)
	return &g
}

// reselect is the bootstrap's cheap rerun of the selection (see the
// package comment): the shrinkage from its grid; one sweep over the
// channels in which each may move, up to reselectMoves times, to the best
// of the six neighbours of its hyperparameters on the unit cube (one step
// of reselectStep up or down in decay, shape or half-saturation) that
// lowers the objective; the shrinkage again. Sequential: replicates run in
// parallel.
func (f *fitter) reselect() {
	ws := f.workers[0]
	obj := f.chooseLambda(ws)
	for _, ch := range f.fitted {
		if f.ctx.Err() != nil {
			return
		}
		best, bestObj := f.chans[ch].hp, obj
		for range reselectMoves {
			u := f.toUnit(best)
			from := bestObj
			for axis := range 3 {
				for _, step := range []float64{-reselectStep, reselectStep} {
					v := slices.Clone(u)
					v[axis] = min(max(v[axis]+step, 0), 1)
					if v[axis] == u[axis] {
						continue
					}
					hp := f.fromUnit(v)
					if o := f.evaluate(ch, hp, ws); o < bestObj {
						best, bestObj = hp, o
					}
				}
			}
			if bestObj >= from {
				break
			}
		}
		if bestObj < obj {
			f.evaluate(ch, best, ws)
			f.commit(ch, best, ws)
			obj = bestObj
		}
	}
	f.chooseLambda(ws)
}

// reselectStep and reselectMoves: see reselect. Over 20 simulated series
// of each kind (fit_test.go's generators) the 90% intervals of the channel
// totals covered the truth in 76% (3 years daily), 40% (3 years weekly)
// and 69% (1 year daily, weak) of channel fits with the hyperparameters
// held fixed; with decay and half-saturation moved by 0.2 (shape held)
// in 84%, 88% and 90%; with shape moved too, as here, in 90%, 93% and 91%.
const (
	reselectStep  = 0.2
	reselectMoves = 2
)

func colSum(x []float64) float64 {
	s := 0.0
	for _, v := range x {
		s += v
	}
	return s
}
