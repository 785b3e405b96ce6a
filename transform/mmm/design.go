package mmm

import (
	"math"
	"slices"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// design holds the regression of one outcome series for the hyperparameter
// search and the final fit: baseline regressors (free coefficients) and the
// columns with coefficients >= 0: one per fitted channel (Hill of adstock)
// and, in a fit, the intercept (column ic, all ones; see buildBaseline).
//
// Shrinkage: with lambda > 0 each channel column j != ic carries a ridge
// penalty on its mean contribution over the whole series,
//
//	lambda * (beta_j * mean(x_j))^2,  mean over all T rows,
//
// in the units of the squared error, whatever range is fitted (a prior on
// the channel's mean contribution, which does not grow with the rows
// fitted; see fitter.chooseLambda for lambda). It pulls a channel's level
// towards 0: a channel whose column varies little around its mean (always
// on) is shrunk most, because its level is what the data can hardly tell
// from the intercept's; a pulsed channel, whose column varies a lot,
// little.
//
// The rows are cut into segments for rolling-origin holdouts: segment 0 is
// [0, T-K*H), segment i (1..K) is [T-(K-i+1)*H, T-(K-i)*H). Range m covers
// segments 0..m, i.e. rows [0, segEnd[m]): fold k trains on range K-k and is
// tested on segment K-k+1; range K is the whole series.
//
// Per range the normal equations are kept in partialled-out form
// (Frisch-Waugh-Lovell): the baseline block B = Xb'Xb is factorised once,
// and the channels' reduced Gram R = Xc'Xc - Xc'Xb B^-1 Xb'Xc and reduced
// right-hand side r = Xc'y - Xc'Xb B^-1 Xb'y make a small NNLS in the
// channel coefficients (and the intercept's) alone; the baseline
// coefficients follow as B^-1 (Xb'y - Xb'Xc beta). A coordinate step of
// the search changes one channel column, which changes one row and column
// of each range's R: that is all a candidate costs (one pass over T for
// its cross-products).
type design struct {
	T, K, H int
	nb, nc  int
	base    [][]float64 // nb columns, each len T
	cols    [][]float64 // nc channel columns, each len T
	y       []float64
	segEnd  []int // len K+1
	ranges  []*rangeGram
	ic      int     // intercept column (-1: none); x_j'x_ic is the sum of column j
	lambda  float64 // shrinkage of the channels' mean contributions (see above)
}

// rangeGram is the normal equations of one range of rows.
type rangeGram struct {
	end  int
	bs   baseSolver
	gb   []float64   // Xb'y
	w    []float64   // B^-1 Xb'y
	gbc  [][]float64 // [c] Xb'x_c
	u    [][]float64 // [c] B^-1 Xb'x_c
	gcc  []float64   // nc x nc, Xc'Xc
	gc   []float64   // Xc'y
	R, r []float64   // reduced Gram and right-hand side
}

// baseSolver solves B u = v for the baseline block B by a gonum Cholesky
// factorisation of the standardised matrix D B D (unit diagonal, plus
// baseRidge), kept as its inverse: a solve is then one small matrix-vector
// product, which the search does once per range for every candidate.
type baseSolver struct {
	n     int
	scale []float64
	inv   []float64 // (D B D + ridge)^-1, row-major
}

func (s *baseSolver) factorize(B []float64, n int) {
	s.n = n
	s.scale = make([]float64, n)
	for i := range n {
		if d := B[i*n+i]; d > 0 {
			s.scale[i] = 1 / math.Sqrt(d)
		}
	}
	if n == 0 {
		return
	}
	data := make([]float64, n*n)
	for i := range n {
		for j := range n {
			data[i*n+j] = s.scale[i] * s.scale[j] * B[i*n+j]
		}
		if s.scale[i] == 0 {
			data[i*n+i] = 1
		}
		data[i*n+i] += baseRidge
	}
	sym := mat.NewSymDense(n, data)
	var chol mat.Cholesky
	for add := 1e-9; !chol.Factorize(sym); add *= 10 {
		for i := range n {
			sym.SetSym(i, i, sym.At(i, i)+add)
		}
	}
	var inv mat.SymDense
	_ = chol.InverseTo(&inv) // a Condition error leaves the inverse in inv
	s.inv = make([]float64, n*n)
	for i := range n {
		for j := range n {
			s.inv[i*n+j] = inv.At(i, j)
		}
	}
}

// solve writes B^-1 v into dst (v and dst may be the same slice); tmp has
// room for n values.
func (s *baseSolver) solve(dst, v []float64, tmp *mat.VecDense) {
	n := s.n
	if n == 0 {
		return
	}
	raw := tmp.RawVector().Data[:n]
	for i := range n {
		raw[i] = s.scale[i] * v[i]
	}
	for i := range n {
		dst[i] = s.scale[i] * dot(s.inv[i*n:i*n+n], raw)
	}
}

// dot is the inner product of a and b[:len(a)] (gonum's assembly kernel:
// the search and the bootstrap spend most of their time here).
func dot(a, b []float64) float64 { return floats.Dot(a, b[:len(a)]) }

func dotRange(a, b []float64, from, to int) float64 {
	return dot(a[from:to], b[from:to])
}

// newDesign builds the normal equations for the given columns.
func newDesign(base, cols [][]float64, y []float64, K, H int) *design {
	T := len(y)
	d := &design{T: T, K: K, H: H, nb: len(base), nc: len(cols), base: base, y: y, ic: -1}
	d.cols = make([][]float64, len(cols))
	for c := range cols {
		d.cols[c] = append([]float64(nil), cols[c]...)
	}
	d.segEnd = make([]int, K+1)
	for i := 0; i <= K; i++ {
		d.segEnd[i] = T - (K-i)*H
	}
	nb, nc := d.nb, d.nc
	tmp := mat.NewVecDense(max(nb, 1), nil)
	d.ranges = make([]*rangeGram, K+1)
	for m := 0; m <= K; m++ {
		end := d.segEnd[m]
		rg := &rangeGram{end: end}
		B := make([]float64, nb*nb)
		for i := range nb {
			for j := i; j < nb; j++ {
				v := dotRange(base[i], base[j], 0, end)
				B[i*nb+j], B[j*nb+i] = v, v
			}
		}
		rg.bs.factorize(B, nb)
		rg.gb = make([]float64, nb)
		rg.w = make([]float64, nb)
		for i := range nb {
			rg.gb[i] = dotRange(base[i], y, 0, end)
		}
		rg.bs.solve(rg.w, rg.gb, tmp)
		rg.gbc = make([][]float64, nc)
		rg.u = make([][]float64, nc)
		rg.gcc = make([]float64, nc*nc)
		rg.gc = make([]float64, nc)
		rg.R = make([]float64, nc*nc)
		rg.r = make([]float64, nc)
		for c := range nc {
			rg.gbc[c] = make([]float64, nb)
			rg.u[c] = make([]float64, nb)
			for i := range nb {
				rg.gbc[c][i] = dotRange(base[i], d.cols[c], 0, end)
			}
			rg.bs.solve(rg.u[c], rg.gbc[c], tmp)
			rg.gc[c] = dotRange(d.cols[c], y, 0, end)
			for j := c; j < nc; j++ {
				v := dotRange(d.cols[c], d.cols[j], 0, end)
				rg.gcc[c*nc+j], rg.gcc[j*nc+c] = v, v
			}
		}
		for c := range nc {
			rg.r[c] = rg.gc[c] - dot(rg.gbc[c], rg.w)
			for j := c; j < nc; j++ {
				v := rg.gcc[c*nc+j] - dot(rg.gbc[c], rg.u[j])
				rg.R[c*nc+j], rg.R[j*nc+c] = v, v
			}
		}
		d.ranges[m] = rg
	}
	return d
}

// withY is a copy of d for another response y (a bootstrap replicate):
// the columns and their cross-products are copied, the baseline
// factorisations shared (they are only read), and what depends on y
// (Xb'y, its solve, Xc'y, the reduced right-hand side) recomputed.
func (d *design) withY(y []float64) *design {
	e := *d
	e.y = y
	e.cols = make([][]float64, d.nc)
	for c := range d.cols {
		e.cols[c] = slices.Clone(d.cols[c])
	}
	nb, nc := d.nb, d.nc
	tmp := mat.NewVecDense(max(nb, 1), nil)
	e.ranges = make([]*rangeGram, len(d.ranges))
	for m, rg := range d.ranges {
		end := rg.end
		n := &rangeGram{end: end, bs: rg.bs, gcc: slices.Clone(rg.gcc), R: slices.Clone(rg.R)}
		n.gb = make([]float64, nb)
		n.w = make([]float64, nb)
		for i := range nb {
			n.gb[i] = dotRange(d.base[i], y, 0, end)
		}
		n.bs.solve(n.w, n.gb, tmp)
		n.gbc = make([][]float64, nc)
		n.u = make([][]float64, nc)
		n.gc = make([]float64, nc)
		n.r = make([]float64, nc)
		for c := range nc {
			n.gbc[c] = slices.Clone(rg.gbc[c])
			n.u[c] = slices.Clone(rg.u[c])
			n.gc[c] = dotRange(e.cols[c], y, 0, end)
			n.r[c] = n.gc[c] - dot(n.gbc[c], n.w)
		}
		e.ranges[m] = n
	}
	return &e
}

// colScratch is per-goroutine space for evaluating a candidate column.
type colScratch struct {
	segB [][]float64 // [seg][nb]
	segC [][]float64 // [seg][nc]
	segY []float64
	gbc  [][]float64 // [range][nb], cumulative
	gcc  [][]float64 // [range][nc]
	gc   []float64   // [range]
	u    [][]float64 // [range][nb]
	R, r []float64
	beta []float64
	bb   []float64
	tmp  *mat.VecDense
	pred []float64 // a holdout segment's predictions
	nn   nnlsSolver
}

func (d *design) newScratch() *colScratch {
	s := &colScratch{
		segB: make([][]float64, d.K+1),
		segC: make([][]float64, d.K+1),
		segY: make([]float64, d.K+1),
		gbc:  make([][]float64, d.K+1),
		gcc:  make([][]float64, d.K+1),
		gc:   make([]float64, d.K+1),
		u:    make([][]float64, d.K+1),
		R:    make([]float64, d.nc*d.nc),
		r:    make([]float64, d.nc),
		beta: make([]float64, d.nc),
		bb:   make([]float64, d.nb),
		tmp:  mat.NewVecDense(max(d.nb, 1), nil),
		pred: make([]float64, d.T),
	}
	for i := 0; i <= d.K; i++ {
		s.segB[i] = make([]float64, d.nb)
		s.segC[i] = make([]float64, d.nc)
		s.gbc[i] = make([]float64, d.nb)
		s.gcc[i] = make([]float64, d.nc)
		s.u[i] = make([]float64, d.nb)
	}
	return s
}

// products computes the cross-products of candidate column h (for channel
// c) with every regressor and y, per segment, and cumulates them per range
// (into s.gbc, s.gcc, s.gc, with s.gcc[m][c] = h'h) and solves s.u.
func (d *design) products(c int, h []float64, s *colScratch) {
	start := 0
	for i := 0; i <= d.K; i++ {
		end := d.segEnd[i]
		hs := h[start:end]
		for b := range d.nb {
			s.segB[i][b] = dot(hs, d.base[b][start:end])
		}
		for j := range d.nc {
			if j == c {
				s.segC[i][j] = dot(hs, hs)
			} else {
				s.segC[i][j] = dot(hs, d.cols[j][start:end])
			}
		}
		s.segY[i] = dot(hs, d.y[start:end])
		start = end
	}
	for m := 0; m <= d.K; m++ {
		for b := range d.nb {
			v := s.segB[m][b]
			if m > 0 {
				v += s.gbc[m-1][b]
			}
			s.gbc[m][b] = v
		}
		for j := range d.nc {
			v := s.segC[m][j]
			if m > 0 {
				v += s.gcc[m-1][j]
			}
			s.gcc[m][j] = v
		}
		v := s.segY[m]
		if m > 0 {
			v += s.gc[m-1]
		}
		s.gc[m] = v
		d.ranges[m].bs.solve(s.u[m], s.gbc[m], s.tmp)
	}
}

// reduced fills s.R, s.r for range m with channel c's column replaced by
// the candidate in s (c < 0: no replacement), plus the experiment terms
// expD (added to the diagonal) and expR (added to r). rhs, when not nil,
// is the reduced right-hand side to use instead of the range's own (for
// another response; only with c < 0).
func (d *design) reduced(m, c int, s *colScratch, rhs, expD, expR []float64) {
	rg := d.ranges[m]
	nc := d.nc
	copy(s.R, rg.R)
	if rhs != nil {
		copy(s.r, rhs)
	} else {
		copy(s.r, rg.r)
	}
	if c >= 0 {
		g := s.gbc[m]
		for j := range nc {
			var v float64
			if j == c {
				v = s.gcc[m][c] - dot(g, s.u[m])
			} else {
				v = s.gcc[m][j] - dot(g, rg.u[j])
			}
			s.R[c*nc+j], s.R[j*nc+c] = v, v
		}
		s.r[c] = s.gc[m] - dot(g, rg.w)
	}
	// The intercept's reduced entries (its column is never a candidate).
	ic := d.ic
	var rii float64
	if ic >= 0 {
		rii = s.R[ic*nc+ic]
	}
	for j := range nc {
		raw := rg.gcc[j*nc+j]
		if j == c {
			raw = s.gcc[m][c]
		}
		left := s.R[j*nc+j]
		if ic >= 0 && j != ic && rii > 0 {
			left -= s.R[j*nc+ic] * s.R[j*nc+ic] / rii
		}
		if left <= explainedTol*raw {
			// The column lies in the span of the baseline and the intercept
			// (up to rounding): the series carries no information on the
			// channel.
			for i := range nc {
				s.R[j*nc+i], s.R[i*nc+j] = 0, 0
			}
			s.r[j] = 0
		}
	}
	if d.lambda > 0 && ic >= 0 {
		full := d.ranges[d.K]
		for j := range nc {
			if j == ic || s.R[j*nc+j] == 0 {
				continue
			}
			mean := full.gcc[j*nc+ic] / float64(d.T)
			if j == c {
				mean = s.gcc[d.K][ic] / float64(d.T)
			}
			s.R[j*nc+j] += d.lambda * mean * mean
		}
	}
	for j := range nc {
		s.R[j*nc+j] += expD[j]
		s.r[j] += expR[j]
	}
}

// explainedTol: a channel column whose part outside the baseline's span has
// less than this share of its squared norm is treated as inside it.
const explainedTol = 1e-10

// baseCoef writes the baseline coefficients w - sum_j u_j beta_j of range m
// into s.bb (channel c's u from the candidate when c >= 0).
func (d *design) baseCoef(m, c int, w []float64, s *colScratch) {
	rg := d.ranges[m]
	copy(s.bb, w)
	for j := range d.nc {
		bj := s.beta[j]
		if bj == 0 {
			continue
		}
		u := rg.u[j]
		if j == c {
			u = s.u[m]
		}
		for b := range d.nb {
			s.bb[b] -= u[b] * bj
		}
	}
}

// predict is the model at row t with s.bb, s.beta (channel c's column is h
// when c >= 0).
func (d *design) predict(t, c int, h []float64, s *colScratch) float64 {
	p := 0.0
	for b := range d.nb {
		p += d.base[b][t] * s.bb[b]
	}
	for j := range d.nc {
		col := d.cols[j]
		if j == c {
			col = h
		}
		p += col[t] * s.beta[j]
	}
	return p
}

// predictRange writes the model at rows from..to-1 into dst (len
// to-from), as predict does row by row.
func (d *design) predictRange(from, to, c int, h []float64, s *colScratch, dst []float64) {
	clear(dst)
	for b := range d.nb {
		if v := s.bb[b]; v != 0 {
			floats.AddScaled(dst, v, d.base[b][from:to])
		}
	}
	for j := range d.nc {
		v := s.beta[j]
		if v == 0 {
			continue
		}
		col := d.cols[j]
		if j == c {
			col = h
		}
		floats.AddScaled(dst, v, col[from:to])
	}
}

// commit makes candidate column h (whose products are in s) channel c's
// column.
func (d *design) commit(c int, h []float64, s *colScratch) {
	copy(d.cols[c], h)
	nc := d.nc
	for m := 0; m <= d.K; m++ {
		rg := d.ranges[m]
		copy(rg.gbc[c], s.gbc[m])
		copy(rg.u[c], s.u[m])
		rg.gc[c] = s.gc[m]
		for j := range nc {
			rg.gcc[c*nc+j] = s.gcc[m][j]
			rg.gcc[j*nc+c] = s.gcc[m][j]
		}
		g := rg.gbc[c]
		for j := range nc {
			v := rg.gcc[c*nc+j] - dot(g, rg.u[j])
			rg.R[c*nc+j], rg.R[j*nc+c] = v, v
		}
		rg.r[c] = rg.gc[c] - dot(g, rg.w)
	}
}

// rhs returns, for the whole series and another response v (a bootstrap
// replicate, the revenue), Xb'v's solve w = B^-1 Xb'v and the reduced
// right-hand side r (into w and r).
func (d *design) rhs(v []float64, w, r []float64, tmp *mat.VecDense) {
	rg := d.ranges[d.K]
	for b := range d.nb {
		w[b] = dot(d.base[b], v)
	}
	rg.bs.solve(w, w, tmp)
	for c := range d.nc {
		r[c] = dot(d.cols[c], v) - dot(rg.gbc[c], w)
	}
}
