package mmm

import (
	"math"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/lapack/lapack64"
)

// channelRidge is the ridge added to the diagonal of the standardised
// channel normal equations (where each diagonal is 1): it keeps the
// sub-solves positive definite when two channels' columns are (nearly)
// identical, and then splits such a pair evenly, without moving any
// identified coefficient measurably.
const channelRidge = 1e-6

// baseRidge is the ridge on the standardised baseline normal equations, for
// baseline regressors that are linear combinations of others (a holiday on
// every period, say).
const baseRidge = 1e-9

// nnlsSolver solves non-negative least squares from the normal equations:
//
//	min ||A x - b||^2  subject to x >= 0,  given G = A'A and g = A'b,
//
// with the active-set method of Lawson and Hanson, the sub-problems solved by
// gonum's LAPACK Cholesky (choleskySolve). Columns are standardised internally (G
// scaled to a unit diagonal) and channelRidge is added to the diagonal. A
// variable whose diagonal is not positive is fixed at 0. The solver keeps scratch space between calls; it is not safe
// for concurrent use.
type nnlsSolver struct {
	n       int
	scale   []float64
	gs      []float64 // scaled g
	Gs      []float64 // scaled G, row-major, ridge on the diagonal
	x, z, w []float64
	passive []bool
	blocked []bool
	idx     []int
	sub     []float64 // passive sub-matrix
	keep    []float64
	rhs     []float64
}

func (s *nnlsSolver) resize(n int) {
	if s.n == n && s.scale != nil {
		return
	}
	s.n = n
	s.scale = make([]float64, n)
	s.gs = make([]float64, n)
	s.Gs = make([]float64, n*n)
	s.x = make([]float64, n)
	s.z = make([]float64, n)
	s.w = make([]float64, n)
	s.passive = make([]bool, n)
	s.blocked = make([]bool, n)
	s.idx = make([]int, 0, n)
}

// solve writes the solution into x (len n). G is n x n row-major.
func (s *nnlsSolver) solve(G, g []float64, n int, x []float64) { s.solveFrom(G, g, n, x, nil) }

// solveFrom is solve warm-started from the passive (positive) set init
// (nil: none): the set is solved, variables that come out <= 0 are dropped
// until the rest are positive, and the Lawson-Hanson iterations go on from
// there, so the result satisfies the same optimality conditions. The final
// passive set is in s.passive afterwards.
func (s *nnlsSolver) solveFrom(G, g []float64, n int, x []float64, init []bool) {
	s.resize(n)
	if n == 0 {
		return
	}
	tol := s.standardise(G, g)
	if init != nil {
		s.warmStart(init)
	}
	for range 3*n + 3 {
		// Gradient w = g - G x over the variables at zero.
		s.gradient()
		j, best := -1, tol
		for i := range n {
			if s.passive[i] || s.blocked[i] || s.scale[i] == 0 {
				continue
			}
			if s.w[i] > best {
				j, best = i, s.w[i]
			}
		}
		if j < 0 {
			break
		}
		s.passive[j] = true
		if s.enter() {
			for i := range n {
				s.blocked[i] = false
			}
		} else if !s.passive[j] {
			// The entering variable could not be kept positive (a numerical
			// tie): do not try it again until another one enters.
			s.blocked[j] = true
		}
	}
	for i := range n {
		x[i] = s.x[i] * s.scale[i]
	}
}

// standardise scales G and g to a unit diagonal with the ridge (Gs, gs), clears x and the
// sets, and returns the gradient tolerance.
func (s *nnlsSolver) standardise(G, g []float64) float64 {
	n := s.n
	for j := range n {
		d := G[j*n+j]
		if d > 0 && !math.IsInf(d, 0) {
			s.scale[j] = 1 / math.Sqrt(d)
		} else {
			s.scale[j] = 0
		}
	}
	maxG := 0.0
	for i := range n {
		si := s.scale[i]
		s.gs[i] = si * g[i]
		maxG = max(maxG, math.Abs(s.gs[i]))
		for j := range n {
			s.Gs[i*n+j] = si * s.scale[j] * G[i*n+j]
		}
		if si != 0 {
			s.Gs[i*n+i] += channelRidge
		}
		s.x[i] = 0
		s.passive[i] = false
		s.blocked[i] = false
	}
	return 1e-11*maxG + 1e-300
}

// warmStart solves the passive set init, dropping variables that come out <= 0 until the
// rest are positive.
func (s *nnlsSolver) warmStart(init []bool) {
	n := s.n
	some := false
	for i := range n {
		s.passive[i] = init[i] && s.scale[i] != 0
		some = some || s.passive[i]
	}
	for k := 0; some && k <= n; k++ {
		s.solvePassive()
		ok := true
		for i := range n {
			if s.passive[i] && s.z[i] <= 0 {
				s.passive[i] = false
				ok = false
			}
		}
		if ok {
			copy(s.x, s.z)
			break
		}
	}
	for i := range n {
		if !s.passive[i] {
			s.x[i] = 0
		}
	}
}

// enter runs Lawson and Hanson's inner loop after a variable entered the passive set: it
// solves the passive set and, while some variable comes out <= 0, moves x towards the
// solution until one reaches 0 and drops it. It reports whether the solution became
// positive (x is then that solution).
func (s *nnlsSolver) enter() bool {
	n := s.n
	for range 3*n + 3 {
		s.solvePassive()
		ok := true
		for i := range n {
			if s.passive[i] && s.z[i] <= 0 {
				ok = false
				break
			}
		}
		if ok {
			copy(s.x, s.z)
			return true
		}
		alpha := 1.0
		for i := range n {
			if s.passive[i] && s.z[i] <= 0 {
				d := s.x[i] - s.z[i]
				if d > 0 {
					alpha = min(alpha, s.x[i]/d)
				} else {
					alpha = 0
				}
			}
		}
		for i := range n {
			if s.passive[i] {
				s.x[i] += alpha * (s.z[i] - s.x[i])
				if s.x[i] <= 1e-15 {
					s.x[i] = 0
					s.passive[i] = false
				}
			}
		}
	}
	return false
}

func (s *nnlsSolver) gradient() {
	n := s.n
	for i := range n {
		v := s.gs[i]
		row := s.Gs[i*n : i*n+n]
		for j, xj := range s.x {
			if xj != 0 {
				v -= row[j] * xj
			}
		}
		s.w[i] = v
	}
}

// solvePassive solves the equations restricted to the passive set into z
// (zero elsewhere).
func (s *nnlsSolver) solvePassive() {
	n := s.n
	s.idx = s.idx[:0]
	for i := range n {
		s.z[i] = 0
		if s.passive[i] {
			s.idx = append(s.idx, i)
		}
	}
	k := len(s.idx)
	if k == 0 {
		return
	}
	if cap(s.sub) < k*k {
		s.sub = make([]float64, n*n)
		s.keep = make([]float64, n*n)
		s.rhs = make([]float64, n)
	}
	data, rhs := s.sub[:k*k], s.rhs[:k]
	for a, i := range s.idx {
		rhs[a] = s.gs[i]
		for b, j := range s.idx {
			data[a*k+b] = s.Gs[i*n+j]
		}
	}
	choleskySolve(data, rhs, s.keep[:0], k)
	for a, i := range s.idx {
		s.z[i] = rhs[a]
	}
}

// choleskySolve solves the symmetric positive (semi)definite system
// data x = rhs (k x k row-major, overwritten) into rhs with gonum's LAPACK
// Cholesky (Potrf, Potrs; no condition estimate, which would cost more than
// the factorisation). When the factorisation fails the diagonal is raised
// step by step (a ridge) until it succeeds; keep is scratch for a copy.
func choleskySolve(data, rhs, keep []float64, k int) {
	keep = append(keep[:0], data...)
	ridge := 0.0
	for try := 0; ; try++ {
		if t, ok := lapack64.Potrf(blas64.Symmetric{Uplo: blas.Upper, N: k, Stride: k, Data: data}); ok {
			lapack64.Potrs(t, blas64.General{Rows: k, Cols: 1, Stride: 1, Data: rhs})
			return
		}
		if try == 30 {
			clear(rhs)
			return
		}
		add := 1e-10
		if ridge > 0 {
			add = ridge * 9
		}
		ridge += add
		copy(data, keep)
		for i := range k {
			data[i*k+i] += ridge
		}
	}
}
