package attribution

import (
	"math"
	"math/big"
)

// exactSum adds non-negative finite float64 values without rounding: the total is kept as an
// integer multiple of 2^-1074 in base-2^32 digits, and Float64 rounds it once. The result
// therefore does not depend on the order of the additions.
type exactSum struct {
	lo     int      // chunk index of digits[0]; chunk k has weight 2^(32k-1074)
	digits []uint64 // base-2^32 digits, each with room for carries
	adds   uint32   // additions since the last carry propagation
}

func (s *exactSum) add(x float64) {
	if x == 0 {
		return
	}
	b := math.Float64bits(x)
	e, m := int(b>>52), b&(1<<52-1)
	if e == 0 {
		e = 1 // subnormal
	} else {
		m |= 1 << 52
	}
	// x = m * 2^(pos-1074) with m < 2^53.
	pos := e - 1
	k, o := pos>>5, uint(pos&31)
	s.cover(k, k+2)
	d := s.digits[k-s.lo:]
	low := (m & 0xffffffff) << o // < 2^63
	high := (m >> 32) << o       // < 2^52
	d[0] += low & 0xffffffff
	d[1] += low>>32 + high&0xffffffff
	d[2] += high >> 32
	// Each digit grows by less than 2^33 per addition.
	if s.adds++; s.adds == 1<<30 {
		s.carry()
	}
}

// cover makes digits span chunks a..b plus one chunk of headroom for carries.
func (s *exactSum) cover(a, b int) {
	if len(s.digits) == 0 {
		s.lo, s.digits = a, make([]uint64, b-a+2)
		return
	}
	if a < s.lo {
		s.digits = append(make([]uint64, s.lo-a), s.digits...)
		s.lo = a
	}
	if need := b + 2 - s.lo; need > len(s.digits) {
		s.digits = append(s.digits, make([]uint64, need-len(s.digits))...)
	}
}

func (s *exactSum) carry() {
	for i := 0; i+1 < len(s.digits); i++ {
		s.digits[i+1] += s.digits[i] >> 32
		s.digits[i] &= 0xffffffff
	}
	if top := s.digits[len(s.digits)-1]; top>>32 != 0 {
		s.digits[len(s.digits)-1] &= 0xffffffff
		s.digits = append(s.digits, top>>32)
	}
	s.adds = 0
}

// Float64 returns the total rounded to the nearest float64 (ties to even).
func (s *exactSum) Float64() float64 {
	if len(s.digits) == 0 {
		return 0
	}
	s.carry()
	z := new(big.Int)
	for i := len(s.digits) - 1; i >= 0; i-- {
		z.Lsh(z, 32)
		z.Or(z, new(big.Int).SetUint64(s.digits[i]))
	}
	f := new(big.Float).SetInt(z) // exact: precision grows to z's bit length
	f.SetMantExp(f, 32*s.lo-1074)
	v, _ := f.Float64()
	return v
}
