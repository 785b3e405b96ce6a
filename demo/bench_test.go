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
