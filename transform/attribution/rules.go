package attribution

import (
	"fmt"
	"math"
)

// Rule-based models: each returns one weight per touch, in touch order, summing to 1.

var errNoTouches = fmt.Errorf("attribution: %w", ErrNoSteps)

// FirstTouch gives all credit to the first of n touches.
func FirstTouch(n int) ([]float64, error) {
	if n <= 0 {
		return nil, errNoTouches
	}
	w := make([]float64, n)
	w[0] = 1
	return w, nil
}

// LastTouch gives all credit to the last of n touches.
func LastTouch(n int) ([]float64, error) {
	if n <= 0 {
		return nil, errNoTouches
	}
	w := make([]float64, n)
	w[n-1] = 1
	return w, nil
}

// LastNonDirect gives all credit to the last touch whose channel is not direct; when every
// touch is direct, the last touch gets it.
func LastNonDirect(steps []int32, direct int32) ([]float64, error) {
	n := len(steps)
	if n == 0 {
		return nil, errNoTouches
	}
	w := make([]float64, n)
	for i := n - 1; i >= 0; i-- {
		if steps[i] != direct {
			w[i] = 1
			return w, nil
		}
	}
	w[n-1] = 1
	return w, nil
}

// Linear gives each of n touches the same credit; repeats of a channel count as touches.
func Linear(n int) ([]float64, error) {
	if n <= 0 {
		return nil, errNoTouches
	}
	w := make([]float64, n)
	for i := range w {
		w[i] = 1 / float64(n)
	}
	return w, nil
}

// PositionBased gives a single touch all credit and two touches half each. With three or
// more touches the first gets first, the last gets last and the middle touches share
// 1-first-last equally (the usual 0.4, 0.4). first and last must be non-negative with
// first+last <= 1.
func PositionBased(n int, first, last float64) ([]float64, error) {
	if n <= 0 {
		return nil, errNoTouches
	}
	if !(first >= 0 && last >= 0 && first+last <= 1) {
		return nil, fmt.Errorf("attribution: position weights first=%g last=%g: need non-negative, sum <= 1", first, last)
	}
	w := make([]float64, n)
	switch n {
	case 1:
		w[0] = 1
	case 2:
		w[0], w[1] = 0.5, 0.5
	default:
		w[0], w[n-1] = first, last
		mid := (1 - first - last) / float64(n-2)
		for i := 1; i < n-1; i++ {
			w[i] = mid
		}
	}
	return w, nil
}

// TimeDecay weights each touch by 2^(-age/halfLife), normalised to sum 1. ages are the
// conversion time minus the touch time in fractional days (exact elapsed time), one per
// touch; halfLife is in days and must be positive. Weights are computed relative to the
// youngest touch, so very old paths do not underflow to zero.
func TimeDecay(ages []float64, halfLife float64) ([]float64, error) {
	if len(ages) == 0 {
		return nil, errNoTouches
	}
	if !(halfLife > 0) || math.IsInf(halfLife, 1) {
		return nil, fmt.Errorf("attribution: half-life must be positive and finite, got %g", halfLife)
	}
	youngest := math.Inf(1)
	for _, a := range ages {
		if math.IsNaN(a) || math.IsInf(a, 0) || a < 0 {
			return nil, fmt.Errorf("attribution: touch age must be finite and non-negative, got %g", a)
		}
		youngest = min(youngest, a)
	}
	w := make([]float64, len(ages))
	total := 0.0
	for i, a := range ages {
		w[i] = math.Exp2(-(a - youngest) / halfLife)
		total += w[i]
	}
	for i := range w {
		w[i] /= total
	}
	return w, nil
}
