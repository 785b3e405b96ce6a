package queries

import (
	"database/sql/driver"
	"fmt"
	"math"
	"sort"
	"strconv"

	"gonum.org/v1/gonum/stat"

	"attrib/transform/mmm"
)

// budgetMove is one spend channel's place in the budget recommendations.
type budgetMove struct {
	name       string
	cf         *mmm.ChannelFit // nil: no curve
	spend      float64         // over the budget window
	cur, next  float64         // spend per period, now and recommended
	held       string          // non-empty: why the channel keeps its spend
	cents      int64           // recommended spend over the window, in cents
	lowB, upB  bool            // the move stopped at a bound
	gain       [3]float64      // expected revenue change: point, low, high
	calibrated bool
}

// budget fills mmm_budget: the budget window's spend of every spend channel
// moved along the (all) fit's revenue response curves towards equal
// marginal return, each channel within [lo, hi] x its spend, the total
// fixed. Channels without a curve keep their spend and say why.
func (w *mmmWriter) budget(d *mmmData, f *mmm.Fit, lo, hi float64, currency string) {
	if d.start.IsZero() || len(d.channels) == 0 {
		return
	}
	n := d.periods - d.budgetFrom
	bs, be := d.periodStart(d.budgetFrom), d.end
	if d.periods == 0 { // not fitted: the last weeks of spend, for the spend shown
		n = 0
		be = d.spendLast
		bs = be.AddDate(0, 0, -7*w.budgetWeeks+1)
	}
	moves := w.budgetMoves(d, f)
	movable := allocateMoves(moves, lo, hi, n)
	roundCents(moves, movable, lo, hi)
	level := commonLevel(movable)
	for _, m := range moves {
		row := []driver.Value{m.name, bs, be, nil, nil, nil, nil, 0.0, 0.0, 0.0, "held", "hold", ""}
		if m.held != "" || m.cf == nil {
			row[12] = "Held: " + m.held
			w.budgets = append(w.budgets, row)
			continue
		}
		cf := m.cf
		row[3] = centsText(m.cents)
		row[4] = finite(cf.RevenueResponse(m.cur)/m.cur - 1)
		row[5] = finite(cf.RevenueMarginal(m.cur) - 1)
		row[6] = finite(cf.RevenueMarginal(m.next) - 1)
		row[7], row[8], row[9] = m.gain[0], m.gain[1], m.gain[2]
		row[10] = "mmm"
		if m.calibrated {
			row[10] = "mmm+experiments"
		}
		row[11], row[12] = m.explain(level, currency)
		w.budgets = append(w.budgets, row)
	}
}

// budgetMoves is each channel's budget move with its spend over the
// budget window: held (and why) or free to move on its fitted curve.
func (w *mmmWriter) budgetMoves(d *mmmData, f *mmm.Fit) []*budgetMove {
	moves := make([]*budgetMove, len(d.channels))
	for i, ch := range d.channels {
		m := &budgetMove{name: ch.Name, cur: d.current[ch.Name]}
		for t := d.budgetFrom; t < d.periods; t++ {
			m.spend += ch.Spend[t]
		}
		switch {
		case f == nil:
			m.held = "no media mix model was fitted (see mmm_fit.warnings)"
		case !f.Channels[i].Identified:
			m.held = f.Channels[i].Why + ". " + identifyTest
		case m.cur <= 0:
			m.held = fmt.Sprintf("no spend in the last %d weeks, so there is nothing to move; response_curves shows what spend would return", w.budgetWeeks)
		default:
			m.cf = &f.Channels[i]
			m.calibrated = m.cf.Calibrated
		}
		moves[i] = m
	}
	return moves
}

// allocateMoves moves the budget between the moves not held, each within
// [lo, hi] times its current spend, and sets their next spend, bounds and
// revenue change over n periods; it returns the moved ones (none when
// fewer than two can move or the allocation fails, which holds them).
func allocateMoves(moves []*budgetMove, lo, hi float64, n int) []*budgetMove {
	var movable []*budgetMove
	for _, m := range moves {
		if m.held == "" {
			movable = append(movable, m)
		}
	}
	if len(movable) == 1 {
		movable[0].held = "the only channel with a measured response curve and recent spend: there is nothing to move its budget against"
		movable[0].cf = nil
		return nil
	}
	if len(movable) == 0 {
		return movable
	}
	curves := make([]mmm.Curve, len(movable))
	for i, m := range movable {
		cf := m.cf
		curves[i] = mmm.Curve{Current: m.cur, Min: lo * m.cur, Max: hi * m.cur, Response: cf.RevenueResponse, Marginal: cf.RevenueMarginal}
	}
	next, err := mmm.Allocate(curves)
	if err != nil {
		for _, m := range movable {
			m.held, m.cf = "the allocation failed: "+err.Error(), nil
		}
		return nil
	}
	for i, m := range movable {
		m.next = next[i]
		m.lowB = m.next <= lo*m.cur*(1+1e-9)
		m.upB = m.next >= hi*m.cur*(1-1e-9)
		m.gain = revenueChange(m.cf, m.cur, m.next, float64(n))
	}
	return movable
}

// identifyTest says how to make a channel measurable.
const identifyTest = "To measure it, vary its spend: switch it off for 2 to 4 weeks (a go-dark test) or in a random half of regions (a geo test), and load the result as an experiment"

// revenueChange is the expected revenue change over n periods of moving
// spend per period from cur to next, with its interval from the bootstrap
// replicates of the revenue curve's height.
func revenueChange(cf *mmm.ChannelFit, cur, next, n float64) [3]float64 {
	dh := mmm.Hill(next, cf.HalfSat, cf.Shape) - mmm.Hill(cur, cf.HalfSat, cf.Shape)
	point := n * cf.RevBeta * dh
	if len(cf.RevBetaDraws) == 0 {
		return [3]float64{point, point, point}
	}
	draws := make([]float64, len(cf.RevBetaDraws))
	for i, b := range cf.RevBetaDraws {
		draws[i] = n * b * dh
	}
	sort.Float64s(draws) // the same interval rule as the model's own intervals (transform/mmm)
	return [3]float64{point, stat.Quantile(0.05, stat.LinInterp, draws, nil), stat.Quantile(0.95, stat.LinInterp, draws, nil)}
}

// roundCents gives every channel its recommended spend in cents: held
// channels keep their spend; moved channels share the moved total (kept to
// the cent) by largest remainder, never past their bounds.
func roundCents(all, movable []*budgetMove, lo, hi float64) {
	for _, m := range all {
		m.cents = int64(math.Round(m.spend * 100))
	}
	if len(movable) == 0 {
		return
	}
	var total int64
	var sumNew float64
	for _, m := range movable {
		total += m.cents
		sumNew += m.next
	}
	type rem struct {
		m        *budgetMove
		frac     float64
		min, max int64
	}
	rems := make([]rem, len(movable))
	var used int64
	for i, m := range movable {
		exact := float64(total) * m.next / sumNew
		r := rem{m: m, min: int64(math.Ceil(lo * m.spend * 100)), max: int64(math.Floor(hi * m.spend * 100))}
		m.cents = min(max(int64(math.Floor(exact)), r.min), r.max)
		r.frac = exact - float64(m.cents)
		used += m.cents
		rems[i] = r
	}
	sort.SliceStable(rems, func(i, j int) bool { return rems[i].frac > rems[j].frac })
	for moved := true; used != total && moved; {
		moved = false
		for i := range rems {
			switch m := rems[i].m; {
			case used < total && m.cents < rems[i].max:
				m.cents++
				used++
				moved = true
			case used > total && m.cents > rems[i].min:
				m.cents--
				used--
				moved = true
			}
			if used == total {
				break
			}
		}
	}
}

func centsText(c int64) string {
	sign := ""
	if c < 0 {
		sign, c = "-", -c
	}
	return sign + strconv.FormatInt(c/100, 10) + "." + fmt.Sprintf("%02d", c%100)
}

// commonLevel is the marginal return the moved channels meet at: the mean
// over channels whose move stopped inside their bounds (NaN when none did).
func commonLevel(ms []*budgetMove) float64 {
	var sum float64
	var k int
	for _, m := range ms {
		if !m.lowB && !m.upB {
			sum += m.cf.RevenueMarginal(m.next)
			k++
		}
	}
	if k == 0 {
		return math.NaN()
	}
	return sum / float64(k)
}

// explain is the action and the reason a marketer reads.
func (m *budgetMove) explain(level float64, currency string) (string, string) {
	cf := m.cf
	now, then := cf.RevenueMarginal(m.cur), cf.RevenueMarginal(m.next)
	factor := float64(m.cents) / math.Max(m.spend*100, 1e-9)
	pct := math.Round(math.Abs(factor-1) * 100)
	var action, reason string
	switch {
	case pct == 0:
		action = "keep"
		reason = fmt.Sprintf("Keep: at today's spend each extra %s returns %.2f %s of revenue, about what the other channels return at the margin.", currency, now, currency)
	case factor > 1 && m.upB:
		action = "increase"
		reason = fmt.Sprintf("Raise by %.0f%% (the upper bound): each extra %s returns %.2f %s of revenue at today's spend, more than the other channels return at the margin.", pct, currency, now, currency)
	case factor > 1:
		action = "increase"
		reason = fmt.Sprintf("Raise by %.0f%%: each extra %s returns %.2f %s now; at the new spend it returns %.2f, the common level.", pct, currency, now, currency, then)
	case cf.Beta == 0 || cf.RevBeta == 0:
		action = "decrease"
		reason = fmt.Sprintf("Cut by %.0f%%%s: the model finds no measurable effect of this channel's spend (90%% interval of its incremental conversions %.1f to %.1f).", pct, boundNote(m.lowB), cf.TotalLow, cf.TotalHigh)
	case m.lowB:
		action = "decrease"
		reason = fmt.Sprintf("Cut by %.0f%% (the lower bound): each extra %s returns only %.2f %s at today's spend, less than the other channels return at the margin.", pct, currency, now, currency)
	default:
		action = "decrease"
		reason = fmt.Sprintf("Cut by %.0f%%: each extra %s returns %.2f %s now; at the lower spend it returns %.2f, the common level.", pct, currency, now, currency, then)
	}
	if !math.IsNaN(level) && action != "keep" {
		reason += fmt.Sprintf(" Channels inside their bounds meet at %.2f %s per %s.", level, currency, currency)
	}
	if m.gain[1] < 0 && m.gain[2] > 0 {
		reason += fmt.Sprintf(" The expected change is uncertain: %.0f %s, 90%% interval %.0f to %.0f.", m.gain[0], currency, m.gain[1], m.gain[2])
	}
	if m.calibrated {
		reason += " Calibrated by the channel's experiments."
	}
	return action, reason
}

func boundNote(atBound bool) string {
	if atBound {
		return " (the lower bound)"
	}
	return ""
}
