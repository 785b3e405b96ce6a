package ingest

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestHasRepeat: against a map of the same values, on random hashes with
// and without a planted repeat, values differing in one digit only, and
// the edge cases.
func TestHasRepeat(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(7, 11))
	random := func(n int) []uint64 {
		out := make([]uint64, n)
		for i := range out {
			out[i] = r.Uint64()
		}
		return out
	}
	viaMap := func(hs []uint64) bool {
		seen := map[uint64]bool{}
		for _, h := range hs {
			if seen[h] {
				return true
			}
			seen[h] = true
		}
		return false
	}
	cases := map[string][]uint64{
		"empty":        nil,
		"one":          {42},
		"two same":     {42, 42},
		"two":          {1 << 63, 1},
		"top digit":    {1 << 62, 1<<62 | 1<<60, 1 << 62},
		"random":       random(100_000),
		"max and zero": {0, ^uint64(0), 0},
	}
	planted := random(100_000)
	planted[99_999] = planted[12_345]
	cases["planted"] = planted
	sameLow := make([]uint64, 5000) // equal in every 11-bit digit but the last
	for i := range sameLow {
		sameLow[i] = uint64(i%4000)<<55 | 0x1234
	}
	cases["same low digits"] = sameLow
	for name, hs := range cases {
		want := viaMap(hs)
		sorted := slices.Clone(hs)
		if got := hasRepeat(sorted); got != want {
			t.Errorf("%s: hasRepeat = %v, want %v", name, got, want)
		}
		if !slices.IsSorted(sorted) {
			t.Errorf("%s: not sorted", name)
		}
	}
}
