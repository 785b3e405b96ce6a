package demo

import (
	"context"
	"testing"
)

// BenchmarkGenerate measures a full run at 100,000 people (about 100 MB).
func BenchmarkGenerate(b *testing.B) {
	var bytes int64
	for b.Loop() {
		s, err := Generate(context.Background(), Options{Dir: b.TempDir(), People: 100_000, Seed: 1})
		if err != nil {
			b.Fatal(err)
		}
		bytes = s.Bytes
	}
	b.ReportMetric(float64(bytes)/1e6, "MB/op")
}

// BenchmarkSimulate simulates 50,000 people without writing anything: the
// factual world alone, and with the counterfactual truth (16 channels
// switched off) and the lift tests. The difference is what the
// counterfactual truth costs.
func BenchmarkSimulate(b *testing.B) {
	const people = 50_000
	for _, cf := range []struct {
		name string
		on   bool
	}{{"factual", false}, {"counterfactuals", true}} {
		b.Run(cf.name, func(b *testing.B) {
			g := newGenerator("", people, 1)
			c := g.newChunk()
			for b.Loop() {
				for i := range people {
					p, convs := c.simulatePerson(i, &allOn, true)
					if cf.on {
						c.counterfactuals(p.existing, &convs)
					}
				}
			}
		})
	}
}
