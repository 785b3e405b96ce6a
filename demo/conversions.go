package demo

import "math"

// conversion is one simulated conversion and its true cause.
type conversion struct {
	ok      bool
	typ     int
	t       int64
	cause   int   // channel index of the causing touch, or chBaseline
	causeT  int64 // time of the causing touch (0 for baseline)
	branch  bool  // happened in a branch (else online)
	cents   int64
	product string
}

// simulate draws the first conversion of type typ at or after from, using
// the noisy-OR (competing causes) model: every eligible touch independently
// fires with probability effect[typ][kind] and, if it fires, would cause a
// conversion after an exponential delay; the baseline fires with
// probability baseline[typ] per year of eligibility at a uniform time. The
// earliest candidate is the conversion and its source is the true cause.
//
// The draws are keyed to the touch and the type (and the baseline's to the
// person and the type), so a touch fires the same way in every world in
// which it happens. With rec, every firing touch is recorded as a candidate
// (see counterfactual.go).
func (c *chunk) simulate(typ int, touches []touch, from int64, rec bool) conversion {
	best, cause, causeT := int64(math.MaxInt64), -1, int64(0)
	for i := range touches {
		tc := &touches[i]
		if tc.t < from {
			continue
		}
		e := effect[typ][tc.kind]
		if e == 0 || unit(mix64(tc.key^(saltFire+uint64(typ)))) >= e {
			continue
		}
		lo := int64(minDelay)
		if tc.kind == kEvent || tc.kind == kDirectMail {
			lo = minDelayDate
		}
		t := tc.t + expSec(c.keyed(tc.key, saltDelay+uint64(typ)), delayDays[tc.kind], lo, maxDelay)
		ch := kindChannel[tc.kind]
		if rec {
			c.cands[typ] = append(c.cands[typ], candidate{conv: t, touch: tc.t, ch: int8(ch), halo: tc.halo, cust: tc.kind.customer()})
		}
		if t < best {
			best, cause, causeT = t, ch, tc.t
		}
	}
	if t := c.baseT[typ]; t >= from && t < best {
		best, cause, causeT = t, chBaseline, 0
	}
	if cause < 0 {
		return conversion{}
	}
	return conversion{ok: true, typ: typ, t: best, cause: cause, causeT: causeT}
}

// baselineTime draws when the baseline of type typ fires for the current
// person: with probability baseline[typ], at a uniform time of the year (0:
// it does not fire). A person eligible from time from converts through it
// only if it fires at or after from, which gives the rate per year of
// eligibility, and a later start of eligibility drops it or keeps it.
func (c *chunk) baselineTime(typ int) int64 {
	if unit(mix64(c.ps^(saltBaseline+uint64(typ)))) >= baseline[typ] {
		return 0
	}
	return yearStart + c.keyed(c.ps, saltBaseline+uint64(typ)).Int64N(yearEnd-yearStart)
}

// revenue draws the revenue (cents) of the current person's conversion of
// type typ, the same whichever cause it has and in every world.
func (c *chunk) revenue(typ int) int64 {
	r := c.keyed(c.ps, saltRevenue+uint64(typ))
	return int64(math.Round(lognormal(r, revenueMu[typ], revenueSigma[typ]) * 100))
}

var products = [nConvTypes][]string{
	ctAccount: {"Easy Saver", "Current Account", "活期储蓄", "Fixed Deposit 定期存款"},
	ctCard:    {"Platinum Card", "Cashback Card", "银联白金卡"},
	ctLoan:    {"Personal Loan", "Car Loan", "Home Improvement Loan"},
}

// revenue parameters (log-normal): expected first-year value of the product.
var revenueMu = [nConvTypes]float64{ctAccount: 4.8, ctCard: 3.9, ctLoan: 6.8}
var revenueSigma = [nConvTypes]float64{ctAccount: 0.6, ctCard: 0.5, ctLoan: 0.7}

// finishConversion decides where the conversion happened and adds the
// touches that are its consequences: an in-branch sale is logged as a
// branch visit just before it; an online one often starts with a direct
// (navigational) visit and always with a login, which links the cookie to
// the customer number.
func (g *generator) finishConversion(c *chunk, p *person, cv *conversion) {
	r := c.r
	cv.branch = p.nCookies == 0 || r.Float64() < branchSaleShare(cv.typ, cv.cause)
	cv.cents = c.revenue(cv.typ)
	cv.product = products[cv.typ][r.IntN(len(products[cv.typ]))]
	gap := int64(3 * 3600) // consequences come after the cause, and in the data period
	if cv.cause != chBaseline {
		gap = min(gap, (cv.t-cv.causeT)/2)
	}
	gap = min(gap, cv.t-yearStart)
	if cv.branch {
		before := min(600+r.Int64N(80*60), gap)
		br := p.branch
		if r.Float64() < 0.15 {
			br = r.IntN(nBranches)
		}
		c.touches = append(c.touches, touch{t: cv.t - before, kind: kBranchSale, aux: int16(br)})
		return
	}
	if r.Float64() < 0.55 {
		before := min(60+r.Int64N(3*3600), gap)
		c.touches = append(c.touches, touch{t: cv.t - before, kind: kDirectNav, entry: int16(g.directEntry), aux: int16(cv.typ)})
	}
	c.convLogins = append(c.convLogins, cv.t-5-r.Int64N(120))
}

// writeConversion writes the conversion (and, rarely, a bad copy with an
// unknown currency or no customer number) and its truth record.
func (g *generator) writeConversion(c *chunk, p *person, cv *conversion) {
	r := c.r
	sale := "online"
	if cv.branch {
		sale = "branch"
	}
	for bad := range 2 {
		mode := 0
		if bad == 1 {
			if r.Float64() >= badRate {
				break
			}
			mode = 1 + r.IntN(2)
			c.bad[sConversions]++
		}
		b := appendTime(c.buf[sConversions], cv.t, 0, tsSpace)
		b = append(b, ',')
		if mode != 2 {
			b = g.appendCustNo(b, p)
		}
		b = append(b, ',')
		b = append(b, convTypeNames[cv.typ]...)
		b = append(b, ',')
		b = appendCSV(b, cv.product)
		b = append(b, ',')
		b = appendCents(b, cv.cents)
		if mode == 1 {
			b = append(b, ",ZZZ,"...)
		} else {
			b = append(b, ",USD,"...)
		}
		b = append(b, sale...)
		c.buf[sConversions] = endLine(b, false)
		c.rows[sConversions]++
	}
	c.conv[cv.typ]++
	c.truth[cv.typ][cv.cause]++

	b := append(c.buf[sTruthConv], convTypeNames[cv.typ]...)
	b = append(b, ',')
	b = appendTime(b, cv.t, 0, tsSpace)
	b = append(b, ',')
	b = g.appendCustNo(b, p)
	b = append(b, ',')
	b = append(b, channelNames[cv.cause]...)
	b = append(b, ',')
	if cv.cause != chBaseline {
		b = appendTime(b, cv.causeT, 0, tsSpace)
	}
	b = append(b, ',')
	b = append(b, sale...)
	b = append(b, ',')
	b = appendCents(b, cv.cents)
	c.buf[sTruthConv] = endLine(b, false)
	c.rows[sTruthConv]++
}

const (
	dormantShare  = 0.08   // customers who never use their product
	earlyLifeDays = 45.0   // mean lifetime of early churners
	lifeDays      = 1100.0 // mean lifetime of everyone else
	eventsPerDay  = 0.6 / 7
	loginShare    = 0.55
)

// activity writes logins and transactions from the first conversion until
// the customer churns (exponential lifetime, short for early churners) or
// the data ends (2026-06-30).
func (g *generator) activity(c *chunk, p *person, start int64, cause int) {
	r := c.r
	if r.Float64() < dormantShare {
		return
	}
	life := lifeDays
	if r.Float64() < earlyChurn[cause] {
		life = earlyLifeDays
	}
	end := min(start+int64(r.ExpFloat64()*life*daySec), activityEnd)
	rate := eventsPerDay * lognormal(r, -0.125, 0.5)
	t := start + 60 + int64(r.ExpFloat64()*4*daySec) // first use within days
	for t < end {
		login := r.Float64() < loginShare
		for bad := range 2 {
			if bad == 1 {
				if r.Float64() >= badRate {
					break
				}
				c.bad[sActivity]++
			}
			b := c.buf[sActivity]
			if bad == 1 {
				b = append(b, badISO[r.IntN(len(badISO))]...)
			} else {
				b = appendTime(b, t, 0, tsISO)
			}
			b = append(b, ',')
			b = g.appendCustNo(b, p)
			if login {
				b = append(b, ",login,"...)
			} else {
				b = append(b, ",transaction,"...)
				b = appendCents(b, int64(math.Round(lognormal(r, 3.5, 0.9)*100)))
			}
			c.buf[sActivity] = endLine(b, false)
			c.rows[sActivity]++
		}
		t += 1 + int64(r.ExpFloat64()/rate*daySec)
	}
}
