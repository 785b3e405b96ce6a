package attribution

import (
	"fmt"
	"maps"
	"math/bits"
	"slices"
)

// MaxShapleyChannels is the largest channel count FitShapley accepts: channel sets are
// bitmasks in a uint64.
const MaxShapleyChannels = 64

const (
	// denseMaskBits: with at most this many channels, v is kept in a slice indexed by mask.
	denseMaskBits = 16
	// enumerateBits: sets with at most this many channels enumerate their subsets; larger
	// sets scan the list of observed sets when that is shorter.
	enumerateBits = 16
)

// Shapley is a fitted Shapley value model over channel sets. Build it with FitShapley.
type Shapley struct {
	nChannels int
	dense     []float64          // v by mask, when nChannels <= denseMaskBits
	sparse    map[uint64]float64 // v by mask otherwise; only non-zero entries
	observed  []uint64           // masks with v > 0, ascending
	shares    map[uint64][]float64
}

// FitShapley aggregates paths by their set of distinct channels, with characteristic function
// v(S) = conversions/(conversions+nulls) of the paths whose set is exactly S (0 when there is
// none, v(empty) = 0), and precomputes the normalised Shapley shares of every converting set.
// The result does not depend on the order of paths.
func FitShapley(paths []PathCount, nChannels int) (*Shapley, error) {
	if nChannels > MaxShapleyChannels {
		return nil, fmt.Errorf("attribution: shapley supports at most %d channels, got %d", MaxShapleyChannels, nChannels)
	}
	if err := validatePaths(paths, nChannels); err != nil {
		return nil, err
	}
	type counts struct{ conv, nulls float64 }
	var agg map[uint64]counts
	var denseAgg []counts
	if nChannels <= denseMaskBits {
		denseAgg = make([]counts, 1<<nChannels)
	} else {
		agg = make(map[uint64]counts)
	}
	for _, i := range summationOrder(paths) {
		p := &paths[i]
		m := maskOf(p.Steps)
		if denseAgg != nil {
			denseAgg[m].conv += p.Conversions
			denseAgg[m].nulls += p.Nulls
		} else {
			a := agg[m]
			a.conv += p.Conversions
			a.nulls += p.Nulls
			agg[m] = a
		}
	}
	s := &Shapley{nChannels: nChannels, shares: make(map[uint64][]float64)}
	visit := func(m uint64, a counts) {
		if a.conv == 0 {
			return
		}
		v := a.conv / (a.conv + a.nulls)
		if s.dense != nil {
			s.dense[m] = v
		} else {
			s.sparse[m] = v
		}
		s.observed = append(s.observed, m)
	}
	if denseAgg != nil {
		s.dense = make([]float64, 1<<nChannels)
		for m, a := range denseAgg {
			visit(uint64(m), a)
		}
	} else {
		s.sparse = make(map[uint64]float64, len(agg))
		for _, m := range slices.Sorted(maps.Keys(agg)) {
			visit(m, agg[m])
		}
	}
	// The sets with v > 0 are exactly the converting sets.
	for _, m := range s.observed {
		s.shares[m] = s.setShares(m)
	}
	return s, nil
}

// Credit splits one converting path's credit over its distinct channels in proportion to
// their normalised Shapley shares; touches of a channel share its part equally.
func (s *Shapley) Credit(steps []int32) ([]float64, error) {
	if err := validateSteps(steps, s.nChannels); err != nil {
		return nil, fmt.Errorf("attribution: %w", err)
	}
	m := maskOf(steps)
	sh, ok := s.shares[m]
	if !ok {
		sh = s.setShares(m)
	}
	return touchCredits(steps, func(c int32) float64 {
		return sh[bits.OnesCount64(m&(1<<uint(c)-1))]
	}), nil
}

// v returns the characteristic function of the channel set given as a bitmask.
func (s *Shapley) v(mask uint64) float64 {
	if s.dense != nil {
		return s.dense[mask]
	}
	return s.sparse[mask]
}

func maskOf(steps []int32) uint64 {
	var m uint64
	for _, c := range steps {
		m |= 1 << uint(c)
	}
	return m
}

// setShares returns the Shapley values of the channels of set n (ascending channel id) with
// negative values clipped to zero, normalised to sum 1 (equal split when all are zero).
//
// It uses phi_i = sum over T subset of N with v(T) != 0 of v(T)*w(|T|-1) when i is in T and
// -v(T)*w(|T|) when it is not, with w(s) = s!(n-s-1)!/n!, which is exact and only needs the
// sets with v != 0: it enumerates the subsets of N when N is small or the observed sets are
// many, and otherwise scans the observed sets.
func (s *Shapley) setShares(n uint64) []float64 {
	size := bits.OnesCount64(n)
	w := make([]float64, size) // w[k] = k!(size-k-1)!/size!
	w[0] = 1 / float64(size)
	for k := 1; k < size; k++ {
		w[k] = w[k-1] * float64(k) / float64(size-k)
	}
	// phi_i = sum_{T containing i} (a_T + b_T) - sum_T b_T, a_T = v w(|T|-1), b_T = v w(|T|).
	var in [MaxShapleyChannels]float64
	outAll := 0.0
	add := func(t uint64, v float64) {
		k := bits.OnesCount64(t)
		a, b := v*w[k-1], 0.0
		if k < size {
			b = v * w[k]
		}
		outAll += b
		for r := t; r != 0; r &= r - 1 {
			in[bits.TrailingZeros64(r)] += a + b
		}
	}
	if size <= enumerateBits || (size < 48 && 1<<uint(size) <= len(s.observed)) {
		for t := n; t != 0; t = (t - 1) & n {
			if v := s.v(t); v != 0 {
				add(t, v)
			}
		}
	} else {
		for _, t := range s.observed {
			if t&^n == 0 {
				add(t, s.v(t))
			}
		}
	}
	shares := make([]float64, 0, size)
	total := 0.0
	for r := n; r != 0; r &= r - 1 {
		phi := max(in[bits.TrailingZeros64(r)]-outAll, 0)
		shares = append(shares, phi)
		total += phi
	}
	for i := range shares {
		if total > 0 {
			shares[i] /= total
		} else {
			shares[i] = 1 / float64(size)
		}
	}
	return shares
}
