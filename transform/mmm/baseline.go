package mmm

import (
	"fmt"
	"math"
	"time"
)

// baseline is the design of the baseline: regressors with free
// (unconstrained) coefficients, each centred on its mean over the series.
// The intercept is not among them: it is a design column of its own with a
// coefficient >= 0 (see fitter.ic), so that the mean of the baseline over
// the series, which is the intercept, cannot be negative.
type baseline struct {
	cols  [][]float64 // each len T, mean 0
	names []string
}

// periodDays is the length of one period in days.
func periodDays(g Grain) int {
	if g == Week {
		return 7
	}
	return 1
}

// buildBaseline returns the baseline regressors over T periods, each
// centred (its mean over the T periods subtracted):
//
//   - linear trend t/T;
//   - yearly Fourier pairs sin/cos(2 pi k dayOfYear/365.25), k = 1..harmonics
//     (the caller passes 0 when the data is too short for a season);
//   - for daily grain six weekday indicators (Tuesday..Sunday; Monday is
//     the reference);
//   - one indicator per holiday (periods outside 0..T-1 are dropped; a
//     holiday left with no period is dropped with a warning).
//
// The day of year of a weekly period is that of its middle day. Centring
// changes no fitted value (the intercept absorbs the means) but makes the
// intercept the baseline's mean over the series: per period the baseline
// may still dip below 0 through these terms (a strong weekday or season
// pattern on a small level), its mean never.
func buildBaseline(in Input, T, harmonics int) (baseline, []string) {
	var b baseline
	var warnings []string
	add := func(name string, col []float64) {
		b.cols = append(b.cols, col)
		b.names = append(b.names, name)
	}
	trend := make([]float64, T)
	for t := range T {
		trend[t] = float64(t) / float64(T)
	}
	add("trend", trend)
	days := periodDays(in.Grain)
	date := func(t int) time.Time { return in.Start.AddDate(0, 0, t*days) }
	for k := 1; k <= harmonics; k++ {
		s := make([]float64, T)
		c := make([]float64, T)
		for t := range T {
			d := date(t)
			doy := float64(d.YearDay() - 1)
			if days == 7 {
				doy += 3
			}
			ang := 2 * math.Pi * float64(k) * doy / 365.25
			s[t], c[t] = math.Sin(ang), math.Cos(ang)
		}
		add(fmt.Sprintf("sin%d", k), s)
		add(fmt.Sprintf("cos%d", k), c)
	}
	if in.Grain == Day {
		for wd := time.Tuesday; wd <= time.Saturday+1; wd++ {
			want := wd % 7
			col := make([]float64, T)
			n := 0
			for t := range T {
				if date(t).Weekday() == want {
					col[t] = 1
					n++
				}
			}
			if n > 0 {
				add("weekday "+want.String(), col)
			}
		}
	}
	for _, h := range in.Holidays {
		col := make([]float64, T)
		n := 0
		for _, p := range h.Periods {
			if p >= 0 && p < T && col[p] == 0 {
				col[p] = 1
				n++
			}
		}
		if n == 0 {
			warnings = append(warnings, fmt.Sprintf("holiday %q has no period inside the fit: ignored", h.Name))
			continue
		}
		add("holiday "+h.Name, col)
	}
	for _, col := range b.cols {
		m := 0.0
		for _, v := range col {
			m += v
		}
		m /= float64(T)
		for t := range col {
			col[t] -= m
		}
	}
	return b, warnings
}
