package mmm

import (
	"math/rand/v2"
	"runtime"
	"sync"

	"gonum.org/v1/gonum/stat/distuv"
)

// Intervals: a moving-block bootstrap of the final fit's residuals.
//
// Replicate b (b = 0..Bootstrap-1) draws from its own generator
// rand.New(rand.NewPCG(Seed, b)), so replicates can run on any number of
// goroutines and a fit is identical for a seed. It draws, in this order:
// block starts uniform on 0..T-L (L = 28 periods daily, 4 weekly, at most
// T) until T residuals are laid end to end; one N(0,1) per usable
// experiment; one Gamma draw per member of each confounded group. Then
//
//   - y* = fitted + resampled residuals (the revenue uses the same blocks
//     on its own residuals);
//   - each experiment's lift is Lift + SE*N(0,1) (its revenue lift the same
//     draw times revenue per conversion);
//   - Beta and RevBeta are refitted with the hyperparameters fixed
//     (channels fitted from experiments alone from their drawn lifts);
//   - for a confounded group the replicate's summed contribution is split
//     between its channels by a Dirichlet draw centred on their spend
//     shares (alpha_i = group size x spend share_i, from Gamma(alpha_i)
//     draws): the data say nothing about the split, and this makes each
//     channel's interval span the possible splits instead of repeating one
//     arbitrary split.
//
// Intervals are percentile intervals of the replicates at (1-Interval)/2
// and 1-(1-Interval)/2; the point values are those of the final fit (so an
// interval need not be centred on them). A channel's contribution is Beta
// times its fixed column, so its per-period and total intervals are its
// column times the quantiles of BetaDraws.

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
	idx        []int
	z, split   []float64
	y, off     []float64
	w, r, expR []float64
	cs         *colScratch
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
			w: make([]float64, f.d.nb), r: make([]float64, f.d.nc), expR: make([]float64, f.d.nc),
			cs: f.d.newScratch(),
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
	d := f.d
	src := rand.NewPCG(f.o.Seed, uint64(b))
	rng := rand.New(src)
	blockIndex(rng, ws.idx, blockLen(f.in.Grain, T))
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

	// Channels fitted from experiments alone.
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

	// Outcome.
	for t := range T {
		ws.y[t] = p.fitReg[t] + p.res[ws.idx[t]] + f.offset[t] - ws.off[t]
	}
	d.rhs(ws.y, ws.w, ws.r, ws.cs.tmp)
	clear(ws.expR)
	w2 := f.sigma * f.sigma
	for _, e := range f.regExps {
		k := w2 / (e.se * e.se)
		ws.expR[f.chans[e.ch].pos] += k * e.S * (e.lift + e.se*ws.z[e.k])
	}
	f.solveFull(ws.r, ws.w, f.expD, ws.expR, ws.cs)
	base := make([]float64, T)
	for bi := range d.nb {
		c := ws.cs.bb[bi]
		for t, v := range d.base[bi] {
			base[t] += c * v
		}
	}
	dr.base[b] = base
	for i, c := range f.chans {
		switch {
		case c.expOnly:
			dr.beta[i][b] = betaX[i]
		case c.pos >= 0:
			dr.beta[i][b] = ws.cs.beta[c.pos]
		}
	}

	// Revenue, on the same blocks and lift draws.
	if p.rev {
		for t := range T {
			revOff := 0.0
			for i, c := range f.chans {
				if c.expOnly {
					revOff += betaX[i] * p.rpc * c.h[t]
				}
			}
			ws.y[t] = p.revFitReg[t] + p.revRes[ws.idx[t]] + p.revOffset[t] - revOff
		}
		d.rhs(ws.y, ws.w, ws.r, ws.cs.tmp)
		clear(ws.expR)
		for _, e := range f.regExps {
			if k := p.revExpK[e.k]; k > 0 {
				ws.expR[f.chans[e.ch].pos] += k * e.S * (e.lift + e.se*ws.z[e.k]) * p.rpc
			}
		}
		f.solveFull(ws.r, ws.w, p.revExpD, ws.expR, ws.cs)
		for i, c := range f.chans {
			switch {
			case c.expOnly:
				dr.rev[i][b] = betaX[i] * p.rpc
			case c.pos >= 0:
				dr.rev[i][b] = ws.cs.beta[c.pos]
			}
		}
	}

	// Confounded groups: split the replicate's summed contribution.
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

func colSum(x []float64) float64 {
	s := 0.0
	for _, v := range x {
		s += v
	}
	return s
}
