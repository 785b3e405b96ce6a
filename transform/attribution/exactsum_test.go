package attribution

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

func TestExactSum(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	var xs []float64
	for range 5000 {
		// Magnitudes from subnormal to 1e300, plus plenty of ordinary money amounts.
		switch rng.IntN(4) {
		case 0:
			xs = append(xs, math.Ldexp(rng.Float64(), rng.IntN(2100)-1100))
		case 1:
			xs = append(xs, math.SmallestNonzeroFloat64*float64(rng.IntN(1000)))
		default:
			xs = append(xs, math.Round(rng.Float64()*1e6)/100)
		}
	}
	exact := new(big.Float).SetPrec(4000)
	for _, x := range xs {
		exact.Add(exact, new(big.Float).SetFloat64(x))
	}
	want, _ := exact.Float64()
	for round := range 3 {
		var s exactSum
		for _, x := range xs {
			s.add(x)
		}
		if got := s.Float64(); got != want {
			t.Fatalf("round %d: exact sum = %v, want %v", round, got, want)
		}
		rng.Shuffle(len(xs), func(i, j int) { xs[i], xs[j] = xs[j], xs[i] })
	}
}

func TestExactSumRoundsOnce(t *testing.T) {
	t.Parallel()
	// 1 + 2^-53 + 2^-53: naive left-to-right gives 1, the exact total 1+2^-52.
	var s exactSum
	for _, x := range []float64{1, 0x1p-53, 0x1p-53} {
		s.add(x)
	}
	if got := s.Float64(); got != 1+0x1p-52 {
		t.Errorf("got %v, want 1+2^-52", got)
	}
	var empty exactSum
	if empty.Float64() != 0 {
		t.Error("empty sum is not 0")
	}
	// Carry propagation in the middle of a sum keeps it exact.
	var c exactSum
	for i := range 1000 {
		c.add(0.1)
		if i%97 == 0 {
			c.carry()
		}
	}
	want := new(big.Float).SetPrec(200).Mul(new(big.Float).SetFloat64(0.1), big.NewFloat(1000))
	if w, _ := want.Float64(); c.Float64() != w {
		t.Errorf("1000 x 0.1 = %v, want %v", c.Float64(), w)
	}
}

// fractional scales counts so they are no longer whole numbers, which switches the count sums
// to the canonical order.
func fractional(paths []PathCount) []PathCount {
	out := make([]PathCount, len(paths))
	for i, p := range paths {
		out[i] = PathCount{Steps: p.Steps, Conversions: p.Conversions * 0.37, Nulls: p.Nulls * 1.13, Value: p.Value}
	}
	return out
}
