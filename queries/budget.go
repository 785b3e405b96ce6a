package queries

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"math/big"
	"sort"
)

// Budget thresholds: a response curve is fitted only with at least
// minFitWeeks weekly points whose log spend varies by at least minLogSpendSD.
const (
	minFitWeeks   = 4
	minLogSpendSD = 0.1
	weakFitR2     = 0.3 // below: the reason calls the move indicative
)

// Basis labels every budget row: the curves are fitted to attributed
// revenue, not to incrementality tests.
const budgetBasis = "attribution-based (%s credits), not incrementality-tested"

// budgetChannel is one paid channel's inputs and, after allocate, its move.
type budgetChannel struct {
	Channel, Group, Model string
	SpendWeeks, FitWeeks  int
	Spend, Revenue        string // DECIMAL as text
	spend                 float64
	revenue               float64
	LogSD, B, LnA, R2     sql.NullFloat64

	held    bool    // no curve: keeps its spend
	b       float64 // exponent used (clamped to [0, 1])
	a       float64
	mroas   float64 // marginal ROAS at current spend
	factor  float64 // recommended / current
	capNote string
	reason  string
}

// budgetRecommendations fits, allocates and writes _next_budget_recommendations.
func budgetRecommendations(ctx context.Context, c *sql.Conn, lo, hi float64) error {
	if _, err := c.ExecContext(ctx, mustSQL("budget_recommendations_create")); err != nil {
		return fmt.Errorf("queries: budget_recommendations: %w", err)
	}
	rows, err := c.QueryContext(ctx, "SELECT channel, channel_group, model, spend_weeks, fit_weeks, spend::VARCHAR, revenue::VARCHAR, "+
		"spend::DOUBLE, revenue::DOUBLE, log_spend_sd, b, ln_a, r2 FROM ("+mustSQL("budget_curves")+")")
	if err != nil {
		return fmt.Errorf("queries: budget curves: %w", err)
	}
	var chs []*budgetChannel
	for rows.Next() {
		var b budgetChannel
		if err := rows.Scan(&b.Channel, &b.Group, &b.Model, &b.SpendWeeks, &b.FitWeeks, &b.Spend, &b.Revenue,
			&b.spend, &b.revenue, &b.LogSD, &b.B, &b.LnA, &b.R2); err != nil {
			rows.Close()
			return fmt.Errorf("queries: budget curves: %w", err)
		}
		chs = append(chs, &b)
	}
	if err := rows.Close(); err != nil {
		return fmt.Errorf("queries: budget curves: %w", err)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("queries: budget curves: %w", err)
	}
	classify(chs)
	allocate(chs, lo, hi)
	recs, err := roundToBudget(chs)
	if err != nil {
		return fmt.Errorf("queries: budget_recommendations: %w", err)
	}
	ins, err := c.PrepareContext(ctx, mustSQL("budget_recommendations_insert"))
	if err != nil {
		return fmt.Errorf("queries: budget_recommendations: %w", err)
	}
	defer ins.Close()
	for i, b := range chs {
		explain(b, chs, lo, hi)
		var roas, roi, ca, cb, mroas, mroi any
		if b.spend > 0 {
			roas, roi = b.revenue/b.spend, (b.revenue-b.spend)/b.spend
		}
		if !b.held {
			mroas, mroi = b.mroas, b.mroas-1
			if b.revenue > 0 {
				ca, cb = b.a, b.b
			}
		}
		var r2 any
		if b.R2.Valid && !b.held && b.revenue > 0 {
			r2 = b.R2.Float64
		}
		action := "hold"
		switch {
		case b.held:
		case recs[i].change.Sign() > 0:
			action = "increase"
		case recs[i].change.Sign() < 0:
			action = "decrease"
		default:
			action = "keep"
		}
		_, err := ins.ExecContext(ctx, b.Channel, b.Group, b.Model, b.SpendWeeks, b.FitWeeks, b.Spend, b.Revenue,
			roas, roi, ca, cb, r2, mroas, mroi,
			recs[i].recommended.FloatString(2), recs[i].change.FloatString(2), b.factor, action, b.reason,
			fmt.Sprintf(budgetBasis, b.Model))
		if err != nil {
			return fmt.Errorf("queries: budget_recommendations %s: %w", b.Channel, err)
		}
	}
	return nil
}

// classify decides which channels get a curve and computes their marginal
// ROAS at the current mean weekly spend (over the weeks with spend).
func classify(chs []*budgetChannel) {
	for _, b := range chs {
		b.factor = 1
		switch {
		case b.revenue <= 0:
			// Spend and no attributed revenue at all: the marginal return is 0.
			b.b, b.a, b.mroas = 0, 0, 0
		case b.FitWeeks < minFitWeeks:
			b.held = true
			b.reason = fmt.Sprintf("held: only %d week(s) with both spend and attributed revenue; a response curve needs at least %d", b.FitWeeks, minFitWeeks)
		case !b.LogSD.Valid || b.LogSD.Float64 < minLogSpendSD || !b.B.Valid:
			b.held = true
			b.reason = fmt.Sprintf("held: weekly spend barely varied (sd of log spend %.3f < %.2f), so the response to more or less spend cannot be measured; vary spend to learn it", b.LogSD.Float64, minLogSpendSD)
		default:
			b.b = b.B.Float64
			b.a = math.Exp(b.LnA.Float64)
			if b.b > 1 {
				b.capNote = fmt.Sprintf("; the fitted exponent %.2f is capped at 1: returns are taken as constant, not increasing", b.b)
				b.b = 1
			} else if b.b < 0 {
				b.capNote = fmt.Sprintf("; the fitted exponent %.2f is set to 0: more spend did not bring more attributed revenue", b.b)
				b.b = 0
			}
			s := b.spend / float64(b.SpendWeeks)
			b.mroas = b.b * b.a * math.Pow(s, b.b-1)
		}
	}
}

// factorAt is the spend factor, within [lo, hi], at which channel b's
// marginal ROAS equals lambda: mroas x f^(b-1) = lambda.
func (b *budgetChannel) factorAt(lambda, lo, hi float64) float64 {
	switch {
	case b.mroas <= 0:
		return lo
	case b.b >= 1:
		if b.mroas > lambda {
			return hi
		}
		return lo
	}
	f := math.Pow(lambda/b.mroas, 1/(b.b-1))
	return math.Min(hi, math.Max(lo, f))
}

// allocate moves the total spend of the curve channels towards equal
// marginal ROAS, each channel between lo and hi times its current spend,
// keeping the total fixed. The equal-marginal level lambda is found by
// bisection (total spend falls as lambda rises); what a step function (b = 1)
// leaves over goes to the channels with the highest marginal ROAS first.
func allocate(chs []*budgetChannel, lo, hi float64) {
	var free []*budgetChannel
	budget := 0.0
	for _, b := range chs {
		if !b.held {
			free = append(free, b)
			budget += b.spend
		}
	}
	if len(free) < 2 {
		return // nothing to move against: each keeps its spend
	}
	total := func(lambda float64) float64 {
		s := 0.0
		for _, b := range free {
			s += b.factorAt(lambda, lo, hi) * b.spend
		}
		return s
	}
	// Bisection in log space: total(lHi) <= budget <= total(lLo).
	lLo, lHi := 1e-12, 1e12
	for range 300 {
		mid := math.Sqrt(lLo * lHi)
		if total(mid) >= budget {
			lLo = mid
		} else {
			lHi = mid
		}
	}
	for _, b := range free {
		b.factor = b.factorAt(lHi, lo, hi)
	}
	left := budget - total(lHi)
	order := append([]*budgetChannel(nil), free...)
	sort.SliceStable(order, func(i, j int) bool { return order[i].mroas > order[j].mroas })
	for _, b := range order {
		if left <= 0 {
			break
		}
		room := (b.factorAt(lLo, lo, hi) - b.factor) * b.spend
		take := math.Min(room, left)
		if take > 0 {
			b.factor += take / b.spend
			left -= take
		}
	}
	for _, b := range free {
		if math.Abs(b.factor-1) < 1e-9 {
			b.factor = 1
		}
	}
}

type money struct{ recommended, change *big.Rat }

// roundToBudget turns factors into amounts in cents; the curve channels'
// rounding remainder goes to the largest of them so their total stays fixed.
func roundToBudget(chs []*budgetChannel) ([]money, error) {
	out := make([]money, len(chs))
	var sumSpend, sumRec big.Int
	largest := -1
	for i, b := range chs {
		spend, ok := new(big.Rat).SetString(b.Spend)
		if !ok {
			return nil, fmt.Errorf("spend %q of %s is not a number", b.Spend, b.Channel)
		}
		cents := roundRat(new(big.Rat).Mul(spend, big.NewRat(100, 1)))
		recCents := cents
		if b.factor != 1 {
			recCents = roundRat(new(big.Rat).Mul(new(big.Rat).SetInt(cents), new(big.Rat).SetFloat64(b.factor)))
		}
		if !b.held {
			sumSpend.Add(&sumSpend, cents)
			sumRec.Add(&sumRec, recCents)
			if largest < 0 || b.factor*b.spend > chs[largest].factor*chs[largest].spend {
				largest = i
			}
		}
		out[i].recommended = new(big.Rat).SetFrac(recCents, big.NewInt(100))
		out[i].change = new(big.Rat).Sub(out[i].recommended, spend)
	}
	if largest >= 0 {
		diff := new(big.Rat).SetFrac(new(big.Int).Sub(&sumSpend, &sumRec), big.NewInt(100))
		out[largest].recommended.Add(out[largest].recommended, diff)
		out[largest].change.Add(out[largest].change, diff)
	}
	return out, nil
}

func roundRat(r *big.Rat) *big.Int {
	// Round half away from zero.
	num, den := new(big.Int).Set(r.Num()), r.Denom()
	half := new(big.Int).Quo(den, big.NewInt(2))
	if num.Sign() >= 0 {
		num.Add(num, half)
	} else {
		num.Sub(num, half)
	}
	return num.Quo(num, den)
}

// explain writes the reason a marketer reads.
func explain(b *budgetChannel, chs []*budgetChannel, lo, hi float64) {
	if b.held {
		return
	}
	var free int
	var level float64
	for _, o := range chs {
		if !o.held {
			free++
			if o.factor > lo && o.factor < hi && o.mroas > 0 {
				level = o.mroas * math.Pow(o.factor, o.b-1)
			}
		}
	}
	var what string
	switch {
	case b.revenue <= 0:
		what = fmt.Sprintf("no attributed revenue in %d week(s) of spend, so extra spend returns nothing measurable", b.SpendWeeks)
	default:
		what = fmt.Sprintf("marginal ROAS %.2f: the next unit of spend returns %.2f in attributed revenue (weekly curve revenue = %.3g x spend^%.2f fitted on %d weeks, R² %.2f)%s",
			b.mroas, b.mroas, b.a, b.b, b.FitWeeks, b.R2.Float64, b.capNote)
		if b.R2.Float64 < weakFitR2 {
			what += "; the curve explains little of the weekly variation, so treat the move as indicative"
		}
	}
	pct := (b.factor - 1) * 100
	var move string
	switch {
	case free < 2:
		move = "the only channel with a response curve: the total is fixed, so there is nothing to move against; keep"
	case b.factor >= hi-1e-9:
		move = fmt.Sprintf("above the other channels: raise by %.0f%% (the upper bound, %.2fx)", pct, hi)
	case b.factor <= lo+1e-9:
		move = fmt.Sprintf("below the other channels: cut by %.0f%% (the lower bound, %.2fx)", -pct, lo)
	case math.Abs(pct) < 0.5:
		move = "about equal to the other channels' marginal ROAS: keep"
	case pct > 0:
		move = fmt.Sprintf("raise by %.0f%%, to where its marginal ROAS falls to the common level %.2f", pct, level)
	default:
		move = fmt.Sprintf("cut by %.0f%%, to where its marginal ROAS rises to the common level %.2f", -pct, level)
	}
	b.reason = what + "; " + move
}
