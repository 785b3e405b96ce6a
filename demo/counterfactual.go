package demo

import "math"

// The counterfactual truth. For every channel (the 14 touch channels, TV
// and Outdoor) the same people are simulated with the same draws and the
// channel switched off: its touches never happen (TV: the sessions its halo
// adds never happen; Outdoor has no effect to remove). Because every draw is
// keyed to what it decides (random.go), the only difference between the two
// worlds is the channel's effect, downstream consequences included: an
// account opened later or never means fewer branch visits, inbound calls and
// mail, and fewer or later cards and loans.
//
// A counterfactual world only removes touches and only makes a customer
// later (or never), so every touch that can cause a conversion in it also
// could in the factual world. The factual simulation therefore records each
// firing, eligible touch as a candidate (its conversion time, the time and
// channel of the touch); the outcome of any counterfactual is the earliest
// surviving candidate per type, with eligibility recomputed from the
// counterfactual time the person became a customer. That is exact, not an
// approximation: the tests re-simulate people from scratch with the channel
// switched off and get the same conversions.

// offSpec switches one channel off over [from, to): its touches in that
// window never happen. ch is an incremental channel index (icTV, icOutdoor
// or a touch channel), or -1 for the factual world.
type offSpec struct {
	ch       int
	from, to int64
}

// allOn is the factual world.
var allOn = offSpec{ch: -1}

// channelOff switches channel ic off for the whole year.
func channelOff(ic int) offSpec { return offSpec{ch: ic, from: math.MinInt64, to: math.MaxInt64} }

// drops reports whether a touch of kind k at time t (halo: a session TV's
// halo added) never happens in the world off describes.
func (o *offSpec) drops(k kind, halo bool, t int64) bool {
	return o.dropsCh(kindChannel[k], halo, t)
}

func (o *offSpec) dropsCh(ch int, halo bool, t int64) bool {
	if o.ch < 0 || t < o.from || t >= o.to {
		return false
	}
	switch o.ch {
	case icTV:
		return halo
	case icOutdoor:
		return false
	}
	return ch == o.ch
}

// candidate is a touch that fired in the factual world and was eligible:
// it would cause a conversion at conv unless an earlier cause wins.
type candidate struct {
	conv  int64 // time of the conversion it would cause
	touch int64 // time of the touch
	ch    int8  // channel of the touch
	halo  bool  // a session TV's halo added
	cust  bool  // a customer touch: eligible only from the first whole day as a customer
}

// outcome is the conversion time per type (0: none) of the current person
// in the world off describes, from the candidates and baseline times the
// factual simulation recorded. existing: a customer before 2025.
func (c *chunk) outcome(existing bool, off *offSpec) (out [nConvTypes]int64) {
	from, firstStart := int64(yearStart), int64(yearStart)
	if !existing {
		out[ctAccount] = c.earliest(ctAccount, off, from, firstStart)
		if out[ctAccount] == 0 {
			return out
		}
		from = out[ctAccount]
		firstStart = yearStart + int64(firstDay(from))*daySec
	}
	out[ctCard] = c.earliest(ctCard, off, from, firstStart)
	out[ctLoan] = c.earliest(ctLoan, off, from, firstStart)
	return out
}

// firstDay is the first whole day (index) as a customer of someone who
// became one at time t during or after the year.
func firstDay(t int64) int { return int((t-yearStart)/daySec) + 1 }

// earliest is the first surviving candidate of type typ (0: none): touches
// at or after from, customer touches from firstStart on, and the baseline
// if it fires at or after from.
func (c *chunk) earliest(typ int, off *offSpec, from, firstStart int64) int64 {
	best := int64(math.MaxInt64)
	for i := range c.cands[typ] {
		cd := &c.cands[typ][i]
		if cd.conv >= best || (cd.cust && cd.touch < firstStart) || cd.touch < from || off.dropsCh(int(cd.ch), cd.halo, cd.touch) {
			continue
		}
		best = cd.conv
	}
	if t := c.baseT[typ]; t >= from && t < best {
		best = t
	}
	if best == math.MaxInt64 {
		return 0
	}
	return best
}

// counterfactuals adds the current person's share of the counterfactual
// truth and of the lift tests to the chunk's totals: for every channel the
// person has a candidate of, the conversions (and revenue) they lose when
// it is switched off. A channel without a candidate changes nothing.
func (c *chunk) counterfactuals(existing bool, fact *[nConvTypes]conversion) {
	var mask uint32
	for typ := range c.cands {
		for i := range c.cands[typ] {
			cd := &c.cands[typ][i]
			mask |= 1 << uint(cd.ch)
			if cd.halo {
				mask |= 1 << icTV
			}
		}
	}
	if mask == 0 {
		return
	}
	var rev [nConvTypes]int64 // revenue, drawn when first needed
	var drawn [nConvTypes]bool
	revenue := func(typ int) int64 {
		if !drawn[typ] {
			rev[typ], drawn[typ] = c.revenue(typ), true
		}
		return rev[typ]
	}
	for ic := range nIncr {
		if mask&(1<<uint(ic)) == 0 {
			continue
		}
		off := channelOff(ic)
		cf := c.outcome(existing, &off)
		for typ := range nConvTypes {
			if d := b2i(fact[typ].ok) - b2i(cf[typ] != 0); d != 0 {
				c.incr[typ][ic] += d
				c.incrRev[typ][ic] += d * revenue(typ)
			}
		}
	}
	for li := range c.g.lifts {
		l := &c.g.lifts[li]
		if mask&(1<<uint(l.off.ch)) == 0 {
			continue
		}
		cf := c.outcome(existing, &l.off)
		for typ := range nConvTypes {
			if l.typ >= 0 && typ != l.typ {
				continue
			}
			var f int64
			if fact[typ].ok {
				f = fact[typ].t
			}
			if d := b2i(l.counts(f)) - b2i(l.counts(cf[typ])); d != 0 {
				c.lift[li] += d
			}
		}
	}
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}
