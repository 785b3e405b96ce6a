package attribution

import (
	"fmt"
	"math"
	"slices"
	"testing"
)

func markovOf(t *testing.T, ch *channels, order int, rows ...PathCount) MarkovResult {
	t.Helper()
	r, err := Markov(rows, ch.n(), order)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// Known answers from ChannelAttribution's documentation (DESIGN.md "Known answers").
func TestMarkovGoldenRepeats(t *testing.T) {
	t.Parallel()
	ch := newChannels("A", "B")
	r := markovOf(t, ch, 1,
		PathCount{Steps: ch.path("A>B>A>B>B>A"), Conversions: 1},
		PathCount{Steps: ch.path("A>B>B>A>A"), Conversions: 1},
		PathCount{Steps: ch.path("A>A"), Conversions: 1},
	)
	assertNear(t, "P(conversion)", r.Conversion, 1, 1e-14)
	assertNear(t, "RE(A)", r.RemovalEffect[0], 1, 1e-14)
	assertNear(t, "RE(B)", r.RemovalEffect[1], 0.5, 1e-14)
	assertNear(t, "conversions A", r.Conversions[0], 2, 1e-12)
	assertNear(t, "conversions B", r.Conversions[1], 1, 1e-12)
}

func TestMarkovGoldenNulls(t *testing.T) {
	t.Parallel()
	ch := newChannels("c1", "c2", "c3")
	r := markovOf(t, ch, 1,
		PathCount{Steps: ch.path("c1>c2>c3"), Conversions: 1},
		PathCount{Steps: ch.path("c1"), Nulls: 1},
		PathCount{Steps: ch.path("c2>c3"), Nulls: 1},
	)
	// P = 2/3 * 1/2 * 1 * 1/2 + 1/3 * 1 * 1/2 = 1/3.
	assertNear(t, "P(conversion)", r.Conversion, 1.0/3, 1e-14)
	assertWeights(t, "removal effects", r.RemovalEffect, []float64{0.5, 1, 1}, 1e-14)
	assertWeights(t, "global credit", r.Conversions, []float64{0.2, 0.4, 0.4}, 1e-14)
	w, err := r.Credit(ch.path("c1>c2>c3"))
	if err != nil {
		t.Fatal(err)
	}
	assertWeights(t, "path credit", w, []float64{0.2, 0.4, 0.4}, 1e-14)
	// c1's part (0.5/2.5) is shared by its two touches.
	w, _ = r.Credit(ch.path("c1>c2>c1"))
	assertWeights(t, "repeated touches", w, []float64{1.0 / 6, 2.0 / 3, 1.0 / 6}, 1e-14)
}

func TestMarkovGoldenValue(t *testing.T) {
	t.Parallel()
	ch := newChannels("google ads", "mailing")
	r := markovOf(t, ch, 1,
		PathCount{Steps: ch.path("google ads"), Conversions: 2, Nulls: 1, Value: 20},
		PathCount{Steps: ch.path("mailing"), Conversions: 1, Value: 30},
		PathCount{Steps: ch.path("google ads>mailing"), Conversions: 1, Value: 10},
	)
	assertNear(t, "google ads", r.Conversions[0], 2.4, 1e-12)
	assertNear(t, "mailing", r.Conversions[1], 1.6, 1e-12)
	// Hand-worked value chain: a conversion from "google ads" is worth 20/2 = 10, from
	// "mailing" (30+10)/2 = 20. y(mailing) = 20, y(google ads) = 2/4*10 + 1/4*20 = 10,
	// Y = 4/5*10 + 1/5*20 = 12 (= 60 value / 5 paths). Without google ads Y = 1/5*20 = 4,
	// without mailing Y = 4/5*5 = 4: both value removal effects are 2/3, value splits 30/30.
	assertWeights(t, "value removal effects", r.ValueRemovalEffect, []float64{2.0 / 3, 2.0 / 3}, 1e-14)
	assertWeights(t, "value", r.Value, []float64{30, 30}, 1e-12)
}

// Order 2 remembers where a path came from; order 1 does not.
func TestMarkovOrder2Memory(t *testing.T) {
	t.Parallel()
	ch := newChannels("X", "Y", "A")
	rows := []PathCount{
		{Steps: ch.path("X>A"), Conversions: 1},
		{Steps: ch.path("Y>A"), Nulls: 1},
	}
	// Order 1: start->X,Y 1/2 each, A->conversion 1/2. P = 1/2; without X (or Y) 1/4.
	r1 := markovOf(t, ch, 1, rows...)
	assertWeights(t, "order 1 removal", r1.RemovalEffect, []float64{0.5, 0.5, 1}, 1e-14)
	assertWeights(t, "order 1 credit", r1.Conversions, []float64{0.25, 0.25, 0.5}, 1e-14)
	// Order 2: states (X,A) -> conversion and (Y,A) -> null. P = 1/2; without X 0, without Y
	// still 1/2, without A 0.
	r2 := markovOf(t, ch, 2, rows...)
	if r2.States != 2 {
		t.Errorf("order 2 states = %d, want 2", r2.States)
	}
	assertWeights(t, "order 2 removal", r2.RemovalEffect, []float64{1, 0, 1}, 1e-14)
	assertWeights(t, "order 2 credit", r2.Conversions, []float64{0.5, 0, 0.5}, 1e-14)
}

// A path shorter than the order is one state of all its touches; windows are taken over the
// raw path and equal consecutive windows collapse (ChannelAttribution's encoding).
func TestMarkovHigherOrderStates(t *testing.T) {
	t.Parallel()
	ch := newChannels("A", "B")
	rows := []PathCount{
		{Steps: ch.path("A>A>A>B"), Conversions: 1},
		{Steps: ch.path("B"), Nulls: 1},
	}
	// Order 2: (A,A) -> (A,B) -> conversion, (B) -> null: 3 states, P = 1/2; removing A
	// removes (A,A) and (A,B), removing B removes (A,B) and (B): both effects 1.
	// Order 3: (A,A,A) -> (A,A,B) -> conversion, (B) -> null: same numbers.
	for _, order := range []int{2, 3} {
		r := markovOf(t, ch, order, rows...)
		if r.States != 3 {
			t.Errorf("order %d: states = %d, want 3", order, r.States)
		}
		assertNear(t, fmt.Sprintf("order %d P", order), r.Conversion, 0.5, 1e-15)
		assertWeights(t, fmt.Sprintf("order %d removal", order), r.RemovalEffect, []float64{1, 1}, 1e-15)
		assertWeights(t, fmt.Sprintf("order %d credit", order), r.Conversions, []float64{0.5, 0.5}, 1e-15)
	}
	// Order 2 with a cycle, worked by hand: paths A>B>A (1 conv) and B>A>B (1 null).
	// States (A,B), (B,A) only: start -> (A,B) 1, (A,B) -> (B,A) 1, (B,A) -> conv 1,
	// start -> (B,A) 1, (B,A) -> (A,B) 1, (A,B) -> null 1.
	// x(AB) = 1/2 x(BA), x(BA) = 1/2 + 1/2 x(AB) -> x(BA) = 2/3, x(AB) = 1/3, P = 1/2.
	// Every state holds both channels, so both removal effects are 1.
	r := markovOf(t, ch, 2,
		PathCount{Steps: ch.path("A>B>A"), Conversions: 1},
		PathCount{Steps: ch.path("B>A>B"), Nulls: 1},
	)
	assertNear(t, "cycle P", r.Conversion, 0.5, 1e-15)
	assertWeights(t, "cycle removal", r.RemovalEffect, []float64{1, 1}, 1e-15)
}

func TestMarkovUnusedChannelAndNoConversions(t *testing.T) {
	t.Parallel()
	ch := newChannels("A", "B", "unused")
	r := markovOf(t, ch, 1, PathCount{Steps: ch.path("A>B"), Nulls: 3}, PathCount{Steps: ch.path("B"), Conversions: 0})
	if r.Conversion != 0 || slices.ContainsFunc(r.RemovalEffect, func(v float64) bool { return v != 0 }) ||
		slices.ContainsFunc(r.Conversions, func(v float64) bool { return v != 0 }) {
		t.Errorf("no conversions: got %+v, want all zero", r)
	}
	// Credit still splits equally when every removal effect is zero.
	w, err := r.Credit(ch.path("A>B"))
	if err != nil {
		t.Fatal(err)
	}
	assertWeights(t, "equal split", w, []float64{0.5, 0.5}, 0)
}

func TestMarkovRejects(t *testing.T) {
	t.Parallel()
	good := []PathCount{{Steps: []int32{0, 1}, Conversions: 1}}
	for _, order := range []int{0, 4} {
		if _, err := Markov(good, 2, order); err == nil {
			t.Errorf("order %d: no error", order)
		}
	}
	bad := [][]PathCount{
		{{Steps: nil, Conversions: 1}},
		{{Steps: []int32{0, 5}, Conversions: 1}},
		{{Steps: []int32{0}, Conversions: -1}},
		{{Steps: []int32{0}, Nulls: math.NaN()}},
	}
	for i, paths := range bad {
		if _, err := Markov(paths, 2, 1); err == nil {
			t.Errorf("bad input %d: no error", i)
		}
	}
	r, _ := Markov(good, 2, 1)
	if _, err := r.Credit([]int32{2}); err == nil {
		t.Error("Credit with out-of-range channel: no error")
	}
	if _, err := r.Credit(nil); err == nil {
		t.Error("Credit with empty path: no error")
	}
}

// The Gauss-Seidel solution must match a dense direct solve of an independent implementation.
func TestMarkovMatchesDenseSolve(t *testing.T) {
	t.Parallel()
	paths := genPaths(800, 11)
	for order := 1; order <= MaxMarkovOrder; order++ {
		r, err := Markov(paths, len(benchWeights), order)
		if err != nil {
			t.Fatal(err)
		}
		p, re := refMarkov(paths, len(benchWeights), order)
		assertNear(t, fmt.Sprintf("order %d P", order), r.Conversion, p, 1e-13)
		for c := range re {
			assertNear(t, fmt.Sprintf("order %d RE(%d)", order, c), r.RemovalEffect[c], re[c], 1e-12)
		}
	}
}

func TestMarkovIgnoresInputOrder(t *testing.T) {
	t.Parallel()
	for _, paths := range [][]PathCount{genPaths(5000, 5), fractional(genPaths(5000, 6))} {
		checkMarkovOrderFree(t, paths)
	}
}

func checkMarkovOrderFree(t *testing.T, paths []PathCount) {
	t.Helper()
	for order := 1; order <= MaxMarkovOrder; order++ {
		a, err := Markov(paths, len(benchWeights), order)
		if err != nil {
			t.Fatal(err)
		}
		b, err := Markov(shuffled(paths, uint64(order)), len(benchWeights), order)
		if err != nil {
			t.Fatal(err)
		}
		for _, pair := range [][2][]float64{
			{a.RemovalEffect, b.RemovalEffect}, {a.ValueRemovalEffect, b.ValueRemovalEffect},
			{a.Conversions, b.Conversions}, {a.Value, b.Value},
		} {
			if !slices.Equal(pair[0], pair[1]) {
				t.Errorf("order %d: results differ after shuffling: %v vs %v", order, pair[0], pair[1])
			}
		}
	}
}

// refMarkov is an independent reference: string-keyed states, a dense transition matrix and
// Gaussian elimination with partial pivoting for every removal.
func refMarkov(paths []PathCount, nChannels, order int) (float64, []float64) {
	index := map[string]int{}
	var members [][]int32
	seqs := make([][]int, len(paths))
	for i, p := range paths {
		w := min(order, len(p.Steps))
		prev := ""
		for j := 0; j+w <= len(p.Steps); j++ {
			key := fmt.Sprint(p.Steps[j : j+w])
			if key == prev {
				continue
			}
			prev = key
			if _, ok := index[key]; !ok {
				index[key] = len(members)
				members = append(members, slices.Clone(p.Steps[j:j+w]))
			}
			seqs[i] = append(seqs[i], index[key])
		}
	}
	n := len(members)
	weight := make([][]float64, n)
	for s := range weight {
		weight[s] = make([]float64, n)
	}
	start := make([]float64, n)
	conv, total := make([]float64, n), make([]float64, n)
	for i, p := range paths {
		w := p.Conversions + p.Nulls
		seq := seqs[i]
		start[seq[0]] += w
		for j := 1; j < len(seq); j++ {
			weight[seq[j-1]][seq[j]] += w
		}
		last := seq[len(seq)-1]
		conv[last] += p.Conversions
		for j := range seq {
			total[seq[j]] += w
		}
	}
	solve := func(removed func(s int) bool) float64 {
		var keep []int
		for s := range n {
			if !removed(s) && total[s] > 0 {
				keep = append(keep, s)
			}
		}
		m := len(keep)
		a := make([][]float64, m)
		for i, s := range keep {
			a[i] = make([]float64, m+1)
			a[i][i] = 1
			for j, t := range keep {
				a[i][j] -= weight[s][t] / total[s]
			}
			a[i][m] = conv[s] / total[s]
		}
		for col := range m {
			piv := col
			for r := col + 1; r < m; r++ {
				if math.Abs(a[r][col]) > math.Abs(a[piv][col]) {
					piv = r
				}
			}
			a[col], a[piv] = a[piv], a[col]
			for r := range m {
				if r == col || a[r][col] == 0 {
					continue
				}
				f := a[r][col] / a[col][col]
				for k := col; k <= m; k++ {
					a[r][k] -= f * a[col][k]
				}
			}
		}
		sumStart, p := 0.0, 0.0
		for _, w := range start {
			sumStart += w
		}
		for i, s := range keep {
			p += start[s] / sumStart * a[i][m] / a[i][i]
		}
		return p
	}
	base := solve(func(int) bool { return false })
	re := make([]float64, nChannels)
	for c := range nChannels {
		without := solve(func(s int) bool { return slices.Contains(members[s], int32(c)) })
		re[c] = 1 - without/base
	}
	return base, re
}
