package attribution

import (
	"errors"
	"math"
	"testing"
)

func TestRules(t *testing.T) {
	const tol = 1e-15
	must := func(w []float64, err error) []float64 {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return w
	}
	cases := []struct {
		name string
		got  []float64
		want []float64
	}{
		{"first 1", must(FirstTouch(1)), []float64{1}},
		{"first 3", must(FirstTouch(3)), []float64{1, 0, 0}},
		{"last 3", must(LastTouch(3)), []float64{0, 0, 1}},
		{"linear 4", must(Linear(4)), []float64{0.25, 0.25, 0.25, 0.25}},
		{"last non-direct", must(LastNonDirect([]int32{1, 2, 0, 0}, 0)), []float64{0, 1, 0, 0}},
		{"last non-direct, last", must(LastNonDirect([]int32{0, 2}, 0)), []float64{0, 1}},
		{"last non-direct, all direct", must(LastNonDirect([]int32{0, 0, 0}, 0)), []float64{0, 0, 1}},
		{"position 1", must(PositionBased(1, 0.4, 0.4)), []float64{1}},
		{"position 2", must(PositionBased(2, 0.4, 0.4)), []float64{0.5, 0.5}},
		{"position 3", must(PositionBased(3, 0.4, 0.4)), []float64{0.4, 0.2, 0.4}},
		{"position 5", must(PositionBased(5, 0.4, 0.4)), []float64{0.4, 0.2 / 3, 0.2 / 3, 0.2 / 3, 0.4}},
		{"position 4 custom", must(PositionBased(4, 0.3, 0.5)), []float64{0.3, 0.1, 0.1, 0.5}},
		{"decay one", must(TimeDecay([]float64{3.2}, 7)), []float64{1}},
		// 2^-1 : 2^0 -> 1/3, 2/3.
		{"decay half-life", must(TimeDecay([]float64{7, 0}, 7)), []float64{1.0 / 3, 2.0 / 3}},
		// ages 14, 7, 0 days: 1/4 : 1/2 : 1 -> 1/7, 2/7, 4/7.
		{"decay three", must(TimeDecay([]float64{14, 7, 0}, 7)), []float64{1.0 / 7, 2.0 / 7, 4.0 / 7}},
		// Ancient paths keep their shape instead of underflowing to 0/0.
		{"decay old", must(TimeDecay([]float64{1e6 + 7, 1e6}, 7)), []float64{1.0 / 3, 2.0 / 3}},
		// Fractional days: 1.75 days with half-life 3.5 -> 2^-0.5.
		{"decay fractional", must(TimeDecay([]float64{1.75, 0}, 3.5)), []float64{math.Sqrt2 / 2 / (1 + math.Sqrt2/2), 1 / (1 + math.Sqrt2/2)}},
	}
	for _, tc := range cases {
		assertWeights(t, tc.name, tc.got, tc.want, tol)
	}
}

func TestRulesReject(t *testing.T) {
	errs := []struct {
		name string
		err  error
	}{
		{"first 0", second(FirstTouch(0))},
		{"last 0", second(LastTouch(0))},
		{"linear 0", second(Linear(0))},
		{"last non-direct empty", second(LastNonDirect(nil, 0))},
		{"position 0", second(PositionBased(0, 0.4, 0.4))},
		{"position weights > 1", second(PositionBased(3, 0.6, 0.6))},
		{"position negative", second(PositionBased(3, -0.1, 0.4))},
		{"position NaN", second(PositionBased(3, math.NaN(), 0.4))},
		{"decay empty", second(TimeDecay(nil, 7))},
		{"decay zero half-life", second(TimeDecay([]float64{1}, 0))},
		{"decay negative age", second(TimeDecay([]float64{-1}, 7))},
		{"decay NaN age", second(TimeDecay([]float64{math.NaN()}, 7))},
	}
	for _, e := range errs {
		if e.err == nil {
			t.Errorf("%s: no error", e.name)
		}
	}
	if _, err := Linear(0); !errors.Is(err, ErrNoSteps) {
		t.Errorf("Linear(0) = %v, want ErrNoSteps", err)
	}
}

func second(_ []float64, err error) error { return err }
