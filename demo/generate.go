// Package demo generates a deterministic synthetic marketing data set of a
// retail bank: one calendar year (2025) of online and offline marketing
// touches, conversions drawn from a known causal model, identity links,
// customer activity until mid-2026, daily spend, lift tests, a small share
// of deliberately bad rows, the ground truth of which channel caused each
// conversion (truth.csv), the counterfactual truth of what each channel adds
// (truth_incremental.csv: the same people simulated with the channel
// switched off), and an attrib.yaml that loads it all.
//
// Everything is streamed to disk in chunks of people, so memory does not
// grow with the number of people. The same Options (Seed, People) produce
// byte-identical files whatever GOMAXPROCS is: every draw comes from a PCG
// stream keyed to (Seed, person index, what it decides), chunks are written
// in order, and the spend files and the lift tests' noise are drawn from
// streams of their own. See README.md for the model and the file formats.
package demo

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
)

// Options configures Generate.
type Options struct {
	Dir      string // output directory, created if missing
	People   int    // number of simulated people (> 0)
	Seed     int64
	Progress func(stage string, done, total int64) // optional
}

// Summary describes what Generate wrote.
type Summary struct {
	Dir         string
	People      int
	Seed        int64
	Customers   int64            // existing customers plus accounts opened
	Conversions map[string]int64 // good conversion rows per conversion_type
	Truth       []TruthRow       // the content of truth.csv
	Incremental []IncrementalRow // the content of truth_incremental.csv
	LiftTests   []LiftTest       // the content of data/experiments/lift_tests.csv
	Files       []FileSummary    // every file written, config last
	Datasets    []DatasetSummary // per canonical dataset, over the source files
	Rows        int64            // data rows of all source files (bad ones included)
	BadRows     int64            // deliberately bad rows of all source files
	Bytes       int64            // bytes of all files
	Paths       []string         // absolute paths of all files, in Files order
	Config      string           // absolute path of attrib.yaml
}

// FileSummary describes one written file. Path is relative to Dir with
// forward slashes; Source and Dataset are empty for files that are not
// sources in attrib.yaml (truth files, the config).
type FileSummary struct {
	Path    string
	Source  string
	Dataset string
	Rows    int64 // data rows, header excluded, bad rows included
	BadRows int64
	Bytes   int64
}

// DatasetSummary sums the source files of one canonical dataset.
type DatasetSummary struct {
	Dataset string
	Files   int
	Rows    int64
	BadRows int64
}

// Streams: files written while people are simulated.
const sWeb0 = 0

const (
	sApp = webMonths + iota
	sBranch
	sCalls
	sEvents
	sMail
	sConversions
	sLogins
	sKYC
	sActivity
	sTruthConv
	nStreams
)

type streamSpec struct {
	rel, source, dataset, header string
	bom, crlf                    bool
}

func streamSpecs() [nStreams]streamSpec {
	var s [nStreams]streamSpec
	for m := range webMonths {
		s[sWeb0+m] = streamSpec{rel: webFileName(m), source: "web_sessions", dataset: "touchpoints"}
	}
	s[sApp] = streamSpec{"data/app/installs.csv", "app_installs", "touchpoints", "install_time,device_id,store,campaign", true, false}
	s[sBranch] = streamSpec{"data/branch/visits.csv", "branch_visits", "touchpoints", "visit_time,cust_no,branch_code", false, false}
	s[sCalls] = streamSpec{"data/call_centre/calls.csv", "call_centre", "touchpoints", "call_start,phone,agent_team,reason", false, true}
	s[sEvents] = streamSpec{"data/events/attendees.csv", "events", "touchpoints", "event_date,email,event_name", true, true}
	s[sMail] = streamSpec{"data/direct_mail/drops.csv", "direct_mail", "touchpoints", "drop_date,cust_no,mailing", false, false}
	s[sConversions] = streamSpec{"data/conversions/conversions.csv", "conversions", "conversions", "conv_time,cust_no,product_type,product_name,amount,ccy,sale_channel", false, false}
	s[sLogins] = streamSpec{"data/identity/logins.csv", "web_logins", "identity_links", "login_time,cookie,cust_no", false, false}
	s[sKYC] = streamSpec{"data/identity/kyc.csv", "branch_kyc", "identity_links", "kyc_time,cust_no,phone,email", false, false}
	s[sActivity] = streamSpec{"data/activity/activity.csv", "activity", "activity", "occurred_at,customer_id,event,value", false, false}
	s[sTruthConv] = streamSpec{truthConvPath, "", "", "conversion_type,occurred_at,customer_id,true_channel,cause_at,sale_channel,revenue", false, false}
	return s
}

// touch is one generated touchpoint of a person.
type touch struct {
	t     int64  // unix seconds
	key   uint64 // keys the touch's firing draws (0 for consequences, which cause nothing)
	kind  kind
	halo  bool  // an organic search or direct session TV's halo added
	anon  int8  // cookie index (web); campaign index (app)
	entry int16 // web entry; store index (app)
	aux   int16 // event, mailing, branch or reason index; conversion type (kDirectNav); millis (app)
}

// generator holds the read-only plan shared by all chunks.
type generator struct {
	dir     string
	people  int
	seedMix uint64 // mixed seed for the random streams
	key     uint64 // key of the identifier bijections

	entries     []entry
	directEntry int
	kindEntries [nKinds][]int
	kindDays    [nKinds]cdf
	kindScale   [nKinds]float64 // sessions of the year at the actual spend / at the planned spend (go-dark weeks)
	haloDays    [2]cdf          // days of the sessions TV's halo adds: organic search, direct
	haloMean    [2]float64      // their number per person-year (activity level 1)
	appDays     cdf
	branchDays  cdf
	callInDays  cdf
	callOutDays cdf
	eventPick   cdf
	webHours    cdf
	branchHours cdf
	callHours   cdf

	tv, outdoor []offlineLine
	tvHalo      []float64 // Hill(adstock(TV spend)) per day, in [0, 1)
	branchSpend offlineLine
	callSpend   offlineLine

	lifts []liftTest
}

// totals are the aggregates of a chunk (and of the whole run).
type totals struct {
	sessions    []int32 // per web entry and day (paid and email entries)
	mailPieces  []int64
	attendees   []int64
	subscribers int64
	customers   int64
	conv        [nConvTypes]int64
	truth       [nConvTypes][nChannels + 1]int64
	incr        [nConvTypes][nIncr]int64 // conversions lost with the channel switched off
	incrRev     [nConvTypes][nIncr]int64 // their revenue, cents
	lift        []int64                  // conversions each lift test's window loses
}

func newTotals(nEntries, nLifts int) totals {
	return totals{
		sessions:   make([]int32, nEntries*nDays),
		mailPieces: make([]int64, len(mailings)),
		attendees:  make([]int64, len(events)),
		lift:       make([]int64, nLifts),
	}
}

func (t *totals) add(o *totals) {
	for i, v := range o.sessions {
		t.sessions[i] += v
	}
	for i, v := range o.mailPieces {
		t.mailPieces[i] += v
	}
	for i, v := range o.attendees {
		t.attendees[i] += v
	}
	t.subscribers += o.subscribers
	t.customers += o.customers
	for i := range t.conv {
		t.conv[i] += o.conv[i]
		for j := range t.truth[i] {
			t.truth[i][j] += o.truth[i][j]
		}
		for j := range t.incr[i] {
			t.incr[i][j] += o.incr[i][j]
			t.incrRev[i][j] += o.incrRev[i][j]
		}
	}
	for i, v := range o.lift {
		t.lift[i] += v
	}
}

func (t *totals) reset() {
	clear(t.sessions)
	clear(t.mailPieces)
	clear(t.attendees)
	t.subscribers, t.customers = 0, 0
	t.conv = [nConvTypes]int64{}
	t.truth = [nConvTypes][nChannels + 1]int64{}
	t.incr = [nConvTypes][nIncr]int64{}
	t.incrRev = [nConvTypes][nIncr]int64{}
	clear(t.lift)
}

// chunk simulates a contiguous range of people into in-memory buffers.
type chunk struct {
	g    *generator
	ps   uint64    // root seed of the current person's streams
	pcg  *rand.PCG // the current person's write stream
	r    *rand.Rand
	spcg *rand.PCG // the stream of one family of touches (see stream)
	sr   *rand.Rand
	kpcg *rand.PCG // keyed draws (see keyed)
	kr   *rand.Rand
	totals
	buf        [nStreams][]byte
	rows, bad  [nStreams]int64
	touches    []touch
	convLogins []int64
	baseT      [nConvTypes]int64       // when the baseline of each type fires (0: never)
	cands      [nConvTypes][]candidate // firing, eligible touches of the factual world
}

const chunkPeople = 2048

func (g *generator) newChunk() *chunk {
	c := &chunk{g: g, pcg: rand.NewPCG(0, 0), spcg: rand.NewPCG(0, 0), kpcg: rand.NewPCG(0, 0),
		totals: newTotals(len(g.entries), len(g.lifts))}
	c.r, c.sr, c.kr = rand.New(c.pcg), rand.New(c.spcg), rand.New(c.kpcg)
	return c
}

// stream returns the current person's stream s, from its start.
func (c *chunk) stream(s int) *rand.Rand {
	seedPCG(c.spcg, c.ps, uint64(s))
	return c.sr
}

// keyed returns a generator for the draws keyed to (key, salt).
func (c *chunk) keyed(key, salt uint64) *rand.Rand {
	seedPCG(c.kpcg, key, salt)
	return c.kr
}

func (c *chunk) reset() {
	for i := range c.buf {
		c.buf[i] = c.buf[i][:0]
	}
	c.rows, c.bad = [nStreams]int64{}, [nStreams]int64{}
	c.totals.reset()
}

// run simulates people [from, to).
func (c *chunk) run(from, to int) {
	for i := from; i < to; i++ {
		c.person(i)
	}
}

func sortTouches(ts []touch) {
	slices.SortStableFunc(ts, func(a, b touch) int { return cmp.Compare(a.t, b.t) })
}

// simulatePerson draws person i, their touches (those off drops left out)
// and their conversions, writing nothing; c.touches holds the touches in
// time order (no consequences yet). With rec, the firing touches are
// recorded for the counterfactuals.
func (c *chunk) simulatePerson(i int, off *offSpec, rec bool) (person, [nConvTypes]conversion) {
	g := c.g
	c.ps = g.personSeed(i)
	p := g.newPerson(c.stream(stAttr), i)
	c.touches = c.touches[:0]
	for typ := range c.cands {
		c.cands[typ] = c.cands[typ][:0]
		c.baseT[typ] = c.baselineTime(typ)
	}
	g.prospectTouches(c, &p, off)
	if p.existing {
		g.customerTouches(c, &p, 0, off)
	}
	sortTouches(c.touches)

	var convs [nConvTypes]conversion
	if !p.existing {
		convs[ctAccount] = c.simulate(ctAccount, c.touches, yearStart, rec)
		if convs[ctAccount].ok {
			p.custSince = convs[ctAccount].t
			g.customerTouches(c, &p, firstDay(p.custSince), off)
			g.newCustomerApp(c, &p, off)
			sortTouches(c.touches)
		}
	}
	if p.custSince != 0 {
		from := max(p.custSince, yearStart)
		convs[ctCard] = c.simulate(ctCard, c.touches, from, rec)
		convs[ctLoan] = c.simulate(ctLoan, c.touches, from, rec)
	}
	return p, convs
}

// person simulates one person: exposure, conversions, consequences,
// identity links and activity, and appends their rows to the buffers; then
// their share of the counterfactual truth.
func (c *chunk) person(i int) {
	g := c.g
	p, convs := c.simulatePerson(i, &allOn, true)
	c.counterfactuals(p.existing, &convs)
	seedPCG(c.pcg, c.ps, uint64(stWrite))
	if p.custSince != 0 {
		c.customers++
	}
	if p.subscribed {
		c.subscribers++
	}

	c.convLogins = c.convLogins[:0]
	var orderBuf [nConvTypes]int // conversion types in time order
	order := orderBuf[:0]
	for t := range convs {
		if !convs[t].ok {
			continue
		}
		g.finishConversion(c, &p, &convs[t])
		j := len(order)
		order = append(order, t)
		for ; j > 0 && convs[order[j-1]].t > convs[t].t; j-- {
			order[j] = order[j-1]
		}
		order[j] = t
	}
	sortTouches(c.touches)

	for j := range c.touches {
		tc := &c.touches[j]
		switch {
		case tc.kind.web():
			g.writeWeb(c, &p, tc)
		case tc.kind == kApp:
			g.writeApp(c, &p, tc)
		default:
			g.writeOffline(c, &p, tc)
		}
	}
	for _, t := range order {
		g.writeConversion(c, &p, &convs[t])
	}
	g.identity(c, &p, c.convLogins)
	if len(order) > 0 {
		first := &convs[order[0]]
		g.activity(c, &p, first.t, first.cause)
	}
}

func (g *generator) progress(opt *Options, stage string, done, total int64) {
	if opt.Progress != nil {
		opt.Progress(stage, done, total)
	}
}

// Generate writes the demo data set, truth and attrib.yaml into opt.Dir.
// It stops with ctx.Err() when ctx is cancelled; files written so far stay
// behind, but attrib.yaml (written last) does not, so an incomplete
// directory is never mistaken for a data set.
func Generate(ctx context.Context, opt Options) (Summary, error) {
	switch {
	case opt.People <= 0:
		return Summary{}, fmt.Errorf("demo: people must be positive, got %d", opt.People)
	case opt.People > maxPeople:
		return Summary{}, fmt.Errorf("demo: people must be at most %d, got %d", maxPeople, opt.People)
	case opt.Dir == "":
		return Summary{}, errors.New("demo: no output directory")
	}
	if err := ctx.Err(); err != nil {
		return Summary{}, err
	}
	dir, err := filepath.Abs(opt.Dir)
	if err != nil {
		return Summary{}, fmt.Errorf("demo: output directory %s: %w", opt.Dir, err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return Summary{}, fmt.Errorf("demo: create %s: %w", dir, err)
	}
	// attrib.yaml and the truth files are written last: a directory holding
	// them holds a complete data set. Web files are created on their first row,
	// so a month without sessions leaves no (stale or empty) file.
	old := []string{configPath, truthPath, truthIncrPath, liftTestsPath}
	for m := range webMonths {
		old = append(old, webFileName(m))
	}
	for _, name := range old {
		if err := os.Remove(filepath.Join(dir, filepath.FromSlash(name))); err != nil && !errors.Is(err, os.ErrNotExist) {
			return Summary{}, fmt.Errorf("demo: remove old %s: %w", name, err)
		}
	}

	g := newGenerator(dir, opt.People, opt.Seed)

	files, total, err := g.writePeople(ctx, &opt)
	if err != nil {
		return Summary{}, err
	}
	spend, err := g.writeSpend(total)
	if err != nil {
		return Summary{}, err
	}
	files = append(files, spend...)
	g.progress(&opt, "spend", 1, 1)

	truth := truthRows(&total.truth)
	tf, err := g.writeTruth(truth)
	if err != nil {
		return Summary{}, err
	}
	files = append(files, tf)
	incr := incrementalRows(&total.incr, &total.incrRev)
	inf, err := g.writeIncremental(incr)
	if err != nil {
		return Summary{}, err
	}
	files = append(files, inf)
	lifts := g.liftResults(total.lift)
	lf, err := g.writeLiftTests(lifts)
	if err != nil {
		return Summary{}, err
	}
	files = append(files, lf)
	cf, err := g.writeConfig()
	if err != nil {
		return Summary{}, err
	}
	files = append(files, cf)
	g.progress(&opt, "config", 1, 1)

	s := summarize(g, &opt, total, truth, files)
	s.Incremental, s.LiftTests = incr, lifts
	return s, nil
}

// newGenerator plans a run: spend, campaigns, the daily weights of touches
// and the lift tests.
func newGenerator(dir string, people int, seed int64) *generator {
	g := &generator{dir: dir, people: people, seedMix: mix64(uint64(seed) ^ 0x6a09e667f3bcc908), key: mix64(uint64(seed) + 0xbb67ae8584caa73b)}
	g.plan()
	return g
}

// writePeople simulates all people chunk by chunk and streams their rows
// to the source files (and truth_conversions.csv).
func (g *generator) writePeople(ctx context.Context, opt *Options) ([]*outFile, *totals, error) {
	specs := streamSpecs()
	var outs [nStreams]*outFile
	abort := func() {
		for _, o := range outs {
			if o != nil {
				o.abort()
			}
		}
	}
	open := func(s int) error {
		sp := specs[s]
		o, err := createOut(g.dir, sp.rel, sp.source, sp.dataset, sp.header, sp.bom, sp.crlf)
		outs[s] = o
		return err
	}
	for s := sWeb0 + webMonths; s < nStreams; s++ {
		if err := open(s); err != nil {
			abort()
			return nil, nil, err
		}
	}

	total := newTotals(len(g.entries), len(g.lifts))
	c := g.newChunk()
	n := int64(opt.People)
	g.progress(opt, "people", 0, n)
	for from := 0; from < opt.People; from += chunkPeople {
		if err := ctx.Err(); err != nil {
			abort()
			return nil, nil, err
		}
		to := min(from+chunkPeople, opt.People)
		c.reset()
		c.run(from, to)
		for s := range outs {
			if outs[s] == nil {
				if len(c.buf[s]) == 0 {
					continue
				}
				if err := open(s); err != nil {
					abort()
					return nil, nil, err
				}
			}
			o := outs[s]
			o.rows += c.rows[s]
			o.bad += c.bad[s]
			if err := o.write(c.buf[s]); err != nil {
				abort()
				return nil, nil, err
			}
		}
		total.add(&c.totals)
		g.progress(opt, "people", int64(to), n)
	}
	var files []*outFile
	for _, o := range outs {
		if o == nil {
			continue
		}
		if err := o.close(); err != nil {
			abort()
			return nil, nil, err
		}
		files = append(files, o)
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}

	return files, &total, nil
}

func summarize(g *generator, opt *Options, t *totals, truth []TruthRow, files []*outFile) Summary {
	s := Summary{
		Dir: g.dir, People: opt.People, Seed: opt.Seed, Customers: t.customers,
		Conversions: make(map[string]int64, nConvTypes), Truth: truth,
	}
	for i, name := range convTypeNames {
		s.Conversions[name] = t.conv[i]
	}
	for _, o := range files {
		fs := o.summary()
		s.Files = append(s.Files, fs)
		s.Paths = append(s.Paths, o.abs)
		s.Bytes += fs.Bytes
		if fs.Dataset == "" {
			continue
		}
		s.Rows += fs.Rows
		s.BadRows += fs.BadRows
		k := slices.IndexFunc(s.Datasets, func(d DatasetSummary) bool { return d.Dataset == fs.Dataset })
		if k < 0 {
			s.Datasets = append(s.Datasets, DatasetSummary{Dataset: fs.Dataset})
			k = len(s.Datasets) - 1
		}
		d := &s.Datasets[k]
		d.Files++
		d.Rows += fs.Rows
		d.BadRows += fs.BadRows
	}
	s.Config = files[len(files)-1].abs
	return s
}
