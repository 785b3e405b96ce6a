package mmm

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

// benchInputs are 4 outcome series (3 conversion types and their sum) over
// 3 years daily with 15 spend channels and 2 experiments.
func benchInputs() []Input {
	kinds := []string{"flight", "always", "tv"}
	sp := simSpec{grain: Day, periods: 1095, base: 300, noise: 15}
	r := rand.New(rand.NewPCG(99, 1))
	for i := range 15 {
		sp.channels = append(sp.channels, simChannel{
			name: fmt.Sprintf("ch%02d", i), kind: kinds[i%3],
			level: 200 + 800*r.Float64(), decay: 0.7 * r.Float64(), shape: 0.8 + 1.5*r.Float64(),
			halfSat: 300 + 600*r.Float64(), beta: 10 + 30*r.Float64(),
		})
	}
	var ins []Input
	all := make([]float64, sp.periods)
	allRev := make([]float64, sp.periods)
	for k := range 3 {
		s := simulate(uint64(100+k), sp)
		// Same spend for every conversion type: take the first's channels.
		if k > 0 {
			s.in.Channels = ins[0].Channels
		}
		s.in.Revenue = make([]float64, sp.periods)
		for t, v := range s.in.Outcome {
			s.in.Revenue[t] = v * float64(50+20*k)
			all[t] += v
			allRev[t] += s.in.Revenue[t]
		}
		s.in.Experiments = []Experiment{
			{ID: "e1", Channel: "ch00", From: 700, To: 727, Lift: 500, SE: 80},
			{ID: "e2", Channel: "ch04", From: 900, To: 913, Lift: 0, SE: 60, GoDarkLevel: 400},
		}
		ins = append(ins, s.in)
	}
	a := ins[0]
	a.Outcome, a.Revenue = all, allRev
	return append(ins, a)
}

// BenchmarkFit3YearsDaily15Channels fits the 4 series one after another
// (Bootstrap 200); ns/outcome is the time per series.
func BenchmarkFit3YearsDaily15Channels(b *testing.B) {
	ins := benchInputs()
	ctx := context.Background()
	start := time.Now()
	n := 0
	for b.Loop() {
		for _, in := range ins {
			if _, err := FitModel(ctx, in, Options{Seed: 1, Bootstrap: 200}); err != nil {
				b.Fatal(err)
			}
		}
		n++
	}
	b.ReportMetric(float64(time.Since(start).Nanoseconds())/float64(n*len(ins)), "ns/outcome")
}
