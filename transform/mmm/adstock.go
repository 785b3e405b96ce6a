package mmm

import "math"

// maxDecay is the largest carry-over Adstock accepts (decay is clamped to
// [0, maxDecay]).
const maxDecay = 0.999

// Adstock returns the normalised geometric adstock of x with carry-over decay
// in [0, 1):
//
//	a[t] = decay*a[t-1] + (1-decay)*x[t]
//
// The weights sum to one, so a constant series keeps its level (the steady
// state of spend s is s, which ChannelFit.Response relies on).
//
// Start: a[-1] is the mean of x over the first ceil(1/(1-decay)) periods (the
// adstock's mean memory, at most len(x)), an estimate of the spend level
// before the data starts, so that the first periods of an always-on channel
// are not artificially low. Decay outside [0, 0.999] is clamped; NaN decay
// gives NaN.
func Adstock(x []float64, decay float64) []float64 {
	a := make([]float64, len(x))
	adstockInto(a, x, decay)
	return a
}

// adstockInto writes the adstock of x into dst[:len(dst)] (len(dst) <=
// len(x)); the start level uses x (see Adstock), so a prefix of the adstock
// can be computed without the rest.
func adstockInto(dst, x []float64, decay float64) {
	if len(dst) == 0 {
		return
	}
	if math.IsNaN(decay) {
		for i := range dst {
			dst[i] = math.NaN()
		}
		return
	}
	decay = min(max(decay, 0), maxDecay)
	prev := adstockStart(x, decay)
	for t := range dst {
		prev = decay*prev + (1-decay)*x[t]
		dst[t] = prev
	}
}

// adstockStart is a[-1] of Adstock: the mean of the first
// ceil(1/(1-decay)) periods of x.
func adstockStart(x []float64, decay float64) float64 {
	n := int(math.Ceil(1/(1-decay) - 1e-9))
	n = min(max(n, 1), len(x))
	if n == 0 {
		return 0
	}
	s := 0.0
	for _, v := range x[:n] {
		s += v
	}
	return s / float64(n)
}
