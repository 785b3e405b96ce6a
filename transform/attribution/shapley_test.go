package attribution

import (
	"fmt"
	"math/bits"
	"slices"
	"testing"
)

func fitShapley(t *testing.T, ch *channels, rows ...PathCount) *Shapley {
	t.Helper()
	s, err := FitShapley(rows, ch.n())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func credit(t *testing.T, m Crediter, steps []int32) []float64 {
	t.Helper()
	w, err := m.Credit(steps)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func TestShapleyTwoChannels(t *testing.T) {
	t.Parallel()
	ch := newChannels("A", "B")
	s := fitShapley(t, ch,
		PathCount{Steps: ch.path("A"), Conversions: 1, Nulls: 3},   // v(A) = 0.25
		PathCount{Steps: ch.path("B>B"), Conversions: 1, Nulls: 1}, // v(B) = 0.5
		PathCount{Steps: ch.path("A>B"), Conversions: 2, Nulls: 1}, // v(AB): 3 conv, 1 null with B>A
		PathCount{Steps: ch.path("B>A"), Conversions: 1},
	)
	// v(AB) = 0.75. phi_A = 1/2 v(A) + 1/2 (v(AB) - v(B)) = 0.125 + 0.125 = 0.25,
	// phi_B = 1/2 v(B) + 1/2 (v(AB) - v(A)) = 0.25 + 0.25 = 0.5; normalised 1/3, 2/3.
	assertWeights(t, "A>B", credit(t, s, ch.path("A>B")), []float64{1.0 / 3, 2.0 / 3}, 1e-15)
	assertWeights(t, "B>A>B", credit(t, s, ch.path("B>A>B")), []float64{1.0 / 3, 1.0 / 3, 1.0 / 3}, 1e-15)
	assertWeights(t, "single", credit(t, s, ch.path("A>A")), []float64{0.5, 0.5}, 0)
}

func TestShapleyThreeChannels(t *testing.T) {
	t.Parallel()
	ch := newChannels("A", "B", "C")
	s := fitShapley(t, ch,
		PathCount{Steps: ch.path("A"), Conversions: 1, Nulls: 4},     // v(A)   = 0.2
		PathCount{Steps: ch.path("B"), Conversions: 1, Nulls: 9},     // v(B)   = 0.1
		PathCount{Steps: ch.path("B>A"), Conversions: 3, Nulls: 7},   // v(AB)  = 0.3
		PathCount{Steps: ch.path("A>C>A"), Conversions: 2, Nulls: 2}, // v(AC)  = 0.5
		PathCount{Steps: ch.path("C>B>A"), Conversions: 3, Nulls: 1}, // v(ABC) = 0.75
		PathCount{Steps: ch.path("C"), Nulls: 6},                     // v(C)   = 0
		PathCount{Steps: ch.path("B>C"), Nulls: 2},                   // v(BC)  = 0
	)
	// n = 3, weights |S| = 0: 1/3, 1: 1/6, 2: 1/3.
	// phi_A = 1/3*0.2 + 1/6*(0.3-0.1) + 1/6*(0.5-0) + 1/3*(0.75-0)    = 26/60
	// phi_B = 1/3*0.1 + 1/6*(0.3-0.2) + 1/6*(0-0)   + 1/3*(0.75-0.5)  =  8/60
	// phi_C = 1/3*0   + 1/6*(0.5-0.2) + 1/6*(0-0.1) + 1/3*(0.75-0.3)  = 11/60
	// sum = 45/60 = v(ABC); normalised 26/45, 8/45, 11/45.
	a, b, c := 26.0/45, 8.0/45, 11.0/45
	assertWeights(t, "C>B>A", credit(t, s, ch.path("C>B>A")), []float64{c, b, a}, 1e-15)
	// A's part is shared by its two touches.
	assertWeights(t, "A>B>C>A", credit(t, s, ch.path("A>B>C>A")), []float64{a / 2, b, c, a / 2}, 1e-15)
	// {A,B}: phi_A = 1/2*0.2 + 1/2*(0.3-0.1) = 0.2, phi_B = 1/2*0.1 + 1/2*(0.3-0.2) = 0.1.
	assertWeights(t, "B>A", credit(t, s, ch.path("B>A")), []float64{1.0 / 3, 2.0 / 3}, 1e-15)
	// {B,C} never converts, but its Shapley values are still defined: phi_B = 1/2*0.1 +
	// 1/2*(0-0) = 0.05, phi_C = 1/2*0 + 1/2*(0-0.1) = -0.05 -> clipped to 0.
	assertWeights(t, "B>C", credit(t, s, ch.path("B>C")), []float64{1, 0}, 1e-15)
}

func TestShapleyNegativeAndZero(t *testing.T) {
	t.Parallel()
	ch := newChannels("A", "B", "C")
	s := fitShapley(t, ch,
		PathCount{Steps: ch.path("A"), Conversions: 1, Nulls: 1},   // v(A) = 0.5
		PathCount{Steps: ch.path("A>B"), Conversions: 1, Nulls: 9}, // v(AB) = 0.1
	)
	// phi_A = 1/2*0.5 + 1/2*(0.1-0) = 0.3, phi_B = 1/2*0 + 1/2*(0.1-0.5) = -0.2 -> 0.
	assertWeights(t, "negative clipped", credit(t, s, ch.path("A>B")), []float64{1, 0}, 0)
	// A set with no observed subset has all-zero values: equal split.
	assertWeights(t, "all zero", credit(t, s, ch.path("C>C")), []float64{0.5, 0.5}, 0)
}

// bruteShapley is the textbook formula: phi_i = sum over S in N\{i} of
// |S|!(n-|S|-1)!/n! (v(S+i) - v(S)).
func bruteShapley(v func(uint64) float64, n uint64) map[int]float64 {
	size := bits.OnesCount64(n)
	fact := func(k int) float64 {
		f := 1.0
		for i := 2; i <= k; i++ {
			f *= float64(i)
		}
		return f
	}
	out := map[int]float64{}
	for r := n; r != 0; r &= r - 1 {
		i := bits.TrailingZeros64(r)
		rest := n &^ (1 << uint(i))
		sum := 0.0
		for sub := rest; ; sub = (sub - 1) & rest {
			k := bits.OnesCount64(sub)
			sum += fact(k) * fact(size-k-1) / fact(size) * (v(sub|1<<uint(i)) - v(sub))
			if sub == 0 {
				break
			}
		}
		out[i] = sum
	}
	return out
}

func normalisedShares(phi map[int]float64, n uint64) []float64 {
	var out []float64
	total := 0.0
	for r := n; r != 0; r &= r - 1 {
		p := max(phi[bits.TrailingZeros64(r)], 0)
		out = append(out, p)
		total += p
	}
	for i := range out {
		out[i] /= total
	}
	return out
}

// Both evaluation strategies (subset enumeration, and scanning the observed sets for sets of
// more than 16 channels) must agree with the textbook formula.
func TestShapleyMatchesBruteForce(t *testing.T) {
	t.Parallel()
	const nChannels = 20
	var paths []PathCount
	// Every subset of the first 5 channels and a few wide sets, with assorted rates.
	for m := uint64(1); m < 1<<5; m++ {
		var steps []int32
		for c := range 5 {
			if m&(1<<uint(c)) != 0 {
				steps = append(steps, int32(c))
			}
		}
		paths = append(paths, PathCount{Steps: steps, Conversions: float64(m%4 + 1), Nulls: float64(m % 7)})
	}
	wide := func(n int) []int32 {
		var s []int32
		for c := range n {
			s = append(s, int32(c))
		}
		return s
	}
	paths = append(paths,
		PathCount{Steps: wide(12), Conversions: 3, Nulls: 5},
		PathCount{Steps: wide(18), Conversions: 2, Nulls: 1},
		PathCount{Steps: append(wide(4), 17, 19), Conversions: 1, Nulls: 2},
	)
	s, err := FitShapley(paths, nChannels)
	if err != nil {
		t.Fatal(err)
	}
	for _, steps := range [][]int32{wide(3), wide(5), wide(12), wide(18), append(wide(4), 17, 19), {19, 2, 17}} {
		n := maskOf(steps)
		want := normalisedShares(bruteShapley(s.v, n), n)
		got := s.setShares(n)
		assertWeights(t, fmt.Sprintf("set %b", n), got, want, 1e-12)
	}
}

func TestShapleySparseMasks(t *testing.T) {
	t.Parallel()
	// More than 16 channels uses maps instead of dense tables; same answers.
	ch := newChannels()
	for i := range 30 {
		ch.id(fmt.Sprint("c", i))
	}
	rows := []PathCount{
		{Steps: ch.path("c28"), Conversions: 1, Nulls: 3},
		{Steps: ch.path("c29>c29"), Conversions: 1, Nulls: 1},
		{Steps: ch.path("c28>c29"), Conversions: 3, Nulls: 1},
	}
	s := fitShapley(t, ch, rows...)
	assertWeights(t, "sparse", credit(t, s, ch.path("c28>c29")), []float64{1.0 / 3, 2.0 / 3}, 1e-15)
}

func TestShapleyIgnoresInputOrder(t *testing.T) {
	t.Parallel()
	for _, paths := range [][]PathCount{genPaths(5000, 9), fractional(genPaths(5000, 10))} {
		checkShapleyOrderFree(t, paths)
	}
}

func checkShapleyOrderFree(t *testing.T, paths []PathCount) {
	t.Helper()
	totals := func(ps []PathCount) ([]float64, []float64) {
		s, err := FitShapley(ps, len(benchWeights))
		if err != nil {
			t.Fatal(err)
		}
		conv, value, err := ChannelTotals(s, ps, len(benchWeights))
		if err != nil {
			t.Fatal(err)
		}
		return conv, value
	}
	c1, v1 := totals(paths)
	c2, v2 := totals(shuffled(paths, 4))
	if !slices.Equal(c1, c2) || !slices.Equal(v1, v2) {
		t.Errorf("totals differ after shuffling:\n%v\n%v", c1, c2)
	}
	sum, want := 0.0, 0.0
	for _, c := range c1 {
		sum += c
	}
	for _, p := range paths {
		want += p.Conversions
	}
	assertNear(t, "credited conversions", sum, want, 1e-6)
}

func TestShapleyRejects(t *testing.T) {
	t.Parallel()
	if _, err := FitShapley([]PathCount{{Steps: []int32{0}, Conversions: 1}}, 65); err == nil {
		t.Error("65 channels: no error")
	}
	if _, err := FitShapley([]PathCount{{Steps: []int32{3}, Conversions: 1}}, 2); err == nil {
		t.Error("out-of-range channel: no error")
	}
	s, err := FitShapley([]PathCount{{Steps: []int32{0}, Conversions: 1}}, 2)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Credit(nil); err == nil {
		t.Error("empty path: no error")
	}
}
