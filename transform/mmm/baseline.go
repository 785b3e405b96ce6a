package mmm

import (
	"fmt"
	"math"
	"time"
)

// baseline is the design of the baseline: regressors with free
// (unconstrained) coefficients.
type baseline struct {
	cols  [][]float64 // each len T
	names []string
}

// periodDays is the length of one period in days.
func periodDays(g Grain) int {
	if g == Week {
		return 7
	}
	return 1
}

// buildBaseline returns the baseline regressors over T periods:
//
//   - intercept;
//   - linear trend t/T;
//   - yearly Fourier pairs sin/cos(2 pi k dayOfYear/365.25), k = 1..harmonics
//     (the caller passes 0 when the data is too short for a season);
//   - for daily grain six weekday indicators (Tuesday..Sunday; Monday is
//     the reference);
//   - one indicator per holiday (periods outside 0..T-1 are dropped; a
//     holiday left with no period is dropped with a warning).
//
// The day of year of a weekly period is that of its middle day.
func buildBaseline(in Input, T, harmonics int) (baseline, []string) {
	var b baseline
	var warnings []string
	add := func(name string, col []float64) {
		b.cols = append(b.cols, col)
		b.names = append(b.names, name)
	}
	one := make([]float64, T)
	trend := make([]float64, T)
	for t := range T {
		one[t] = 1
		trend[t] = float64(t) / float64(T)
	}
	add("intercept", one)
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
	return b, warnings
}
