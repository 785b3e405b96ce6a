package demo

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

const testPeople = 2000

// generated caches one run per seed for the tests that only read.
var generated = map[int64]Summary{}

func generate(t *testing.T, seed int64) Summary {
	t.Helper()
	if s, ok := generated[seed]; ok {
		return s
	}
	dir, err := os.MkdirTemp("", "attrib-demo-test-")
	if err != nil {
		t.Fatal(err)
	}
	s, err := Generate(context.Background(), Options{Dir: dir, People: testPeople, Seed: seed})
	if err != nil {
		t.Fatal(err)
	}
	generated[seed] = s
	return s
}

func TestMain(m *testing.M) {
	code := m.Run()
	for _, s := range generated {
		_ = os.RemoveAll(s.Dir)
	}
	os.Exit(code)
}

// hashDir maps every file below dir (relative path) to its SHA-256.
func hashDir(t *testing.T, dir string) map[string]string {
	t.Helper()
	h := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		sum := sha256.New()
		if _, err := io.Copy(sum, f); err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		h[filepath.ToSlash(rel)] = hex.EncodeToString(sum.Sum(nil))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestSameSeedIsByteIdentical(t *testing.T) {
	a := generate(t, 7)
	dir := t.TempDir()
	prev := runtime.GOMAXPROCS(1) // output must not depend on GOMAXPROCS
	b, err := Generate(context.Background(), Options{Dir: dir, People: testPeople, Seed: 7})
	runtime.GOMAXPROCS(prev)
	if err != nil {
		t.Fatal(err)
	}
	ha, hb := hashDir(t, a.Dir), hashDir(t, b.Dir)
	if len(ha) != len(hb) || len(ha) != len(a.Files) {
		t.Fatalf("file counts differ: %d vs %d (summary %d)", len(ha), len(hb), len(a.Files))
	}
	for name, sum := range ha {
		if hb[name] != sum {
			t.Errorf("%s differs between two runs with the same seed", name)
		}
	}
}

func TestDifferentSeedsDiffer(t *testing.T) {
	a, b := generate(t, 7), generate(t, 8)
	ha, hb := hashDir(t, a.Dir), hashDir(t, b.Dir)
	for _, name := range []string{"data/conversions/conversions.csv", "data/web/sessions-2025-03.ndjson", spendParquetPath, truthPath} {
		if ha[name] == hb[name] {
			t.Errorf("%s is the same for seeds 7 and 8", name)
		}
	}
}

func TestSummary(t *testing.T) {
	s := generate(t, 7)
	if s.People != testPeople || s.Seed != 7 || s.Customers == 0 {
		t.Errorf("summary header: %+v", s)
	}
	var sum, bytes int64
	for i, f := range s.Files {
		st, err := os.Stat(s.Paths[i])
		if err != nil {
			t.Fatal(err)
		}
		if st.Size() != f.Bytes {
			t.Errorf("%s: summary says %d bytes, file has %d", f.Path, f.Bytes, st.Size())
		}
		bytes += f.Bytes
		if f.Dataset != "" {
			sum += f.Rows
			if f.Rows == 0 {
				t.Errorf("%s has no rows", f.Path)
			}
		}
	}
	if sum != s.Rows || bytes != s.Bytes {
		t.Errorf("totals: rows %d/%d bytes %d/%d", sum, s.Rows, bytes, s.Bytes)
	}
	if s.Config != filepath.Join(s.Dir, configPath) || s.Paths[len(s.Paths)-1] != s.Config {
		t.Errorf("config path %q", s.Config)
	}
	for _, ct := range convTypeNames {
		if s.Conversions[ct] == 0 {
			t.Errorf("no %s conversions", ct)
		}
	}
	share := float64(s.BadRows) / float64(s.Rows)
	if share < 0.002 || share > 0.006 {
		t.Errorf("bad-row share %.4f outside 0.2%%..0.6%%", share)
	}
	want := []string{"touchpoints", "conversions", "identity_links", "activity", "spend"}
	var got []string
	for _, d := range s.Datasets {
		got = append(got, d.Dataset)
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("datasets %v, want %v", got, want)
	}
}

func TestTruth(t *testing.T) {
	s := generate(t, 7)
	rows := readCSV(t, filepath.Join(s.Dir, truthPath), false)
	if strings.Join(rows[0], ",") != "conversion_type,channel,true_conversions,true_share" {
		t.Fatalf("header %v", rows[0])
	}
	shares := map[string]float64{}
	counts := map[string]int64{}
	for _, r := range rows[1:] {
		n, err := strconv.ParseInt(r[2], 10, 64)
		if err != nil {
			t.Fatalf("row %v: %v", r, err)
		}
		counts[r[0]] += n
		if r[1] == "(baseline)" {
			if r[3] != "" {
				t.Errorf("baseline row has a share: %v", r)
			}
			continue
		}
		v, err := strconv.ParseFloat(r[3], 64)
		if err != nil {
			t.Fatalf("row %v: %v", r, err)
		}
		shares[r[0]] += v
	}
	for _, ct := range convTypeNames {
		if math.Abs(shares[ct]-1) > 1e-4 {
			t.Errorf("%s: shares sum to %v", ct, shares[ct])
		}
		if counts[ct] != s.Conversions[ct] {
			t.Errorf("%s: truth has %d conversions, summary %d", ct, counts[ct], s.Conversions[ct])
		}
	}
	if len(rows)-1 != nConvTypes*(nChannels+1) {
		t.Errorf("truth has %d rows", len(rows)-1)
	}

	// Every caused conversion lies within 30 days after its cause, and
	// the per-conversion truth agrees with the good conversion rows.
	perConv := readCSV(t, filepath.Join(s.Dir, truthConvPath), false)
	byType := map[string]int64{}
	for _, r := range perConv[1:] {
		byType[r[0]]++
		if r[3] == "(baseline)" {
			continue
		}
		conv, err1 := time.Parse(time.DateTime, r[1])
		cause, err2 := time.Parse(time.DateTime, r[4])
		if err1 != nil || err2 != nil {
			t.Fatalf("row %v: %v %v", r, err1, err2)
		}
		if d := conv.Sub(cause); d <= 0 || d > 30*24*time.Hour {
			t.Errorf("conversion %v is %v after its cause", r, d)
		}
	}
	for _, ct := range convTypeNames {
		if byType[ct] != s.Conversions[ct] {
			t.Errorf("%s: %d truth conversions, %d in summary", ct, byType[ct], s.Conversions[ct])
		}
	}
}

func TestInvalidOptions(t *testing.T) {
	for _, opt := range []Options{
		{Dir: t.TempDir(), People: 0},
		{Dir: t.TempDir(), People: -5},
		{Dir: t.TempDir(), People: maxPeople + 1},
		{Dir: "", People: 10},
	} {
		if _, err := Generate(context.Background(), opt); err == nil {
			t.Errorf("Generate(%+v) did not fail", opt)
		}
	}
}

func TestCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Generate(ctx, Options{Dir: t.TempDir(), People: 10}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled before start: err = %v", err)
	}

	ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	dir := t.TempDir()
	var stages []string
	_, err := Generate(ctx, Options{Dir: dir, People: 3 * chunkPeople, Seed: 1, Progress: func(stage string, done, total int64) {
		stages = append(stages, stage)
		if stage == "people" && done == chunkPeople {
			cancel()
		}
	}})
	if !errors.Is(err, context.Canceled) || err != ctx.Err() {
		t.Errorf("cancelled mid-run: err = %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, configPath)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("attrib.yaml written by a cancelled run (%v)", err)
	}
	if len(stages) != 2 {
		t.Errorf("progress after cancel: %v", stages)
	}
}

func TestProgress(t *testing.T) {
	var last = map[string][2]int64{}
	_, err := Generate(context.Background(), Options{Dir: t.TempDir(), People: 100, Progress: func(stage string, done, total int64) {
		last[stage] = [2]int64{done, total}
	}})
	if err != nil {
		t.Fatal(err)
	}
	if last["people"] != [2]int64{100, 100} || last["spend"] != [2]int64{1, 1} || last["config"] != [2]int64{1, 1} {
		t.Errorf("progress: %v", last)
	}
}

func TestTinyRuns(t *testing.T) {
	for _, n := range []int{1, 2, 17} {
		s, err := Generate(context.Background(), Options{Dir: t.TempDir(), People: n, Seed: int64(n)})
		if err != nil {
			t.Fatalf("%d people: %v", n, err)
		}
		for _, r := range s.Truth {
			if math.IsNaN(r.Share) || math.IsInf(r.Share, 0) {
				t.Errorf("%d people: truth row %+v", n, r)
			}
		}
	}
}

func TestTimeFormats(t *testing.T) {
	layouts := map[tsLayout]string{
		tsISO:      "2006-01-02T15:04:05Z",
		tsISOMilli: "2006-01-02T15:04:05.000Z",
		tsSpace:    time.DateTime,
		tsOffset8:  "2006-01-02T15:04:05-07:00",
		tsDate:     time.DateOnly,
	}
	cst := time.FixedZone("CST", 8*3600)
	for sec := int64(kycFrom); sec < activityEnd+400*daySec; sec += 7*daySec + 3671 {
		for l, layout := range layouts {
			tm := time.Unix(sec, 0).UTC()
			if l == tsOffset8 {
				tm = tm.In(cst)
			}
			if l == tsISOMilli {
				tm = tm.Add(123 * time.Millisecond)
			}
			got := string(appendTime(nil, sec, 123, l))
			if want := tm.Format(layout); got != want {
				t.Fatalf("layout %d at %d: %s, want %s", l, sec, got, want)
			}
		}
	}
	if got := string(appendCents(nil, -1205)); got != "-12.05" {
		t.Errorf("appendCents = %s", got)
	}
	if got := string(appendCSV(nil, `a,"b"`)); got != `"a,""b"""` {
		t.Errorf("appendCSV = %s", got)
	}
}

func TestIdentifiersAreUnique(t *testing.T) {
	g := &generator{key: mix64(42)}
	seen := map[uint64]bool{}
	for i := range 200000 {
		n := g.custNo(i)
		if seen[n] {
			t.Fatalf("customer number of person %d repeats", i)
		}
		seen[n] = true
	}
}

func TestCDF(t *testing.T) {
	c := newCDF([]float64{0, 1, 0, 2, 0})
	r := newTestRand()
	counts := make([]int, 5)
	for range 30000 {
		counts[c.sample(r)]++
	}
	if counts[0]+counts[2]+counts[4] != 0 || counts[1] < 9000 || counts[3] < 19000 {
		t.Errorf("sample counts %v", counts)
	}
	for range 1000 {
		if d := c.sampleFrom(r, 2); d != 3 {
			t.Fatalf("sampleFrom(2) = %d", d)
		}
	}
	if d := c.sampleFrom(r, 4); d != -1 {
		t.Errorf("sampleFrom(4) = %d", d)
	}
	if newCDF([]float64{0, 0}).sample(r) != -1 {
		t.Error("all-zero weights sampled")
	}
}
