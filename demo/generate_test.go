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
	"sync"
	"testing"
	"time"
)

const testPeople = 2000

// generated caches one run per seed for the tests that only read; the
// tests run in parallel, so generatedMu guards it.
var (
	generatedMu sync.Mutex
	generated   = map[int64]Summary{}
)

func generate(t *testing.T, seed int64) Summary {
	t.Helper()
	generatedMu.Lock()
	defer generatedMu.Unlock()
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
	// Not parallel: it switches GOMAXPROCS, which is the whole process's.
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
	t.Parallel()
	a, b := generate(t, 7), generate(t, 8)
	ha, hb := hashDir(t, a.Dir), hashDir(t, b.Dir)
	for _, name := range []string{"data/conversions/conversions.csv", "data/web/sessions-2025-03.ndjson", spendParquetPath, truthPath} {
		if ha[name] == hb[name] {
			t.Errorf("%s is the same for seeds 7 and 8", name)
		}
	}
}

func TestSummary(t *testing.T) {
	t.Parallel()
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
	want := []string{"touchpoints", "conversions", "identity_links", "activity", "spend", "experiments"}
	var got []string
	for _, d := range s.Datasets {
		got = append(got, d.Dataset)
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("datasets %v, want %v", got, want)
	}
}

func TestTruth(t *testing.T) {
	t.Parallel()
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
	t.Parallel()
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
	t.Parallel()
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
	t.Parallel()
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
	t.Parallel()
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
		for _, r := range s.Incremental {
			if math.IsNaN(r.Share) || math.IsInf(r.Share, 0) || r.Conversions < 0 {
				t.Errorf("%d people: incremental truth row %+v", n, r)
			}
		}
		for _, l := range s.LiftTests {
			if l.SE <= 0 || math.IsNaN(l.Estimate) {
				t.Errorf("%d people: lift test %+v", n, l)
			}
		}
	}
}

func TestTimeFormats(t *testing.T) {
	t.Parallel()
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
	t.Parallel()
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
	t.Parallel()
	c := newCDF([]float64{0, 1, 0, 2, 0})
	r := newTestRand()
	counts := make([]int, 5)
	for range 30000 {
		counts[c.sample(r)]++
	}
	if counts[0]+counts[2]+counts[4] != 0 || counts[1] < 9000 || counts[3] < 19000 {
		t.Errorf("sample counts %v", counts)
	}
	if newCDF([]float64{0, 0}).sample(r) != -1 {
		t.Error("all-zero weights sampled")
	}
}

// incrIndex finds a channel of truth_incremental.csv by name.
func incrIndex(t *testing.T, name string) int {
	t.Helper()
	for ic, n := range incrNames {
		if n == name {
			return ic
		}
	}
	t.Fatalf("unknown channel %q", name)
	return -1
}

// liftWindow is the world a lift test describes, built from its row as
// README.md documents it: the channel off from start_date to the end of
// end_date, conversions counted in the same window.
func liftWindow(t *testing.T, l LiftTest) (off offSpec, typ int, from, to int64) {
	t.Helper()
	start, err1 := time.Parse(time.DateOnly, l.Start)
	end, err2 := time.Parse(time.DateOnly, l.End)
	if err1 != nil || err2 != nil {
		t.Fatalf("lift test %+v: %v %v", l, err1, err2)
	}
	dayAfter := end.Unix() + 24*3600
	off = offSpec{ch: incrIndex(t, l.Channel), from: start.Unix(), to: dayAfter}
	typ = -1
	for i, n := range convTypeNames {
		if n == l.ConversionType {
			typ = i
		}
	}
	return off, typ, start.Unix(), dayAfter
}

// TestCounterfactualIsResimulation re-simulates every person from scratch
// in every counterfactual world (each channel off for the year, each lift
// test's window) and checks, person by person, that the conversions are the
// ones the generator derived from the factual world's candidates; that
// switching a channel off never adds a conversion or makes one earlier
// (with common random numbers a touch fires the same way in both worlds,
// and the counterfactual only has fewer touches and a later start as a
// customer); and that truth_incremental.csv and the lift tests' simulated
// truth are the differences of the re-simulated counts.
func TestCounterfactualIsResimulation(t *testing.T) {
	t.Parallel()
	s := generate(t, 7)
	g := newGenerator("", testPeople, 7)
	fact, ref := g.newChunk(), g.newChunk()

	specs := make([]offSpec, 0, nIncr+len(s.LiftTests))
	for ic := range nIncr {
		specs = append(specs, channelOff(ic))
	}
	type window struct {
		typ      int
		from, to int64
	}
	var windows []window
	for _, l := range s.LiftTests {
		off, typ, from, to := liftWindow(t, l)
		specs = append(specs, off)
		windows = append(windows, window{typ, from, to})
	}
	var conv, rev [nConvTypes]int64            // factual world
	var cfConv, cfRev [nIncr][nConvTypes]int64 // channel off for the year
	lift := make([]int64, len(windows))
	for i := range testPeople {
		p, convs := fact.simulatePerson(i, &allOn, true)
		var factAt [nConvTypes]int64
		for typ, cv := range convs {
			if cv.ok {
				conv[typ]++
				rev[typ] += fact.revenue(typ)
				factAt[typ] = cv.t
			}
		}
		if got := fact.outcome(p.existing, &allOn); got != factAt {
			t.Fatalf("person %d: outcome of the factual world %v, simulated %v", i, got, factAt)
		}
		for k := range specs {
			off := &specs[k]
			_, cf := ref.simulatePerson(i, off, false)
			var cfAt [nConvTypes]int64
			for typ, cv := range cf {
				if !cv.ok {
					continue
				}
				cfAt[typ] = cv.t
				if factAt[typ] == 0 || cv.t < factAt[typ] {
					t.Fatalf("person %d, %+v: %s at %d, factual %d", i, *off, convTypeNames[typ], cv.t, factAt[typ])
				}
			}
			if got := fact.outcome(p.existing, off); got != cfAt {
				t.Fatalf("person %d, %+v: outcome from candidates %v, re-simulated %v", i, *off, got, cfAt)
			}
			if k < nIncr {
				for typ, at := range cfAt {
					if at != 0 {
						cfConv[k][typ]++
						cfRev[k][typ] += ref.revenue(typ)
					}
				}
				continue
			}
			w := windows[k-nIncr]
			for typ := range nConvTypes {
				in := func(at int64) int64 { return b2i(at != 0 && at >= w.from && at < w.to) }
				if w.typ < 0 || w.typ == typ {
					lift[k-nIncr] += in(factAt[typ]) - in(cfAt[typ])
				}
			}
		}
	}
	for typ, n := range convTypeNames {
		if conv[typ] != s.Conversions[n] {
			t.Errorf("%s: re-simulated %d conversions, the data set has %d", n, conv[typ], s.Conversions[n])
		}
	}
	got := map[[2]string]IncrementalRow{}
	for _, r := range s.Incremental {
		got[[2]string{r.ConversionType, r.Channel}] = r
	}
	for ic, name := range incrNames {
		var all, allRev int64
		for typ, tn := range convTypeNames {
			n, rv := conv[typ]-cfConv[ic][typ], rev[typ]-cfRev[ic][typ]
			all, allRev = all+n, allRev+rv
			if r := got[[2]string{tn, name}]; r.Conversions != n || math.Round(r.Revenue*100) != float64(rv) {
				t.Errorf("%s %s: truth_incremental has %d / %.2f, re-simulation %d / %.2f", tn, name, r.Conversions, r.Revenue, n, float64(rv)/100)
			}
		}
		if r := got[[2]string{"(all)", name}]; r.Conversions != all || math.Round(r.Revenue*100) != float64(allRev) {
			t.Errorf("(all) %s: truth_incremental has %d / %.2f, re-simulation %d / %.2f", name, r.Conversions, r.Revenue, all, float64(allRev)/100)
		}
	}
	for i, l := range s.LiftTests {
		if l.Lift != lift[i] {
			t.Errorf("lift test %s: simulated truth %d, re-simulation %d", l.ID, l.Lift, lift[i])
		}
	}
}

// TestCounterfactualTruth checks the counterfactual truth against the
// earliest-cause truth at 20,000 people, where the counts are large enough.
//
//   - Outdoor has no effect: exactly 0 everywhere. TV has one on accounts.
//   - Account openings: switching a channel off loses the accounts it was
//     the earliest cause of, except those a later cause (another touch or
//     the baseline) fills in: incremental <= earliest-cause count, and at
//     least 80% of it (the chance of a second, later cause within the year
//     is about 5-12% for these people).
//   - Cards and loans: later causes fill in too (at least 75% is kept), but
//     a customer whose account the channel caused opens it later or never,
//     so cards and loans of other causes are lost as well: incremental <=
//     earliest-cause count + the conversions of people whose account the
//     channel caused (truth_conversions.csv).
//   - Lift tests: the reported estimate lies within 4 standard errors of
//     the simulated truth, re-simulated here from the test's window, and
//     the standard error is 15-25% of it.
func TestCounterfactualTruth(t *testing.T) {
	t.Parallel()
	const people = 20000
	s, err := Generate(context.Background(), Options{Dir: t.TempDir(), People: people, Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	incr := map[[2]string]int64{}
	for _, r := range s.Incremental {
		incr[[2]string{r.ConversionType, r.Channel}] = r.Conversions
		if r.Channel == "Outdoor" && (r.Conversions != 0 || r.Revenue != 0 || (r.HasShare && r.Share != 0)) {
			t.Errorf("Outdoor has an effect: %+v", r)
		}
	}
	if tv := incr[[2]string{"account_opened", "TV"}]; tv <= 0 {
		t.Errorf("TV adds %d account openings, want > 0", tv)
	}
	truth := map[[2]string]int64{}
	for _, r := range s.Truth {
		truth[[2]string{r.ConversionType, r.Channel}] = r.Conversions
	}
	// Conversions of customers whose account opening channel c caused.
	acquiredBy := map[string]string{}
	rows := readCSV(t, filepath.Join(s.Dir, truthConvPath), false)[1:]
	for _, r := range rows {
		if r[0] == "account_opened" {
			acquiredBy[r[2]] = r[3]
		}
	}
	downstream := map[[2]string]int64{}
	for _, r := range rows {
		if c, ok := acquiredBy[r[2]]; ok && r[0] != "account_opened" {
			downstream[[2]string{r[0], c}]++
		}
	}
	for _, typ := range convTypeNames {
		for _, ch := range channelNames[:nChannels] {
			k := [2]string{typ, ch}
			n, tr := incr[k], truth[k]
			hi := tr + downstream[k]
			if n < 0 || n > hi {
				t.Errorf("%s %s: incremental %d outside 0..%d (earliest cause %d + downstream %d)", typ, ch, n, hi, tr, downstream[k])
			}
			lo := 0.75
			if typ == "account_opened" {
				lo = 0.8
			}
			if tr >= 20 && float64(n) < lo*float64(tr) {
				t.Errorf("%s %s: incremental %d below %.0f%% of the earliest-cause count %d", typ, ch, n, 100*lo, tr)
			}
		}
	}

	g := newGenerator("", people, 5)
	fact, ref := g.newChunk(), g.newChunk()
	for _, l := range s.LiftTests {
		off, typ, from, to := liftWindow(t, l)
		var lift int64
		for i := range people {
			_, f := fact.simulatePerson(i, &allOn, false)
			_, cf := ref.simulatePerson(i, &off, false)
			for ct := range nConvTypes {
				if typ >= 0 && ct != typ {
					continue
				}
				lift += b2i(f[ct].ok && f[ct].t >= from && f[ct].t < to) - b2i(cf[ct].ok && cf[ct].t >= from && cf[ct].t < to)
			}
		}
		if lift != l.Lift || lift < 5 {
			t.Errorf("%s: simulated truth %d, re-simulated %d (want at least 5)", l.ID, l.Lift, lift)
		}
		if r := l.SE / float64(lift); r < 0.15-0.005 || r > 0.25+0.005 {
			t.Errorf("%s: standard error %.2f is %.0f%% of the lift %d", l.ID, l.SE, 100*r, lift)
		}
		if math.Abs(l.Estimate-float64(lift)) > 4*l.SE {
			t.Errorf("%s: estimate %.2f more than 4 SE (%.2f) from the truth %d", l.ID, l.Estimate, l.SE, lift)
		}
	}
}
