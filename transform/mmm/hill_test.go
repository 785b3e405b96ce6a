package mmm

import (
	"math"
	"testing"
)

func TestHillClosedForms(t *testing.T) {
	t.Parallel()
	for _, shape := range []float64{0.5, 1, 2, 3} {
		for _, k := range []float64{0.3, 1, 250} {
			if got := Hill(k, k, shape); math.Abs(got-0.5) > 1e-15 {
				t.Errorf("Hill(K=%g, K, %g) = %g, want 0.5", k, shape, got)
			}
			if got := Hill(0, k, shape); got != 0 {
				t.Errorf("Hill(0, %g, %g) = %g, want 0", k, shape, got)
			}
		}
	}
	// x^S/(x^S+K^S) by hand.
	cases := []struct{ x, k, s, want float64 }{
		{2, 1, 2, 4.0 / 5},
		{1, 2, 2, 1.0 / 5},
		{3, 1, 1, 3.0 / 4},
		{4, 1, 0.5, 2.0 / 3},
		{8, 2, 3, 512.0 / 520},
	}
	for _, c := range cases {
		if got := Hill(c.x, c.k, c.s); math.Abs(got-c.want) > 1e-15 {
			t.Errorf("Hill(%g, %g, %g) = %.17g, want %.17g", c.x, c.k, c.s, got, c.want)
		}
	}
	if got := Hill(1e300, 1, 3); got != 1 {
		t.Errorf("Hill(1e300, 1, 3) = %g, want 1", got)
	}
	if got := Hill(-1, 1, 1); got != 0 {
		t.Errorf("Hill(-1) = %g, want 0", got)
	}
	// No curve (an unidentified channel's zero parameters).
	if got := Hill(5, 0, 0); got != 0 {
		t.Errorf("Hill(5, 0, 0) = %g, want 0", got)
	}
}

func TestHillDeriv(t *testing.T) {
	t.Parallel()
	// Closed form S x^(S-1) K^S / (x^S+K^S)^2 at chosen points, by hand.
	cases := []struct{ x, k, s, want float64 }{
		{1, 1, 2, 0.5},                   // 2*1*1/4
		{2, 1, 2, 4.0 / 25},              // 2*2*1/25
		{1, 1, 1, 0.25},                  // 1/(1+1)^2
		{3, 1, 1, 1.0 / 16},              // 1/(3+1)^2
		{4, 1, 0.5, 0.5 * 0.5 * 1 / 9.0}, // 0.5*4^-0.5*1/(2+1)^2
		{2, 2, 3, 3 * 4 * 8 / 256.0},     // 3*2^2*2^3/(8+8)^2
	}
	for _, c := range cases {
		if got := HillDeriv(c.x, c.k, c.s); math.Abs(got-c.want) > 1e-15 {
			t.Errorf("HillDeriv(%g, %g, %g) = %.17g, want %.17g", c.x, c.k, c.s, got, c.want)
		}
	}
	// Against a central finite difference.
	for _, s := range []float64{0.6, 1, 1.7, 3} {
		for _, x := range []float64{0.05, 0.4, 1, 2.5, 9} {
			const k, h = 1.3, 1e-6
			fd := (Hill(x+h, k, s) - Hill(x-h, k, s)) / (2 * h)
			if got := HillDeriv(x, k, s); math.Abs(got-fd) > 1e-7*math.Max(1, math.Abs(fd)) {
				t.Errorf("HillDeriv(%g, %g, %g) = %g, finite difference %g", x, k, s, got, fd)
			}
		}
	}
	// At 0: the limit from the right.
	if got := HillDeriv(0, 2, 0.5); !math.IsInf(got, 1) {
		t.Errorf("HillDeriv(0, 2, 0.5) = %g, want +Inf", got)
	}
	if got := HillDeriv(0, 2, 1); got != 0.5 {
		t.Errorf("HillDeriv(0, 2, 1) = %g, want 1/K = 0.5", got)
	}
	if got := HillDeriv(0, 2, 2); got != 0 {
		t.Errorf("HillDeriv(0, 2, 2) = %g, want 0", got)
	}
	if got := HillDeriv(1e300, 1, 3); got != 0 || math.IsNaN(got) {
		t.Errorf("HillDeriv(1e300, 1, 3) = %g, want 0", got)
	}
	if got := HillDeriv(5, 0, 0); got != 0 {
		t.Errorf("HillDeriv without a curve = %g, want 0", got)
	}
	// ChannelFit methods use them.
	c := ChannelFit{Beta: 10, RevBeta: 300, HalfSat: 2, Shape: 1}
	if c.Response(2) != 5 || c.RevenueResponse(2) != 150 || c.Marginal(2) != 10*2.0/16 || c.RevenueMarginal(2) != 300*2.0/16 {
		t.Errorf("ChannelFit curve: %g %g %g %g", c.Response(2), c.RevenueResponse(2), c.Marginal(2), c.RevenueMarginal(2))
	}
}
