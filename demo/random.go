package demo

import (
	"math"
	"math/rand/v2"
	"sort"
)

// Calendar of the demo: one marketing year and six more months of activity.
const (
	daySec      = 86400
	nDays       = 365
	yearStart   = 1735689600                  // 2025-01-01T00:00:00Z
	yearEnd     = yearStart + nDays*daySec    // 2026-01-01T00:00:00Z (exclusive)
	activityEnd = yearEnd + 181*daySec        // 2026-07-01T00:00:00Z (exclusive)
	yearSec     = float64(nDays * daySec)     // length of the marketing year
	webMonths   = 13                          // web session files 2025-01 .. 2026-01
	kycFrom     = yearStart - 10*nDays*daySec // earliest KYC of existing customers (2015)
)

var monthStartDay = [13]int{0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365}

// day returns the day index (0 = 2025-01-01) of month m (1-12), day d of 2025.
func day(m, d int) int { return monthStartDay[m-1] + d - 1 }

// monthOf returns the month (0-11) of day index d in 2025.
func monthOf(d int) int {
	m := 0
	for m < 11 && d >= monthStartDay[m+1] {
		m++
	}
	return m
}

// weekday returns 0 for Monday .. 6 for Sunday (2025-01-01 was a Wednesday).
func weekday(d int) int { return (d + 2) % 7 }

// season is a monthly demand multiplier (new year / Chinese New Year high,
// summer low, autumn high).
var season = [12]float64{1.25, 1.15, 1.10, 1.0, 0.95, 0.9, 0.85, 0.85, 1.05, 1.05, 1.0, 0.9}

// mix64 is the SplitMix64 finaliser: a bijection on uint64, used to derive
// unique, random-looking identifiers and per-person seeds.
func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// poisson draws from a Poisson distribution with mean mu.
func poisson(r *rand.Rand, mu float64) int {
	if mu <= 0 {
		return 0
	}
	if mu > 30 {
		n := int(math.Round(mu + math.Sqrt(mu)*r.NormFloat64()))
		return max(n, 0)
	}
	l := math.Exp(-mu)
	k := 0
	for p := r.Float64(); p > l; p *= r.Float64() {
		k++
	}
	return k
}

// lognormal draws exp(mu + sigma*Z).
func lognormal(r *rand.Rand, mu, sigma float64) float64 {
	return math.Exp(mu + sigma*r.NormFloat64())
}

// cdf samples an index with probability proportional to fixed weights.
type cdf []float64

func newCDF(w []float64) cdf {
	c := make(cdf, len(w))
	var s float64
	for i, v := range w {
		s += v
		c[i] = s
	}
	if s <= 0 {
		return nil
	}
	for i := range c {
		c[i] /= s
	}
	c[len(c)-1] = 1
	return c
}

// sample returns an index with positive weight (-1 if all weights are zero).
func (c cdf) sample(r *rand.Rand) int {
	if len(c) == 0 {
		return -1
	}
	u := 1 - r.Float64() // (0, 1]
	return sort.SearchFloat64s(c, u)
}

// secondOfDay draws a time of day (seconds) from hourly weights.
func secondOfDay(r *rand.Rand, hours cdf) int64 {
	return int64(hours.sample(r))*3600 + r.Int64N(3600)
}

// expSec draws an exponential duration with the given mean in days,
// redrawn until it lies in [lo, hi) seconds.
func expSec(r *rand.Rand, meanDays float64, lo, hi int64) int64 {
	for {
		d := int64(r.ExpFloat64() * meanDays * daySec)
		if d >= lo && d < hi {
			return d
		}
	}
}

// unit maps a 64-bit hash to a float64 in [0, 1).
func unit(h uint64) float64 { return float64(h>>11) / (1 << 53) }

// Common random numbers. Every random draw of the causal model comes from a
// stream keyed to what it decides, never from one sequential stream per
// person, so that switching a channel off (its touches never happen) leaves
// every other draw unchanged and a counterfactual differs from the factual
// world only by the channel's effect:
//
//   - a person's attributes and each family of their touches (the sessions
//     of one web kind, TV's halo sessions, calls, events, branch visits, ...)
//     have a PCG stream of their own, seeded from (seed, person, family); a
//     touch's draws are made whether or not the touch is then dropped;
//   - a touch's firing and delay for a conversion type are keyed to the
//     touch (person, family, index within the family) and the type;
//   - the baseline and the revenue of a conversion type are keyed to
//     (person, type).
//
// What only the written files need (pages, bad copies, where a sale
// happens, logins, activity) comes from the person's write stream.
const (
	stAttr       = 0                        // person attributes
	stWeb        = 1                        // + web kind (kPaidSearch .. kDirect)
	stHaloSearch = stWeb + int(kDirect) + 1 // organic search sessions TV's halo adds
	stHaloDirect = stHaloSearch + 1         // direct sessions TV's halo adds
	stApp        = stHaloSearch + 2         // prospect and existing-customer app install
	stCallOut    = stHaloSearch + 3         // outbound sales calls
	stEvents     = stHaloSearch + 4
	stBranch     = stHaloSearch + 5 // customer touches: drawn over the whole year, kept from the day after the person became a customer
	stCallIn     = stHaloSearch + 6
	stMail       = stHaloSearch + 7
	stNewApp     = stHaloSearch + 8 // app install of a new customer (a consequence)
	stWrite      = stHaloSearch + 9 // the written files only
)

// Salts of the keyed draws.
const (
	saltFire     = 0x243f6a8885a308d3 // + conversion type: does a touch fire
	saltDelay    = 0x13198a2e03707344 // + conversion type: its delay
	saltBaseline = 0xa4093822299f31d0 // + conversion type: the baseline fires, and when
	saltRevenue  = 0x082efa98ec4e6c89 // + conversion type: the revenue of the conversion
)

// personSeed is the root of every stream of person i.
func (g *generator) personSeed(i int) uint64 { return mix64(g.seedMix ^ uint64(i)) }

// seedPCG seeds p for the stream (root, s).
func seedPCG(p *rand.PCG, root, s uint64) {
	p.Seed(mix64(root^(s*0x9e3779b97f4a7c15)), mix64(root+s+0x6a09e667f3bcc909))
}

// touchKey identifies touch j of stream s of the person with root ps.
func touchKey(ps uint64, s, j int) uint64 {
	return mix64(ps + uint64(s)<<40 + uint64(j)*0xbf58476d1ce4e5b9)
}
