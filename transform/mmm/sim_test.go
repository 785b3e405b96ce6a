package mmm

import (
	"math"
	"math/rand/v2"
	"time"

	"gonum.org/v1/gonum/stat/distuv"
)

// The simulation generator of the recovery tests: an outcome series built
// from a known baseline and known channel effects, with its own adstock and
// Hill (written here independently of the package's).

type simChannel struct {
	name                        string
	kind                        string // "flight", "always", "tv"
	level                       float64
	decay, shape, halfSat, beta float64
}

type simSpec struct {
	grain    Grain
	periods  int
	base     float64 // baseline level per period
	noise    float64 // residual standard deviation
	channels []simChannel
	// copyOf[i] = j: channel i's spend is factor[i] x channel j's spend
	// (a collinear pair).
	copyOf map[int]int
	factor map[int]float64
}

type simResult struct {
	spec    simSpec
	in      Input
	truth   []float64   // true total contribution per channel
	contrib [][]float64 // true contribution per channel and period
}

func simAdstock(x []float64, decay float64) []float64 {
	a := make([]float64, len(x))
	prev := x[0]
	for t, v := range x {
		prev = decay*prev + (1-decay)*v
		a[t] = prev
	}
	return a
}

func simHill(x, k, s float64) float64 {
	if x <= 0 {
		return 0
	}
	xs := math.Pow(x, s)
	return xs / (xs + math.Pow(k, s))
}

// simSpend draws one channel's spend.
func simSpend(r *rand.Rand, kind string, level float64, T int, grain Grain) []float64 {
	x := make([]float64, T)
	week := 1
	if grain == Day {
		week = 7
	}
	switch kind {
	case "flight":
		// On/off bursts of 2-5 weeks on, 1-4 weeks off.
		on := r.IntN(2) == 0
		for t := 0; t < T; {
			n := (2 + r.IntN(4)) * week
			if !on {
				n = (1 + r.IntN(4)) * week
			}
			amt := level * (0.6 + 0.8*r.Float64())
			for k := 0; k < n && t < T; k++ {
				if on {
					x[t] = amt * (0.85 + 0.3*r.Float64())
				}
				t++
			}
			on = !on
		}
	case "tv":
		// Bursts of 1-3 weeks every 5-10 weeks.
		for t := r.IntN(4 * week); t < T; {
			n := (1 + r.IntN(3)) * week
			amt := level * (0.5 + r.Float64())
			for k := 0; k < n && t < T; k++ {
				x[t] = amt
				t++
			}
			t += (4 + r.IntN(6)) * week
		}
	case "always":
		// Always on with a slow drift, day-to-day noise and a go-dark week
		// every 6-12 months.
		drift := 1.0
		nextDark := (26 + r.IntN(26)) * week
		for t := 0; t < T; t++ {
			drift = math.Min(1.6, math.Max(0.5, drift*(1+0.04*r.NormFloat64()/math.Sqrt(float64(week)))))
			x[t] = level * drift * (0.75 + 0.5*r.Float64())
			if t >= nextDark {
				for k := 0; k < 2*week && t < T; k++ {
					x[t] = 0
					t++
				}
				t--
				nextDark = t + (26+r.IntN(26))*week
			}
		}
	}
	return x
}

func simulate(seed uint64, sp simSpec) simResult {
	r := rand.New(rand.NewPCG(seed, 1))
	T := sp.periods
	start := time.Date(2022, 1, 3, 0, 0, 0, 0, time.UTC) // a Monday
	in := Input{Start: start, Grain: sp.grain, Outcome: make([]float64, T)}
	days := 1
	if sp.grain == Week {
		days = 7
	}
	spends := make([][]float64, len(sp.channels))
	for i, c := range sp.channels {
		spends[i] = simSpend(r, c.kind, c.level, T, sp.grain)
	}
	for i, j := range sp.copyOf {
		for t := range spends[i] {
			spends[i][t] = sp.factor[i] * spends[j][t]
		}
	}
	res := simResult{spec: sp, truth: make([]float64, len(sp.channels)), contrib: make([][]float64, len(sp.channels))}
	for i, c := range sp.channels {
		in.Channels = append(in.Channels, Channel{Name: c.name, Spend: spends[i]})
		a := simAdstock(spends[i], c.decay)
		res.contrib[i] = make([]float64, T)
		for t := range T {
			v := c.beta * simHill(a[t], c.halfSat, c.shape)
			res.contrib[i][t] = v
			res.truth[i] += v
		}
	}
	// Holidays: two fixed days a year (daily grain only).
	var hol []int
	for t := range T {
		d := start.AddDate(0, 0, t*days)
		if sp.grain == Day && ((d.Month() == time.February && d.Day() == 10) || (d.Month() == time.October && d.Day() == 1)) {
			hol = append(hol, t)
		}
	}
	if len(hol) > 0 {
		in.Holidays = []Holiday{{Name: "festival", Periods: hol}}
	}
	isHol := map[int]bool{}
	for _, t := range hol {
		isHol[t] = true
	}
	for t := range T {
		d := start.AddDate(0, 0, t*days)
		doy := float64(d.YearDay())
		// Additive baseline, as the model: trend, yearly season, weekday,
		// holiday.
		b := sp.base * (1 + 0.2*float64(t)/float64(T) + 0.1*math.Sin(2*math.Pi*doy/365.25+0.7))
		if sp.grain == Day {
			switch d.Weekday() {
			case time.Saturday, time.Sunday:
				b -= 0.15 * sp.base
			case time.Monday:
				b += 0.05 * sp.base
			}
			if isHol[t] {
				b += 0.3 * sp.base
			}
		}
		y := b + sp.noise*r.NormFloat64()
		for i := range sp.channels {
			y += res.contrib[i][t]
		}
		in.Outcome[t] = math.Max(0, y)
	}
	res.in = in
	return res
}

// dailySpec is 3 years daily: flighted channels, an always-on channel with
// go-dark weeks, a TV-like channel and a channel with no effect.
func dailySpec() simSpec {
	return simSpec{
		grain: Day, periods: 1095, base: 500, noise: 20,
		channels: []simChannel{
			{name: "search", kind: "flight", level: 1000, decay: 0.3, shape: 1, halfSat: 800, beta: 120},
			{name: "social", kind: "flight", level: 800, decay: 0.5, shape: 2, halfSat: 600, beta: 80},
			{name: "tv", kind: "tv", level: 6000, decay: 0.8, shape: 1.5, halfSat: 3000, beta: 150},
			{name: "display", kind: "always", level: 500, decay: 0.2, shape: 1, halfSat: 400, beta: 70},
			{name: "email", kind: "always", level: 300, decay: 0.1, shape: 1.2, halfSat: 250, beta: 50},
			{name: "affiliate", kind: "flight", level: 700, decay: 0.3, shape: 1, halfSat: 500, beta: 0},
		},
	}
}

// weeklySpec is 3 years weekly.
func weeklySpec() simSpec {
	return simSpec{
		grain: Week, periods: 156, base: 3500, noise: 80,
		channels: []simChannel{
			{name: "search", kind: "flight", level: 7000, decay: 0.2, shape: 1, halfSat: 5000, beta: 800},
			{name: "tv", kind: "tv", level: 40000, decay: 0.6, shape: 1.5, halfSat: 25000, beta: 900},
			{name: "display", kind: "always", level: 3500, decay: 0.1, shape: 1, halfSat: 3000, beta: 450},
			{name: "affiliate", kind: "flight", level: 5000, decay: 0.2, shape: 1, halfSat: 4000, beta: 0},
		},
	}
}

// collinearSpec has a pair with identical flights (b = 0.6 x a).
func collinearSpec() simSpec {
	sp := simSpec{
		grain: Day, periods: 1095, base: 500, noise: 20,
		channels: []simChannel{
			{name: "search", kind: "flight", level: 1000, decay: 0.3, shape: 1, halfSat: 800, beta: 120},
			{name: "social_a", kind: "flight", level: 800, decay: 0.4, shape: 1.2, halfSat: 700, beta: 90},
			{name: "social_b", kind: "flight", level: 500, decay: 0.4, shape: 1.2, halfSat: 420, beta: 40},
			{name: "tv", kind: "tv", level: 6000, decay: 0.7, shape: 1.5, halfSat: 3000, beta: 150},
		},
		copyOf: map[int]int{2: 1},
		factor: map[int]float64{2: 0.6},
	}
	return sp
}

// windowLift is the true lift of a test on channel c over periods
// from..to, with the simulation's own adstock and Hill: what the window's
// spend added inside the window (a lift test: the spend as it was against
// the window switched off) or, with level > 0, what spend at level would
// have added to the dark window (a go-dark test).
func windowLift(c simChannel, spend []float64, from, to int, level float64) float64 {
	mod := append([]float64(nil), spend...)
	for t := from; t <= to; t++ {
		mod[t] = level
	}
	on, off := simAdstock(spend, c.decay), simAdstock(mod, c.decay)
	if level > 0 {
		on, off = off, on
	}
	lift := 0.0
	for t := from; t <= to; t++ {
		lift += c.beta * (simHill(on[t], c.halfSat, c.shape) - simHill(off[t], c.halfSat, c.shape))
	}
	return lift
}

// weakSpec is one year daily of a small market, like the product's demo:
// about 5 conversions a day, Poisson counts, ten spend channels, most of
// them always on with small effects, two with none. Every spend series is
// positive and most are on nearly every day, so each channel column is
// close to the intercept.
func weakSpec() simSpec {
	return simSpec{
		grain: Day, periods: 365, base: 1.5,
		channels: []simChannel{
			{name: "search", kind: "budget", level: 250, decay: 0.3, shape: 1, halfSat: 500, beta: 5.5},
			{name: "social", kind: "budget", level: 110, decay: 0.3, shape: 1, halfSat: 200, beta: 2},
			{name: "display", kind: "budget", level: 100, decay: 0.3, shape: 1, halfSat: 100, beta: 0.4},
			{name: "affiliates", kind: "budget", level: 90, decay: 0.3, shape: 1, halfSat: 80, beta: 0.7},
			{name: "branch", kind: "weekdays", level: 200, decay: 0.5, shape: 1, halfSat: 200, beta: 0.5},
			{name: "callcentre", kind: "weekdays", level: 50, decay: 0.4, shape: 1, halfSat: 50, beta: 0},
			{name: "tv", kind: "tv", level: 1400, decay: 0.6, shape: 1.5, halfSat: 900, beta: 0.6},
			{name: "outdoor", kind: "flight", level: 200, decay: 0.3, shape: 1, halfSat: 200, beta: 0},
			{name: "mail", kind: "drops", level: 4000, decay: 0.85, shape: 1, halfSat: 400, beta: 0.8},
			{name: "events", kind: "drops", level: 1200, decay: 0.8, shape: 1, halfSat: 150, beta: 0.4},
		},
	}
}

// weakSpend draws the spend of the kinds weakSpec adds to simSpend's:
// "budget" (on every day, a weekday pattern and a budget factor of
// 0.5..1.6 drawn per week), "weekdays" (the same, closed on Sundays) and
// "drops" (8 drops for direct mail or 18 for events, on random days).
func weakSpend(r *rand.Rand, kind string, level float64, T int, start time.Time) []float64 {
	x := make([]float64, T)
	switch kind {
	case "budget", "weekdays":
		f := 1.0
		for t := range T {
			d := start.AddDate(0, 0, t)
			if t%7 == 0 {
				f = 0.5 + 1.1*r.Float64()
			}
			w := 1.0
			switch d.Weekday() {
			case time.Saturday:
				w = 0.7
			case time.Sunday:
				w = 0.6
				if kind == "weekdays" {
					w = 0
				}
			}
			x[t] = level * f * w * (0.85 + 0.3*r.Float64())
		}
	case "drops":
		n := 8
		if level < 2000 {
			n = 18
		}
		for range n {
			x[10+r.IntN(T-20)] += level * (0.7 + 0.6*r.Float64())
		}
	}
	return x
}

// simulateWeak draws weakSpec's data: Poisson counts of baseline plus the
// channels' contributions, the baseline with a trend and a weekday
// pattern.
func simulateWeak(seed uint64, sp simSpec) simResult {
	src := rand.NewPCG(seed, 7)
	r := rand.New(src)
	T := sp.periods
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	in := Input{Start: start, Grain: Day, Outcome: make([]float64, T)}
	res := simResult{spec: sp, truth: make([]float64, len(sp.channels)), contrib: make([][]float64, len(sp.channels))}
	for i, c := range sp.channels {
		var spend []float64
		if c.kind == "tv" || c.kind == "flight" {
			spend = simSpend(r, c.kind, c.level, T, Day)
		} else {
			spend = weakSpend(r, c.kind, c.level, T, start)
		}
		in.Channels = append(in.Channels, Channel{Name: c.name, Spend: spend})
		a := simAdstock(spend, c.decay)
		res.contrib[i] = make([]float64, T)
		for t := range T {
			res.contrib[i][t] = c.beta * simHill(a[t], c.halfSat, c.shape)
			res.truth[i] += res.contrib[i][t]
		}
	}
	for t := range T {
		mean := sp.base * (0.9 + 0.2*float64(t)/float64(T))
		if wd := start.AddDate(0, 0, t).Weekday(); wd == time.Saturday || wd == time.Sunday {
			mean *= 0.8
		}
		for i := range sp.channels {
			mean += res.contrib[i][t]
		}
		in.Outcome[t] = distuv.Poisson{Lambda: mean, Src: src}.Rand()
	}
	res.in = in
	return res
}
