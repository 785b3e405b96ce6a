package mmm

import (
	"math"
	"testing"
)

func TestAdstockImpulse(t *testing.T) {
	t.Parallel()
	// An impulse after the start window: a[t0+k] = (1-d) d^k, 0 before.
	for _, d := range []float64{0, 0.3, 0.8} {
		x := make([]float64, 40)
		const t0 = 20
		x[t0] = 1
		a := Adstock(x, d)
		for tt := range a {
			want := 0.0
			if tt >= t0 {
				want = (1 - d) * math.Pow(d, float64(tt-t0))
			}
			if math.Abs(a[tt]-want) > 1e-15 {
				t.Errorf("decay %g: a[%d] = %g, want %g", d, tt, a[tt], want)
			}
		}
	}
}

func TestAdstockConstantKeepsLevel(t *testing.T) {
	t.Parallel()
	for _, d := range []float64{0, 0.5, 0.9, 0.999, 1.5} { // 1.5 is clamped
		x := make([]float64, 100)
		for i := range x {
			x[i] = 250
		}
		for i, v := range Adstock(x, d) {
			if math.Abs(v-250) > 1e-9 {
				t.Fatalf("decay %g: a[%d] = %g, want 250", d, i, v)
			}
		}
	}
}

func TestAdstockStart(t *testing.T) {
	t.Parallel()
	// decay 0.5: the level before the data is the mean of the first
	// ceil(1/(1-0.5)) = 2 periods, (10+0)/2 = 5; a[0] = 0.5*5 + 0.5*10.
	a := Adstock([]float64{10, 0, 0, 4}, 0.5)
	want := []float64{7.5, 3.75, 1.875, 0.5*1.875 + 2}
	for i := range want {
		if math.Abs(a[i]-want[i]) > 1e-15 {
			t.Errorf("a[%d] = %g, want %g", i, a[i], want[i])
		}
	}
	// decay 0.75: ceil(4) = 4 periods; a series shorter than that uses all.
	a = Adstock([]float64{8, 0}, 0.75)
	if math.Abs(a[0]-(0.75*4+0.25*8)) > 1e-15 {
		t.Errorf("short series: a[0] = %g, want %g", a[0], 0.75*4+0.25*8)
	}
	if len(Adstock(nil, 0.5)) != 0 {
		t.Error("empty input")
	}
}
