package attribution

import (
	"bufio"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// benchWeights are the channel weights of shared/bench/gen_paths.py (12 channels).
var benchWeights = []float64{12, 9, 3, 1, 4, 4, 10, 6, 11, 2, 5, 1}

// genPaths mimics shared/bench/gen_paths.py: n distinct paths over 12 weighted channels, length
// 1+Exp(0.35) capped at 25, conversions from {0,0,0,1,1,2,3}, value conversions*U(1,10) to 4
// decimals, nulls uniform in [0 or 1 when there is no conversion, 8]. Deterministic by seed
// (Go's PCG, so not the same paths as the Python script, but the same distribution).
func genPaths(n int, seed uint64) []PathCount {
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	cum := make([]float64, len(benchWeights))
	total := 0.0
	for i, w := range benchWeights {
		total += w
		cum[i] = total
	}
	seen := make(map[string]struct{}, n)
	paths := make([]PathCount, 0, n)
	convChoices := []float64{0, 0, 0, 1, 1, 2, 3}
	var key []byte
	for len(paths) < n {
		k := min(1+int(rng.ExpFloat64()/0.35), 25)
		steps := make([]int32, k)
		key = key[:0]
		for i := range steps {
			u := rng.Float64() * total
			c := 0
			for cum[c] <= u {
				c++
			}
			steps[i] = int32(c)
			key = append(key, byte(c))
		}
		if _, dup := seen[string(key)]; dup {
			continue
		}
		seen[string(key)] = struct{}{}
		conv := convChoices[rng.IntN(len(convChoices))]
		value := math.Round(conv*(1+9*rng.Float64())*1e4) / 1e4
		lo := 1
		if conv > 0 {
			lo = 0
		}
		nulls := float64(lo + rng.IntN(9-lo))
		paths = append(paths, PathCount{Steps: steps, Conversions: conv, Nulls: nulls, Value: value})
	}
	return paths
}

var benchCache sync.Map // n -> []PathCount

func benchPaths(n int) []PathCount {
	if p, ok := benchCache.Load(n); ok {
		return p.([]PathCount)
	}
	p := genPaths(n, 1)
	benchCache.Store(n, p)
	return p
}

var benchSizes = []int{10_000, 1_000_000}

// runSizes runs fn as a sub-benchmark per generated workload size.
func runSizes(b *testing.B, fn func(b *testing.B, paths []PathCount, nChannels int)) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("paths=%d", n), func(b *testing.B) {
			fn(b, benchPaths(n), len(benchWeights))
		})
	}
}

func benchMarkov(order int) func(b *testing.B, paths []PathCount, nChannels int) {
	return func(b *testing.B, paths []PathCount, nChannels int) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := Markov(paths, nChannels, order); err != nil {
				b.Fatal(err)
			}
		}
	}
}

var (
	benchShapley       = benchFitAndCredit(FitShapley)
	benchFractribution = benchFitAndCredit(FitFractribution)
)

// benchFitAndCredit fits a model with fit and credits every converting path.
func benchFitAndCredit[M Crediter](fit func([]PathCount, int) (M, error)) func(b *testing.B, paths []PathCount, nChannels int) {
	return func(b *testing.B, paths []PathCount, nChannels int) {
		b.ReportAllocs()
		for b.Loop() {
			m, err := fit(paths, nChannels)
			if err != nil {
				b.Fatal(err)
			}
			if _, _, err := ChannelTotals(m, paths, nChannels); err != nil {
				b.Fatal(err)
			}
		}
	}
}

func BenchmarkMarkovOrder1(b *testing.B) { runSizes(b, benchMarkov(1)) }
func BenchmarkMarkovOrder2(b *testing.B) { runSizes(b, benchMarkov(2)) }
func BenchmarkMarkovOrder3(b *testing.B) { runSizes(b, benchMarkov(3)) }

// BenchmarkShapley fits the model and credits every converting path.
func BenchmarkShapley(b *testing.B) { runSizes(b, benchShapley) }

// BenchmarkFractribution fits the path summary and credits every converting path.
func BenchmarkFractribution(b *testing.B) { runSizes(b, benchFractribution) }

// BenchmarkFile runs every data-driven model on the file named by ATTRIB_BENCH_PATHS, in
// ChannelAttribution's layout (as written by shared/bench/gen_paths.py).
func BenchmarkFile(b *testing.B) {
	name := os.Getenv("ATTRIB_BENCH_PATHS")
	if name == "" {
		b.Skip("set ATTRIB_BENCH_PATHS to a path;total_conversions;total_conversion_value;total_null file")
	}
	paths, nChannels, err := loadChannelAttributionFile(name)
	if err != nil {
		b.Fatal(err)
	}
	for order := 1; order <= MaxMarkovOrder; order++ {
		b.Run(fmt.Sprintf("markov%d", order), func(b *testing.B) { benchMarkov(order)(b, paths, nChannels) })
	}
	b.Run("shapley", func(b *testing.B) { benchShapley(b, paths, nChannels) })
	b.Run("fractribution", func(b *testing.B) { benchFractribution(b, paths, nChannels) })
}

// loadChannelAttributionFile reads path;total_conversions;total_conversion_value;total_null
// rows (header first, channels joined by " > "), numbering channels by first appearance.
func loadChannelAttributionFile(name string) ([]PathCount, int, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, 0, err
	}
	defer f.Close()
	ch := newChannels()
	var paths []PathCount
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for line := 1; sc.Scan(); line++ {
		if line == 1 {
			continue
		}
		fields := strings.Split(sc.Text(), ";")
		if len(fields) != 4 {
			return nil, 0, fmt.Errorf("%s:%d: want 4 fields, got %d", name, line, len(fields))
		}
		var nums [3]float64
		for j, s := range fields[1:] {
			if nums[j], err = strconv.ParseFloat(s, 64); err != nil {
				return nil, 0, fmt.Errorf("%s:%d: %w", name, line, err)
			}
		}
		paths = append(paths, PathCount{Steps: ch.path(fields[0]), Conversions: nums[0], Value: nums[1], Nulls: nums[2]})
	}
	return paths, ch.n(), sc.Err()
}

func TestGenPathsLikeGenerator(t *testing.T) {
	t.Parallel()
	paths := genPaths(20000, 2)
	seen := map[string]bool{}
	for _, p := range paths {
		k := fmt.Sprint(p.Steps)
		if seen[k] {
			t.Fatalf("duplicate path %v", p.Steps)
		}
		seen[k] = true
		if len(p.Steps) < 1 || len(p.Steps) > 25 || (p.Conversions == 0 && p.Nulls < 1) || p.Nulls > 8 {
			t.Fatalf("path out of the generator's range: %+v", p)
		}
	}
	if err := validatePaths(paths, len(benchWeights)); err != nil {
		t.Fatal(err)
	}
}

func TestLoadChannelAttributionFile(t *testing.T) {
	t.Parallel()
	name := t.TempDir() + "/paths.csv"
	data := "path;total_conversions;total_conversion_value;total_null\nalpha > beta;2;7.5;1\nbeta;0;0;3\n"
	if err := os.WriteFile(name, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	paths, n, err := loadChannelAttributionFile(name)
	if err != nil {
		t.Fatal(err)
	}
	if n != 2 || len(paths) != 2 || paths[0].Value != 7.5 || paths[1].Nulls != 3 || paths[0].Steps[1] != paths[1].Steps[0] {
		t.Errorf("got %d channels, paths %+v", n, paths)
	}
}
