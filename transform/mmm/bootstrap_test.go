package mmm

import (
	"math/rand/v2"
	"testing"
)

func TestBlockIndex(t *testing.T) {
	t.Parallel()
	const T, L = 100, 28
	if blockLen(Day, 1095) != 28 || blockLen(Week, 156) != 4 || blockLen(Day, 10) != 10 {
		t.Errorf("block lengths %d %d %d", blockLen(Day, 1095), blockLen(Week, 156), blockLen(Day, 10))
	}
	rng := rand.New(rand.NewPCG(1, 2))
	idx := make([]int, T)
	blockIndex(rng, idx, L)
	// Runs of L consecutive indexes starting at 0, L, 2L, ...; each start
	// in 0..T-L.
	for start := 0; start < T; start += L {
		if s := idx[start]; s < 0 || s > T-L {
			t.Fatalf("block at %d starts at %d", start, s)
		}
		for k := 1; k < L && start+k < T; k++ {
			if idx[start+k] != idx[start]+k {
				t.Fatalf("position %d: %d, want %d (block of %d)", start+k, idx[start+k], idx[start]+k, L)
			}
		}
	}
	// Blocks start anywhere: over many draws every start 0..T-L occurs.
	seen := make([]bool, T-L+1)
	for range 400 {
		blockIndex(rng, idx, L)
		for start := 0; start < T; start += L {
			seen[idx[start]] = true
		}
	}
	for s, ok := range seen {
		if !ok {
			t.Errorf("block start %d never drawn", s)
		}
	}
}
