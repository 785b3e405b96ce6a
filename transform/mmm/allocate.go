package mmm

import (
	"fmt"
	"math"
	"slices"
)

// Curve is one channel for Allocate: spend per period now, its bounds, and
// its response (revenue per period as a function of spend per period).
// Marginal, the derivative of Response, is optional: Allocate does not need
// it (it maximises Response directly, which also handles S-shaped curves).
type Curve struct {
	Current  float64
	Min, Max float64
	Response func(s float64) float64
	Marginal func(s float64) float64
}

// allocGrid is the number of grid intervals per curve in Allocate.
const allocGrid = 256

// Allocate moves the total of Current over curves to maximise the summed
// Response within each curve's [Min, Max], towards equal marginal return.
// A channel to be held is given Min = Max = Current.
//
// Method: bisection on the Lagrange multiplier lambda; for each lambda
// every curve takes s_i(lambda) = argmax over [Min_i, Max_i] of
// Response_i(s) - lambda*s, found on a grid of 257 points and refined by a
// golden-section search around the best grid point (the global argmax, so
// curves need not be concave; ties go to the larger spend). The summed
// spend falls with lambda; at the lambda where it crosses the total, curves
// whose argmax jumps (S-shaped curves) take the remaining budget in order of
// their average return over the jump (ties to the earlier curve), the last
// one partly. The spends sum to the total within 1e-9 (relative). The
// result is deterministic. Errors: a curve without Response, a NaN or
// infinite value, Min > Max, and bounds whose sums cannot hold the total.
func Allocate(curves []Curve) ([]float64, error) {
	total, sumMin, sumMax, err := checkCurves(curves)
	if err != nil {
		return nil, err
	}
	tol := 1e-12 * max(math.Abs(total), 1)
	if sumMin > total+tol || sumMax < total-tol {
		return nil, fmt.Errorf("mmm: allocate: the bounds cannot hold the total spend %g (minimums sum to %g, maximums to %g)", total, sumMin, sumMax)
	}
	if len(curves) == 0 {
		return []float64{}, nil
	}
	if sumMin >= total-tol {
		return fixSum(mins(curves), curves, total), nil
	}
	if sumMax <= total+tol {
		return fixSum(maxs(curves), curves, total), nil
	}
	sLo, sHi := newAllocator(curves).bisect(total)
	return fixSum(fillJumps(curves, sLo, sHi, total), curves, total), nil
}

// checkCurves checks every curve and sums their Current, Min and Max.
func checkCurves(curves []Curve) (total, sumMin, sumMax float64, err error) {
	for i, c := range curves {
		switch {
		case c.Response == nil:
			return 0, 0, 0, fmt.Errorf("mmm: allocate: curve %d has no response", i)
		case !finite(c.Current) || !finite(c.Min) || !finite(c.Max):
			return 0, 0, 0, fmt.Errorf("mmm: allocate: curve %d: current, min and max must be finite numbers", i)
		case c.Min > c.Max:
			return 0, 0, 0, fmt.Errorf("mmm: allocate: curve %d: min %g is above max %g", i, c.Min, c.Max)
		}
		total += c.Current
		sumMin += c.Min
		sumMax += c.Max
	}
	return total, sumMin, sumMax, nil
}

// bisect brackets the Lagrange multiplier, S(lo) >= total >= S(hi), and
// narrows the bracket by bisection; it returns the spends at its ends.
func (a *allocator) bisect(total float64) (sLo, sHi []float64) {
	sum := colSum
	lo, hi := 0.0, 1.0
	sLo = a.at(lo)
	for k := 0; sum(sLo) < total && k < 2000; k++ {
		hi = lo
		lo = -math.Max(1, 2*math.Abs(lo))
		sLo = a.at(lo)
	}
	sHi = a.at(hi)
	for k := 0; sum(sHi) > total && k < 2000; k++ {
		lo, sLo = hi, sHi
		hi *= 2
		sHi = a.at(hi)
	}
	for range 200 {
		if sum(sLo)-sum(sHi) <= 1e-13*max(total, 1) || hi-lo <= 1e-15*math.Abs(hi) {
			break
		}
		mid := lo + (hi-lo)/2
		s := a.at(mid)
		if sum(s) >= total {
			lo, sLo = mid, s
		} else {
			hi, sHi = mid, s
		}
	}
	return sLo, sHi
}

// fillJumps fills the remaining budget from sHi towards sLo: curves whose
// spend jumps between them take it in order of their average return over
// the jump (ties to the earlier curve), the last one partly.
func fillJumps(curves []Curve, sLo, sHi []float64, total float64) []float64 {
	out := slices.Clone(sHi)
	rem := total - colSum(out)
	type jump struct {
		i    int
		gain float64
	}
	var jumps []jump
	for i := range curves {
		if d := sLo[i] - sHi[i]; d > 0 {
			jumps = append(jumps, jump{i, (curves[i].Response(sLo[i]) - curves[i].Response(sHi[i])) / d})
		}
	}
	slices.SortStableFunc(jumps, func(x, y jump) int {
		switch {
		case x.gain > y.gain:
			return -1
		case x.gain < y.gain:
			return 1
		}
		return x.i - y.i
	})
	for _, j := range jumps {
		if rem <= 0 {
			break
		}
		add := min(rem, sLo[j.i]-sHi[j.i])
		out[j.i] += add
		rem -= add
	}
	return out
}

func mins(c []Curve) []float64 {
	s := make([]float64, len(c))
	for i := range c {
		s[i] = c[i].Min
	}
	return s
}

func maxs(c []Curve) []float64 {
	s := make([]float64, len(c))
	for i := range c {
		s[i] = c[i].Max
	}
	return s
}

// fixSum moves the rounding difference between total and sum(s) onto the
// curves with room, in order, within their bounds.
func fixSum(s []float64, curves []Curve, total float64) []float64 {
	for range 3 {
		rem := total
		for _, v := range s {
			rem -= v
		}
		if rem == 0 {
			break
		}
		for i, c := range curves {
			if rem > 0 {
				add := min(rem, c.Max-s[i])
				if add > 0 {
					s[i] += add
					rem -= add
				}
			} else if rem < 0 {
				sub := min(-rem, s[i]-c.Min)
				if sub > 0 {
					s[i] -= sub
					rem += sub
				}
			}
		}
	}
	return s
}

// allocator caches each curve's response on its grid.
type allocator struct {
	curves []Curve
	grid   [][]float64
	resp   [][]float64
}

func newAllocator(curves []Curve) *allocator {
	a := &allocator{curves: curves, grid: make([][]float64, len(curves)), resp: make([][]float64, len(curves))}
	for i, c := range curves {
		if c.Max <= c.Min {
			continue
		}
		g := make([]float64, allocGrid+1)
		r := make([]float64, allocGrid+1)
		for k := range g {
			g[k] = c.Min + (c.Max-c.Min)*float64(k)/allocGrid
			if k == allocGrid {
				g[k] = c.Max
			}
			r[k] = c.Response(g[k])
		}
		a.grid[i], a.resp[i] = g, r
	}
	return a
}

// at returns s_i(lambda) for every curve.
func (a *allocator) at(lambda float64) []float64 {
	s := make([]float64, len(a.curves))
	for i, c := range a.curves {
		if c.Max <= c.Min {
			s[i] = c.Min
			continue
		}
		g, r := a.grid[i], a.resp[i]
		best, bv := 0, math.Inf(-1)
		for k, x := range g {
			if v := r[k] - lambda*x; v >= bv {
				best, bv = k, v
			}
		}
		left, right := g[max(best-1, 0)], g[min(best+1, allocGrid)]
		x, v := golden(func(x float64) float64 { return c.Response(x) - lambda*x }, left, right)
		if v > bv {
			s[i] = x
		} else {
			s[i] = g[best]
		}
	}
	return s
}

// golden maximises f on [a, b] by golden-section search.
func golden(f func(float64) float64, a, b float64) (float64, float64) {
	const inv = 0.6180339887498949
	c := b - inv*(b-a)
	d := a + inv*(b-a)
	fc, fd := f(c), f(d)
	for range 80 {
		if b-a <= 1e-13*max(math.Abs(a), math.Abs(b), 1e-300) {
			break
		}
		if fc >= fd {
			b, d, fd = d, c, fc
			c = b - inv*(b-a)
			fc = f(c)
		} else {
			a, c, fc = c, d, fd
			d = a + inv*(b-a)
			fd = f(d)
		}
	}
	if fc >= fd {
		return c, fc
	}
	return d, fd
}
