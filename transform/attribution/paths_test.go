package attribution

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// channels maps channel names to dense ids in order of first appearance.
type channels struct {
	ids   map[string]int32
	names []string
}

func newChannels(names ...string) *channels {
	c := &channels{ids: map[string]int32{}}
	for _, n := range names {
		c.id(n)
	}
	return c
}

func (c *channels) id(name string) int32 {
	if id, ok := c.ids[name]; ok {
		return id
	}
	id := int32(len(c.names))
	c.ids[name] = id
	c.names = append(c.names, name)
	return id
}

// path parses "A>B>C" (or "A > B > C") into ids.
func (c *channels) path(s string) []int32 {
	var out []int32
	for _, part := range strings.Split(s, ">") {
		out = append(out, c.id(strings.TrimSpace(part)))
	}
	return out
}

func (c *channels) n() int { return len(c.names) }

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

func assertNear(t *testing.T, what string, got, want, tol float64) {
	t.Helper()
	if !near(got, want, tol) {
		t.Errorf("%s = %.15g, want %.15g (tol %g)", what, got, want, tol)
	}
}

func assertWeights(t *testing.T, what string, got, want []float64, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: got %d weights %v, want %v", what, len(got), got, want)
	}
	for i := range got {
		if !near(got[i], want[i], tol) {
			t.Errorf("%s: got %v, want %v", what, got, want)
			return
		}
	}
}

func shuffled(paths []PathCount, seed uint64) []PathCount {
	out := slices.Clone(paths)
	rand.New(rand.NewPCG(seed, 7)).Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

func TestValidatePaths(t *testing.T) {
	t.Parallel()
	ok := []int32{0, 1}
	cases := []struct {
		name      string
		paths     []PathCount
		nChannels int
	}{
		{"no channels", []PathCount{{Steps: ok, Conversions: 1}}, 0},
		{"empty path", []PathCount{{Conversions: 1}}, 2},
		{"id too large", []PathCount{{Steps: []int32{0, 2}, Conversions: 1}}, 2},
		{"negative id", []PathCount{{Steps: []int32{-1}, Conversions: 1}}, 2},
		{"negative conversions", []PathCount{{Steps: ok, Conversions: -1}}, 2},
		{"negative nulls", []PathCount{{Steps: ok, Nulls: -1}}, 2},
		{"NaN value", []PathCount{{Steps: ok, Conversions: 1, Value: math.NaN()}}, 2},
		{"infinite nulls", []PathCount{{Steps: ok, Nulls: math.Inf(1)}}, 2},
		{"value without conversions", []PathCount{{Steps: ok, Nulls: 1, Value: 3}}, 2},
	}
	for _, tc := range cases {
		if err := validatePaths(tc.paths, tc.nChannels); err == nil {
			t.Errorf("%s: no error", tc.name)
		}
	}
	if err := validatePaths([]PathCount{{Steps: ok, Conversions: 1, Nulls: 2, Value: 5}}, 2); err != nil {
		t.Errorf("valid path: %v", err)
	}
	err := validatePaths([]PathCount{{Conversions: 1}}, 2)
	if !errors.Is(err, ErrNoSteps) {
		t.Errorf("empty path: %v, want ErrNoSteps", err)
	}
}

func TestCanonicalOrderIgnoresInputOrder(t *testing.T) {
	t.Parallel()
	paths := genPaths(2000, 3)
	// Duplicates with different counts must still get one order.
	paths = append(paths, PathCount{Steps: paths[0].Steps, Conversions: 9}, PathCount{Steps: paths[0].Steps, Nulls: 4})
	key := func(ps []PathCount) []PathCount {
		var out []PathCount
		for _, i := range canonicalOrder(ps) {
			out = append(out, ps[i])
		}
		return out
	}
	a, b := key(paths), key(shuffled(paths, 1))
	for i := range a {
		if comparePaths(&a[i], &b[i]) != 0 {
			t.Fatalf("position %d differs: %v vs %v", i, a[i], b[i])
		}
	}
}

func TestTouchCredits(t *testing.T) {
	t.Parallel()
	re := map[int32]float64{0: 0.5, 1: 1, 2: 0}
	score := func(c int32) float64 { return re[c] }
	// channel 0: 1/3 split over two touches; channel 1: 2/3; channel 2: 0.
	assertWeights(t, "proportional", touchCredits([]int32{0, 1, 0, 2}, score), []float64{1.0 / 6, 2.0 / 3, 1.0 / 6, 0}, 1e-15)
	// all zero: equal split over distinct channels, then over touches.
	assertWeights(t, "all zero", touchCredits([]int32{2, 2, 3}, func(int32) float64 { return 0 }), []float64{0.25, 0.25, 0.5}, 1e-15)
}

// lastCrediter gives all credit to the last touch.
type lastCrediter struct{}

func (lastCrediter) Credit(steps []int32) ([]float64, error) {
	if len(steps) == 0 {
		return nil, ErrNoSteps
	}
	return lastTouch(len(steps)), nil
}

// lastTouch gives all credit to the last of n > 0 touches.
func lastTouch(n int) []float64 {
	w := make([]float64, n)
	w[n-1] = 1
	return w
}

func TestChannelTotals(t *testing.T) {
	t.Parallel()
	paths := []PathCount{
		{Steps: []int32{0, 1}, Conversions: 2, Value: 10},
		{Steps: []int32{1, 0}, Conversions: 1, Nulls: 3, Value: 4},
		{Steps: []int32{2}, Nulls: 5},
	}
	conv, value, err := ChannelTotals(lastCrediter{}, paths, 3)
	if err != nil {
		t.Fatal(err)
	}
	assertWeights(t, "conversions", conv, []float64{1, 2, 0}, 0)
	assertWeights(t, "value", value, []float64{4, 10, 0}, 0)
	if _, _, err := ChannelTotals(lastCrediter{}, paths, 2); err == nil {
		t.Error("out-of-range channel: no error")
	}
}
