package attribution

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
)

// PathCount is one aggregated path: a sequence of touches and how many people took it.
type PathCount struct {
	// Steps are channel ids (0..nChannels-1) in time order, one per touch.
	Steps []int32
	// Conversions is the number of converting paths with exactly this sequence.
	Conversions float64
	// Nulls is the number of non-converting paths with exactly this sequence.
	Nulls float64
	// Value is the total conversion value (revenue) of the converting paths; 0 when unknown.
	Value float64
}

// Crediter is a fitted model that splits the credit of one converting path over its touches.
// Credit returns one weight per step, in step order, summing to 1.
type Crediter interface {
	Credit(steps []int32) ([]float64, error)
}

// ErrNoSteps is returned for a path without touches. A conversion without a touch in its
// window belongs to the caller's "(unattributed)" channel and is never passed to a model.
var ErrNoSteps = errors.New("path has no steps")

// validatePaths checks the input contract shared by all models: at least one channel, every
// path non-empty with channel ids in range, finite non-negative counts, and no value on a path
// without conversions.
func validatePaths(paths []PathCount, nChannels int) error {
	if nChannels <= 0 {
		return fmt.Errorf("attribution: nChannels must be positive, got %d", nChannels)
	}
	if len(paths) > math.MaxInt32 {
		return fmt.Errorf("attribution: too many paths (%d)", len(paths))
	}
	for i := range paths {
		p := &paths[i]
		if err := validateSteps(p.Steps, nChannels); err != nil {
			return fmt.Errorf("attribution: path %d: %w", i, err)
		}
		if err := checkCount("conversions", p.Conversions); err != nil {
			return fmt.Errorf("attribution: path %d: %w", i, err)
		}
		if err := checkCount("nulls", p.Nulls); err != nil {
			return fmt.Errorf("attribution: path %d: %w", i, err)
		}
		if err := checkCount("value", p.Value); err != nil {
			return fmt.Errorf("attribution: path %d: %w", i, err)
		}
		if p.Value > 0 && p.Conversions == 0 {
			return fmt.Errorf("attribution: path %d: value %g without conversions", i, p.Value)
		}
	}
	return nil
}

func validateSteps(steps []int32, nChannels int) error {
	if len(steps) == 0 {
		return ErrNoSteps
	}
	for _, c := range steps {
		if c < 0 || int(c) >= nChannels {
			return fmt.Errorf("channel id %d out of range [0,%d)", c, nChannels)
		}
	}
	return nil
}

func checkCount(name string, v float64) error {
	if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
		return fmt.Errorf("%s must be finite and non-negative, got %g", name, v)
	}
	return nil
}

// summationOrder returns the order in which to add up the paths' counts so that every sum is
// bit-identical however the caller ordered the paths. When all counts are whole numbers with a
// total below 2^53 every partial sum is exact, so input order (cache-friendly) is fine;
// otherwise it is canonicalOrder. Values are summed with exactSum and need neither.
func summationOrder(paths []PathCount) []int32 {
	total := 0.0
	integral := true
	for i := range paths {
		p := &paths[i]
		total += p.Conversions + p.Nulls
		if p.Conversions != math.Trunc(p.Conversions) || p.Nulls != math.Trunc(p.Nulls) {
			integral = false
			break
		}
	}
	if !integral || total >= 1<<53 {
		return canonicalOrder(paths)
	}
	order := make([]int32, len(paths))
	for i := range order {
		order[i] = int32(i)
	}
	return order
}

// canonicalOrder returns the indices of paths in an order that depends only on their content,
// never on their position in the input.
func canonicalOrder(paths []PathCount) []int32 {
	type entry struct {
		h uint64
		i int32
	}
	keys := make([]entry, len(paths))
	for i := range paths {
		keys[i] = entry{hashPath(&paths[i]), int32(i)}
	}
	slices.SortFunc(keys, func(a, b entry) int {
		if a.h != b.h {
			return cmp.Compare(a.h, b.h)
		}
		return comparePaths(&paths[a.i], &paths[b.i])
	})
	order := make([]int32, len(keys))
	for i, k := range keys {
		order[i] = k.i
	}
	return order
}

func hashPath(p *PathCount) uint64 {
	h := uint64(len(p.Steps))*0x9e3779b97f4a7c15 + 0x632be59bd9b4e019
	for _, c := range p.Steps {
		h = mix64(h ^ uint64(uint32(c)))
	}
	h = mix64(h ^ math.Float64bits(p.Conversions))
	h = mix64(h ^ math.Float64bits(p.Nulls))
	return mix64(h ^ math.Float64bits(p.Value))
}

// mix64 is the splitmix64 finaliser.
func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	return x ^ x>>31
}

func comparePaths(a, b *PathCount) int {
	if c := slices.Compare(a.Steps, b.Steps); c != 0 {
		return c
	}
	if c := cmp.Compare(math.Float64bits(a.Conversions), math.Float64bits(b.Conversions)); c != 0 {
		return c
	}
	if c := cmp.Compare(math.Float64bits(a.Nulls), math.Float64bits(b.Nulls)); c != 0 {
		return c
	}
	return cmp.Compare(math.Float64bits(a.Value), math.Float64bits(b.Value))
}

// touchCredits splits a path's credit over its distinct channels in proportion to score(c)
// (equal split when every score is zero), then splits each channel's part equally over its
// touches. Scores must be non-negative.
func touchCredits(steps []int32, score func(c int32) float64) []float64 {
	sorted := slices.Clone(steps)
	slices.Sort(sorted)
	distinct := slices.Compact(slices.Clone(sorted))
	count := func(c int32) int {
		lo, _ := slices.BinarySearch(sorted, c)
		hi, _ := slices.BinarySearch(sorted, c+1)
		return hi - lo
	}
	total := 0.0
	for _, c := range distinct {
		total += score(c)
	}
	out := make([]float64, len(steps))
	for i, c := range steps {
		share := 1 / float64(len(distinct))
		if total > 0 {
			share = score(c) / total
		}
		out[i] = share / float64(count(c))
	}
	return out
}

// ChannelTotals sums, over the converting paths, each touch's credit from m times the path's
// Conversions and Value, per channel. The sums are exact before a final rounding, so the
// totals do not depend on the order of paths.
func ChannelTotals(m Crediter, paths []PathCount, nChannels int) (conversions, value []float64, err error) {
	if err := validatePaths(paths, nChannels); err != nil {
		return nil, nil, err
	}
	convSum := make([]exactSum, nChannels)
	valueSum := make([]exactSum, nChannels)
	for i := range paths {
		p := &paths[i]
		if p.Conversions == 0 {
			continue
		}
		w, err := m.Credit(p.Steps)
		if err != nil {
			return nil, nil, fmt.Errorf("path %d: %w", i, err)
		}
		for j, c := range p.Steps {
			convSum[c].add(w[j] * p.Conversions)
			valueSum[c].add(w[j] * p.Value)
		}
	}
	conversions = make([]float64, nChannels)
	value = make([]float64, nChannels)
	for c := range nChannels {
		conversions[c] = convSum[c].Float64()
		value[c] = valueSum[c].Float64()
	}
	return conversions, value, nil
}
