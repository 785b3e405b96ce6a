package mmm

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestNNLSByHand(t *testing.T) {
	t.Parallel()
	var s nnlsSolver
	x := make([]float64, 3)
	// G = I: the solution clips the negative component of g.
	s.solve([]float64{1, 0, 0, 0, 1, 0, 0, 0, 1}, []float64{1, -2, 3}, 3, x)
	want := []float64{1, 0, 3}
	for i := range want {
		if math.Abs(x[i]-want[i]) > 1e-5 {
			t.Errorf("identity: x = %v, want %v", x, want)
			break
		}
	}
	// G = [[2,1],[1,2]], g = (3,-1): unconstrained (7/3, -5/3); with x2 = 0,
	// x1 = 3/2 and the gradient of x2, -1 - 1.5, is negative (KKT holds).
	x = x[:2]
	s.solve([]float64{2, 1, 1, 2}, []float64{3, -1}, 2, x)
	if math.Abs(x[0]-1.5) > 1e-5 || x[1] != 0 {
		t.Errorf("2x2: x = %v, want [1.5 0]", x)
	}
	// All positive: the unconstrained solution (7/3... here g = (4,5):
	// x = (1/3)(2*4-5, -4+2*5) = (1, 2)).
	s.solve([]float64{2, 1, 1, 2}, []float64{4, 5}, 2, x)
	if math.Abs(x[0]-1) > 1e-5 || math.Abs(x[1]-2) > 1e-5 {
		t.Errorf("interior: x = %v, want [1 2]", x)
	}
	// A zero column is fixed at 0.
	s.solve([]float64{0, 0, 0, 4}, []float64{0, 8}, 2, x)
	if x[0] != 0 || math.Abs(x[1]-2) > 1e-5 {
		t.Errorf("zero column: x = %v, want [0 2]", x)
	}
}

// An exact linear model with positive coefficients is recovered from its
// normal equations; columns of very different scales test the internal
// standardisation.
func TestNNLSExactRecovery(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(3, 4))
	const n, p = 200, 6
	A := make([][]float64, p)
	truth := []float64{0.5, 2, 0, 7, 0.01, 3}
	scale := []float64{1, 1e3, 1, 1e-3, 10, 1}
	y := make([]float64, n)
	for j := range p {
		A[j] = make([]float64, n)
		for i := range n {
			A[j][i] = scale[j] * r.Float64()
			y[i] += A[j][i] * truth[j] / scale[j]
		}
	}
	G := make([]float64, p*p)
	g := make([]float64, p)
	for i := range p {
		g[i] = dot(A[i], y)
		for j := range p {
			G[i*p+j] = dot(A[i], A[j])
		}
	}
	var s nnlsSolver
	x := make([]float64, p)
	s.solve(G, g, p, x)
	for j := range p {
		if got, want := x[j]*scale[j], truth[j]; math.Abs(got-want) > 1e-4*math.Max(1, want) {
			t.Errorf("coefficient %d = %g, want %g", j, got, want)
		}
	}
}

// The partialled-out design (free baseline, channels >= 0) recovers an
// exact model, and a candidate column evaluated incrementally gives the
// same normal equations as a design built from scratch with it.
func TestDesignIncrementalUpdate(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(5, 6))
	const T, K, H = 300, 3, 20
	base := [][]float64{make([]float64, T), make([]float64, T), make([]float64, T)}
	cols := [][]float64{make([]float64, T), make([]float64, T), make([]float64, T)}
	y := make([]float64, T)
	bTrue := []float64{50, -20, 5}
	cTrue := []float64{10, 0, 4}
	for t := range T {
		base[0][t] = 1
		base[1][t] = float64(t) / T
		base[2][t] = math.Sin(float64(t) / 9)
		for c := range cols {
			cols[c][t] = r.Float64()
		}
		for i := range base {
			y[t] += bTrue[i] * base[i][t]
		}
		for c := range cols {
			y[t] += cTrue[c] * cols[c][t]
		}
	}
	d := newDesign(base, cols, y, K, H)
	cs := d.newScratch()
	zero := make([]float64, len(cols))
	d.reduced(K, -1, cs, nil, zero, zero)
	cs.nn.solve(cs.R, cs.r, d.nc, cs.beta)
	d.baseCoef(K, -1, d.ranges[K].w, cs)
	for c := range cTrue {
		if math.Abs(cs.beta[c]-cTrue[c]) > 1e-4 {
			t.Errorf("channel %d: %g, want %g", c, cs.beta[c], cTrue[c])
		}
	}
	for i := range bTrue {
		if math.Abs(cs.bb[i]-bTrue[i]) > 1e-3 {
			t.Errorf("baseline %d: %g, want %g", i, cs.bb[i], bTrue[i])
		}
	}

	// Replace channel 1's column by a candidate.
	h := make([]float64, T)
	for t := range h {
		h[t] = r.Float64() * 2
	}
	d.products(1, h, cs)
	cols2 := [][]float64{cols[0], h, cols[2]}
	d2 := newDesign(base, cols2, y, K, H)
	cs2 := d2.newScratch()
	for m := 0; m <= K; m++ {
		d.reduced(m, 1, cs, nil, zero, zero)
		d2.reduced(m, -1, cs2, nil, zero, zero)
		for i := range cs.R {
			if math.Abs(cs.R[i]-cs2.R[i]) > 1e-9*math.Max(1, math.Abs(cs2.R[i])) {
				t.Fatalf("range %d: R[%d] = %g incrementally, %g from scratch", m, i, cs.R[i], cs2.R[i])
			}
		}
		for i := range cs.r {
			if math.Abs(cs.r[i]-cs2.r[i]) > 1e-9*math.Max(1, math.Abs(cs2.r[i])) {
				t.Fatalf("range %d: r[%d] = %g incrementally, %g from scratch", m, i, cs.r[i], cs2.r[i])
			}
		}
	}
	// Committing it makes the stored equations those of the new design.
	d.commit(1, h, cs)
	for m := 0; m <= K; m++ {
		for i := range d.ranges[m].R {
			if math.Abs(d.ranges[m].R[i]-d2.ranges[m].R[i]) > 1e-9*math.Max(1, math.Abs(d2.ranges[m].R[i])) {
				t.Fatalf("after commit, range %d: R[%d] = %g, want %g", m, i, d.ranges[m].R[i], d2.ranges[m].R[i])
			}
		}
	}
}

// A design copied for another response (a bootstrap replicate) has the
// normal equations of a design built from scratch with that response.
func TestDesignWithY(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(7, 8))
	const T, K, H = 200, 2, 30
	base := [][]float64{make([]float64, T), make([]float64, T)}
	cols := [][]float64{make([]float64, T), make([]float64, T), make([]float64, T)}
	y, y2 := make([]float64, T), make([]float64, T)
	for t := range T {
		base[0][t] = float64(t)/T - 0.5
		base[1][t] = math.Cos(float64(t) / 7)
		for c := range cols {
			cols[c][t] = r.Float64()
		}
		cols[2][t] = 1
		y[t], y2[t] = 10*r.Float64(), 20*r.Float64()
	}
	d := newDesign(base, cols, y, K, H)
	e := d.withY(y2)
	want := newDesign(base, cols, y2, K, H)
	close := func(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b)) }
	for m := 0; m <= K; m++ {
		got, w := e.ranges[m], want.ranges[m]
		for i := range w.w {
			if !close(got.w[i], w.w[i]) || !close(got.gb[i], w.gb[i]) {
				t.Fatalf("range %d: baseline solve %d = %g, want %g", m, i, got.w[i], w.w[i])
			}
		}
		for i := range w.r {
			if !close(got.r[i], w.r[i]) || !close(got.gc[i], w.gc[i]) {
				t.Fatalf("range %d: r[%d] = %g, want %g", m, i, got.r[i], w.r[i])
			}
		}
		for i := range w.R {
			if !close(got.R[i], w.R[i]) {
				t.Fatalf("range %d: R[%d] = %g, want %g", m, i, got.R[i], w.R[i])
			}
		}
	}
	// The copy owns its columns: committing a candidate to it leaves d alone.
	h := make([]float64, T)
	for t := range h {
		h[t] = 3
	}
	cs := e.newScratch()
	e.products(0, h, cs)
	e.commit(0, h, cs)
	if d.cols[0][0] == 3 || d.ranges[K].R[0] == e.ranges[K].R[0] {
		t.Error("committing to the copy changed the original")
	}
}

// The shrinkage adds lambda x (mean of the column over all rows)^2 to a
// channel's diagonal in every range and nothing to the intercept's; a
// channel with an exactly constant column is recognised as the intercept
// (no information) and dropped.
func TestDesignShrinkage(t *testing.T) {
	t.Parallel()
	const T, K, H = 60, 1, 20
	base := [][]float64{make([]float64, T)}
	x, one, flat := make([]float64, T), make([]float64, T), make([]float64, T)
	y := make([]float64, T)
	for t := range T {
		base[0][t] = float64(t%7) - 3
		x[t] = float64(t%5 + 1) // mean 3
		one[t] = 1
		flat[t] = 2
		y[t] = 5 + 2*x[t]
	}
	d := newDesign(base, [][]float64{x, flat, one}, y, K, H)
	d.ic = 2
	cs := d.newScratch()
	zero := make([]float64, 3)
	plain := make([][]float64, K+1)
	for m := 0; m <= K; m++ {
		d.reduced(m, -1, cs, nil, zero, zero)
		plain[m] = append([]float64(nil), cs.R...)
		if cs.R[1*3+1] != 0 || cs.r[1] != 0 {
			t.Errorf("range %d: the constant column is kept: R %g, r %g", m, cs.R[4], cs.r[1])
		}
	}
	d.lambda = 0.5
	for m := 0; m <= K; m++ {
		d.reduced(m, -1, cs, nil, zero, zero)
		if got, want := cs.R[0], plain[m][0]+0.5*3*3; math.Abs(got-want) > 1e-9*want {
			t.Errorf("range %d: channel diagonal %g, want %g", m, got, want)
		}
		if cs.R[8] != plain[m][8] {
			t.Errorf("range %d: intercept diagonal %g, want %g", m, cs.R[8], plain[m][8])
		}
	}
	// Without shrinkage the exact model is recovered, intercept included.
	d.lambda = 0
	d.reduced(K, -1, cs, nil, zero, zero)
	cs.nn.solve(cs.R, cs.r, 3, cs.beta)
	if math.Abs(cs.beta[0]-2) > 1e-4 || math.Abs(cs.beta[2]-5) > 1e-3 || cs.beta[1] != 0 {
		t.Errorf("coefficients %v, want [2 0 5]", cs.beta)
	}
}
