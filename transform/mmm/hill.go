package mmm

import "math"

// Hill is the saturation curve x^shape / (x^shape + halfSat^shape) for
// x >= 0: 0 at x = 0, 1/2 at x = halfSat, towards 1 as x grows. Negative x
// counts as 0. A curve without parameters (halfSat <= 0 or shape <= 0, as
// an unidentified channel has) is 0 everywhere.
func Hill(x, halfSat, shape float64) float64 {
	if math.IsNaN(x) || math.IsNaN(halfSat) || math.IsNaN(shape) {
		return math.NaN()
	}
	if x <= 0 || halfSat <= 0 || shape <= 0 {
		return 0
	}
	// 1/(1+(K/x)^S) is x^S/(x^S+K^S) without overflow for large x or K.
	return 1 / (1 + math.Pow(halfSat/x, shape))
}

// HillDeriv is d Hill / dx: shape x^(shape-1) halfSat^shape /
// (x^shape + halfSat^shape)^2, computed as shape/x * H * (1-H) for x > 0.
// At x = 0 it is the limit from the right: +Inf for shape < 1, 1/halfSat for
// shape = 1 and 0 for shape > 1. It is 0 where Hill has no curve.
func HillDeriv(x, halfSat, shape float64) float64 {
	if math.IsNaN(x) || math.IsNaN(halfSat) || math.IsNaN(shape) {
		return math.NaN()
	}
	if halfSat <= 0 || shape <= 0 || x < 0 {
		return 0
	}
	if x == 0 {
		switch {
		case shape < 1:
			return math.Inf(1)
		case shape == 1:
			return 1 / halfSat
		default:
			return 0
		}
	}
	h := 1 / (1 + math.Pow(halfSat/x, shape))        // Hill
	oneMinus := 1 / (1 + math.Pow(x/halfSat, shape)) // 1 - Hill, without cancellation
	return shape / x * h * oneMinus
}
