package demo

import (
	"math"
	"math/rand/v2"
	"strconv"
)

// Lift tests. Each switches one channel off over a window for the same
// people with the same draws (the counterfactual machinery), counts the
// conversions lost within the window (what attrib's media mix model
// predicts for a test: the window's spend against none, inside the
// window), and reports that lift plus normal noise with the
// test's standard error, as a real geo or holdout test would: the data set
// itself is not changed (a geo test or a holdout leaves most of the market
// exposed, and its lift is read at the scale of the whole market).

const (
	liftTestsPath = "data/experiments/lift_tests.csv"
)

// liftTest is one planned experiment.
type liftTest struct {
	id, design, notes string
	ic                int     // incremental channel switched off
	typ               int     // conversion type, -1 = all types
	start, end        int     // window, day indexes (inclusive)
	seFrac            float64 // standard error as a share of the lift
	off               offSpec // what the window removes
	countTo           int64   // conversions are counted from off.from until countTo (the window's end)
}

// counts reports whether a conversion at t (0: none) falls in the count
// window.
func (l *liftTest) counts(t int64) bool { return t != 0 && t >= l.off.from && t < l.countTo }

// planLifts lists the experiments.
func planLifts() []liftTest {
	ls := []liftTest{
		{id: "tv_geo_autumn_2025", design: "geo", ic: icTV, typ: ctAccount, start: day(9, 15), end: day(10, 26), seFrac: 0.25,
			notes: "TV dark in the test regions for the autumn_brand_tv flight; lift scaled to the whole market; conversions lost between start_date and end_date"},
		{id: "paid_social_holdout_2025_06", design: "holdout", ic: chPaidSocial, typ: -1, start: day(6, 1), end: day(6, 30), seFrac: 0.15,
			notes: "paid social ads withheld from a random holdout; lift scaled to all users; all conversion types; conversions lost between start_date and end_date"},
		{id: "paid_search_holdout_2025_10", design: "holdout", ic: chPaidSearch, typ: ctAccount, start: day(10, 6), end: day(11, 2), seFrac: 0.2,
			notes: "search ads paused for a random holdout of users; lift scaled to all users; conversions lost between start_date and end_date"},
	}
	for i := range ls {
		l := &ls[i]
		to := yearStart + int64(l.end+1)*daySec
		l.countTo = to
		l.off = offSpec{ch: l.ic, from: yearStart + int64(l.start)*daySec, to: to}
	}
	return ls
}

// LiftTest is one row of lift_tests.csv. Lift is the simulated truth (the
// conversions lost); Estimate is what the test reports: Lift plus normal
// noise with standard deviation SE.
type LiftTest struct {
	ID, Channel, ConversionType string // ConversionType "" = all types
	Start, End                  string // YYYY-MM-DD, inclusive
	Lift                        int64
	Estimate, SE                float64
	Design, Notes               string
}

// liftResults turns the simulated lifts into reported results: SE is
// seFrac of the lift (at least one conversion) and the estimate is drawn
// from its own stream, so it depends only on the seed and the lift.
func (g *generator) liftResults(lifts []int64) []LiftTest {
	r := rand.New(rand.NewPCG(g.seedMix, 0x8a2e03707344a409))
	out := make([]LiftTest, len(g.lifts))
	for i := range g.lifts {
		l := &g.lifts[i]
		se := math.Round(max(l.seFrac*float64(lifts[i]), 1)*100) / 100
		est := math.Round((float64(lifts[i])+se*r.NormFloat64())*100) / 100
		typ := ""
		if l.typ >= 0 {
			typ = convTypeNames[l.typ]
		}
		out[i] = LiftTest{
			ID: l.id, Channel: incrNames[l.ic], ConversionType: typ,
			Start: string(appendDate(nil, yearStart+int64(l.start)*daySec)), End: string(appendDate(nil, yearStart+int64(l.end)*daySec)),
			Lift: lifts[i], Estimate: est, SE: se, Design: l.design, Notes: l.notes,
		}
	}
	return out
}

// writeLiftTests writes lift_tests.csv, an experiments source.
func (g *generator) writeLiftTests(ls []LiftTest) (*outFile, error) {
	const header = "experiment_id,channel,conversion_type,start_date,end_date,incremental_conversions,standard_error,design,notes"
	return g.writeSmall(liftTestsPath, "lift_tests", "experiments", header, len(ls), func(b []byte, i int) []byte {
		l := &ls[i]
		for _, f := range []string{l.ID, l.Channel, l.ConversionType, l.Start, l.End} {
			b = appendCSV(b, f)
			b = append(b, ',')
		}
		b = strconv.AppendFloat(b, l.Estimate, 'f', 2, 64)
		b = append(b, ',')
		b = strconv.AppendFloat(b, l.SE, 'f', 2, 64)
		b = append(b, ',')
		b = appendCSV(b, l.Design)
		b = append(b, ',')
		return appendCSV(b, l.Notes)
	})
}
