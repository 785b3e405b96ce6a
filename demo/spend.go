package demo

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// Spend is planned before the people are simulated, because the daily
// number of touches of a paid channel follows its daily spend: a touch of
// kind k falls on day d with intensity proportional to the sum over the
// kind's campaigns of spend(d)^0.7, with a constant fixed at the planned
// budget, so a day without spend has no touches and a go-dark week's
// touches are lost, not moved to other days. Budgets vary by week (budget
// tests of x0.5 .. x1.6), by day (noise), by flight and by go-dark weeks,
// so response curves can be fitted and every spend channel can be told
// apart from the baseline.

const (
	paidElasticity    = 0.7
	callElasticity    = 0.8
	branchElasticity  = 0.7
	emailCostPerSend  = 0.0025
	spendParquetPath  = "data/spend/ad_platform_spend.parquet"
	offlineSpendPath  = "data/spend/offline_spend.csv"
	spendReferenceNum = 50000.0 // budgets are quoted for this many people
)

// TV's halo: on TV days people search for the bank and type its address.
// The halo adds organic search and direct sessions with a daily intensity
// of rate x Hill(adstock(TV spend)) per person-year (x the person's
// activity level): a geometric adstock with carry-over tvDecay per day
// (normalised: a steady spend s has adstock s), and a Hill curve with
// half-saturation tvHalfSat (USD per day at 50,000 people) and shape
// tvShape.
const (
	tvDecay    = 0.6
	tvHalfSat  = 900.0
	tvShape    = 1.5
	haloSearch = 1.5 // organic search sessions per person-year at full saturation
	haloDirect = 0.8 // direct sessions per person-year at full saturation
)

// goDark lists weeks in which every campaign of an always-on paid kind is
// off (no spend, no sessions), so a model can see the kind's absence.
var goDark = []struct {
	kind     kind
	from, to int // days, inclusive
}{
	{kDisplay, day(7, 7), day(7, 20)},     // two weeks, Monday to Sunday
	{kPaidSocial, day(11, 3), day(11, 9)}, // one week
}

func darkDay(k kind, d int) bool {
	for _, g := range goDark {
		if g.kind == k && d >= g.from && d <= g.to {
			return true
		}
	}
	return false
}

// hill is x^s / (x^s + k^s) for x >= 0.
func hill(x, k, s float64) float64 {
	if x <= 0 {
		return 0
	}
	v := math.Pow(x/k, s)
	return v / (1 + v)
}

var weekBudget = []float64{0.5, 0.75, 1, 1, 1, 1.3, 1.6}

// offlineLine is one offline channel/campaign with a daily spend.
type offlineLine struct {
	channel, campaign string
	spend             []float64 // USD per day
}

func dowPaid(k kind, d int) float64 {
	wd := weekday(d)
	if k == kPaidSocial {
		if wd >= 5 {
			return 1.15
		}
		return 0.95
	}
	switch wd {
	case 5:
		return 0.9
	case 6:
		return 0.85
	}
	return 1.05
}

func weekMults(r *rand.Rand) []float64 {
	w := make([]float64, 53)
	for i := range w {
		w[i] = weekBudget[r.IntN(len(weekBudget))]
	}
	return w
}

func week(d int) int { return (d + 2) / 7 }

// plan builds the campaign catalogue with daily spend and the daily and
// hourly weights used to place touches in time.
func (g *generator) plan() {
	r := rand.New(rand.NewPCG(g.seedMix, 0x5bd1e995))
	scale := float64(g.people) / spendReferenceNum
	g.planOffline(r, scale)
	g.planBranchCall(r, scale)
	g.planHalo(scale)
	g.planOnline(r, scale)
	g.planOther()
}

// offlineFlight is one offline campaign's flight: its days (inclusive)
// and its base spend in USD per day at 50,000 people.
type offlineFlight struct {
	name     string
	from, to int
	base     float64
}

// planOffline plans TV (budget weeks and daily noise) and outdoor (booked
// in two-week cycles).
func (g *generator) planOffline(r *rand.Rand, scale float64) {
	g.tv = nil
	for _, f := range []offlineFlight{
		{"春节TV广告", day(1, 20), day(2, 9), 1500},
		{"spring_savings_tv", day(3, 3), day(3, 30), 1200},
		{"autumn_brand_tv", day(9, 15), day(10, 26), 1200},
		{"christmas_tv", day(12, 1), day(12, 21), 1400},
	} {
		l := offlineLine{channel: "TV", campaign: f.name, spend: make([]float64, nDays)}
		wm := weekMults(r)
		for d := f.from; d <= f.to; d++ {
			l.spend[d] = f.base * scale * wm[week(d)] * lognormal(r, -0.03, 0.25)
		}
		g.tv = append(g.tv, l)
	}
	g.outdoor = nil
	for _, f := range []offlineFlight{
		{"metro_posters_q1", day(1, 6), day(3, 30), 180},
		{"airport_billboards", day(6, 2), day(8, 31), 220},
		{"metro_posters_q4", day(10, 6), day(12, 28), 180},
	} {
		l := offlineLine{channel: "Outdoor", campaign: f.name, spend: make([]float64, nDays)}
		var cycle float64
		for d := f.from; d <= f.to; d++ {
			if (d-f.from)%14 == 0 { // booked in two-week cycles
				cycle = f.base * scale * (0.8 + 0.4*r.Float64())
			}
			l.spend[d] = cycle
		}
		g.outdoor = append(g.outdoor, l)
	}
}

// planBranchCall plans branch marketing (in-branch promotions, advisers'
// outreach), which runs promotion weeks like the ad platforms' budget
// tests, and the outbound call centre; branch visits and outbound calls
// follow them with diminishing returns. Branches close on Sundays.
func (g *generator) planBranchCall(r *rand.Rand, scale float64) {
	g.branchSpend = offlineLine{channel: "Branch", campaign: "", spend: make([]float64, nDays)}
	g.callSpend = offlineLine{channel: "Call Centre", campaign: teamOutbound, spend: make([]float64, nDays)}
	wmBranch, wmCall := weekMults(r), weekMults(r)
	callW := make([]float64, nDays)
	branchW := make([]float64, nDays)
	for d := range nDays {
		m := season[monthOf(d)]
		switch weekday(d) {
		case 5:
			g.branchSpend.spend[d] = 90 * scale * m * wmBranch[week(d)] * lognormal(r, 0, 0.1)
			g.callSpend.spend[d] = 0.3 * 60 * scale * wmCall[week(d)] * lognormal(r, -0.02, 0.2)
		case 6:
		default:
			g.branchSpend.spend[d] = 200 * scale * m * wmBranch[week(d)] * lognormal(r, 0, 0.1)
			g.callSpend.spend[d] = 60 * scale * wmCall[week(d)] * lognormal(r, -0.02, 0.2)
		}
		callW[d] = math.Pow(g.callSpend.spend[d], callElasticity)
		branchW[d] = math.Pow(g.branchSpend.spend[d], branchElasticity)
	}
	g.callOutDays = newCDF(callW)
	g.branchDays = newCDF(branchW)
}

// planHalo plans TV's halo: Hill of the adstocked daily TV spend.
func (g *generator) planHalo(scale float64) {
	g.tvHalo = make([]float64, nDays)
	var ad float64
	for d := range nDays {
		var spend float64
		for _, l := range g.tv {
			spend += l.spend[d]
		}
		ad = tvDecay*ad + (1-tvDecay)*spend
		g.tvHalo[d] = hill(ad, tvHalfSat*scale, tvShape)
	}
	var haloSum float64
	for _, v := range g.tvHalo {
		haloSum += v
	}
	for i, rate := range []float64{haloSearch, haloDirect} {
		g.haloDays[i] = newCDF(g.tvHalo)
		g.haloMean[i] = rate * haloSum / nDays
	}
}

// planOnline plans the web entries' daily weights: paid entries from
// spend, unpaid ones from demand patterns; then each kind's day
// distribution and the scale that keeps its yearly touches at the planned
// spend despite go-dark weeks.
func (g *generator) planOnline(r *rand.Rand, scale float64) {
	g.entries = webEntries()
	sends := emailSends()
	g.directEntry = -1
	var planned [nKinds]float64 // touch weight of the year at the planned spend (no go-dark)
	for i := range g.entries {
		e := &g.entries[i]
		e.w = make([]float64, nDays)
		switch {
		case e.paid():
			g.planPaidEntry(r, scale, e, &planned)
		case e.kind == kEmail:
			planEmailEntry(e, sends)
		default:
			if g.planUnpaidEntry(e) {
				g.directEntry = i
			}
		}
	}
	g.planKinds(&planned)
}

// planPaidEntry plans a paid entry's daily spend and touch weight, adding
// the weight at the planned spend (go-dark days included) to planned.
func (g *generator) planPaidEntry(r *rand.Rand, scale float64, e *entry, planned *[nKinds]float64) {
	e.spend = make([]float64, nDays)
	wm := weekMults(r)
	for d := e.from; d <= e.to; d++ {
		s := e.base * scale * season[monthOf(d)] * dowPaid(e.kind, d) * wm[week(d)] * lognormal(r, -0.02, 0.2)
		w := math.Pow(s, paidElasticity)
		planned[e.kind] += w
		if darkDay(e.kind, d) {
			continue
		}
		e.spend[d] = s
		e.w[d] = w
	}
}

// planEmailEntry weights an email entry's days by its sends and the three
// days after each.
func planEmailEntry(e *entry, sends []emailSend) {
	for _, s := range sends {
		if s.campaign != e.campaign {
			continue
		}
		for j, f := range []float64{1, 0.45, 0.2, 0.08} {
			if s.day+j < nDays {
				e.w[s.day+j] += f
			}
		}
	}
}

// planUnpaidEntry weights an unpaid entry's days by season and weekday;
// it reports whether the entry is the direct one.
func (g *generator) planUnpaidEntry(e *entry) (direct bool) {
	for d := range nDays {
		w := e.share * season[monthOf(d)]
		wd := weekday(d)
		switch e.kind {
		case kOrganicSearch:
			w *= dowPaid(kPaidSearch, d)
		case kOrganicSocial:
			if wd >= 5 {
				w *= 1.15
			}
		case kDirect:
			direct = true
		}
		e.w[d] = w
	}
	return direct
}

// planKinds groups the entries by kind and builds each web kind's day
// distribution and touch scale.
func (g *generator) planKinds(planned *[nKinds]float64) {
	for k := range g.kindEntries {
		g.kindEntries[k] = nil
	}
	for i := range g.entries {
		k := g.entries[i].kind
		g.kindEntries[k] = append(g.kindEntries[k], i)
	}
	for k := kPaidSearch; k <= kDirect; k++ {
		w := make([]float64, nDays)
		var sum float64
		for _, i := range g.kindEntries[k] {
			for d, v := range g.entries[i].w {
				w[d] += v
				sum += v
			}
		}
		g.kindDays[k] = newCDF(w)
		g.kindScale[k] = 1
		if planned[k] > 0 {
			g.kindScale[k] = sum / planned[k]
		}
	}
}

// planOther plans the day and hour distributions of app installs, inbound
// calls, events, web sessions, branch visits and calls.
func (g *generator) planOther() {
	seasonW := make([]float64, nDays)
	callInW := make([]float64, nDays)
	for d := range nDays {
		seasonW[d] = season[monthOf(d)]
		switch weekday(d) {
		case 5:
			callInW[d] = 0.4
		case 6:
		default:
			callInW[d] = 1
		}
	}
	g.appDays = newCDF(seasonW)
	g.callInDays = newCDF(callInW)
	g.lifts = planLifts()
	sizes := make([]float64, len(events))
	for i, e := range events {
		sizes[i] = e.size
	}
	g.eventPick = newCDF(sizes)

	g.webHours = newCDF([]float64{0.3, 0.2, 0.15, 0.1, 0.1, 0.15, 0.4, 0.8, 1.1, 1.2, 1.2, 1.2, 1.3, 1.2, 1.1, 1.1, 1.1, 1.2, 1.4, 1.6, 1.7, 1.6, 1.2, 0.7})
	g.branchHours = newCDF([]float64{9: 1, 10: 1.3, 11: 1.3, 12: 1.5, 13: 1.4, 14: 1.2, 15: 1.1, 16: 0.9, 23: 0})
	g.callHours = newCDF([]float64{8: 0.6, 9: 1, 10: 1.2, 11: 1.2, 12: 1, 13: 1.1, 14: 1.2, 15: 1.1, 16: 1, 17: 0.9, 18: 0.7, 19: 0.5, 23: 0})
}

func cents(usd float64) int64 { return int64(math.Round(usd * 100)) }

// writeSpend writes the ad-platform spend (Parquet) and the offline spend
// (CSV) once the people are simulated: clicks follow the sessions actually
// generated, direct mail and event costs the pieces and attendees.
func (g *generator) writeSpend(t *totals) ([]*outFile, error) {
	r := rand.New(rand.NewPCG(g.seedMix, 0x2545f491))
	scale := float64(g.people) / spendReferenceNum
	pq, err := g.writeAdSpend(r, t)
	if err != nil {
		return nil, err
	}
	off, err := createOut(g.dir, offlineSpendPath, "offline_spend", "spend", "date,channel,campaign,spend", false, false)
	if err != nil {
		return nil, err
	}
	lines := []offlineLine{g.branchSpend, g.callSpend}
	for i, m := range mailings {
		l := offlineLine{channel: "Direct Mail", campaign: m.name, spend: make([]float64, nDays)}
		if t.mailPieces[i] > 0 {
			l.spend[m.day] = float64(t.mailPieces[i])*unitMailCost + 500*scale
		}
		lines = append(lines, l)
	}
	for i, e := range events {
		l := offlineLine{channel: "Events", campaign: e.name, spend: make([]float64, nDays)}
		l.spend[e.day] = eventFixed*scale + eventPerGuest*float64(t.attendees[i])
		lines = append(lines, l)
	}
	lines = append(lines, g.outdoor...)
	lines = append(lines, g.tv...)
	var b []byte
	for d := range nDays {
		for _, l := range lines {
			c := cents(l.spend[d])
			if c <= 0 {
				continue
			}
			for bad := range 2 {
				if bad == 1 {
					if r.Float64() >= badRate {
						break
					}
					c = -c // negative spend
					off.bad++
				}
				b = appendDate(b, yearStart+int64(d)*daySec)
				b = append(b, ',')
				b = appendCSV(b, l.channel)
				b = append(b, ',')
				b = appendCSV(b, l.campaign)
				b = append(b, ',')
				b = appendCents(b, c)
				b = append(b, '\n')
				off.rows++
			}
		}
		if err := off.write(b); err != nil {
			off.abort()
			pq.abort()
			return nil, err
		}
		b = b[:0]
	}
	if err := off.close(); err != nil {
		return nil, err
	}
	return []*outFile{pq, off}, nil
}

var adSpendSchema = arrow.NewSchema([]arrow.Field{
	{Name: "date", Type: arrow.FixedWidthTypes.Date32},
	{Name: "source", Type: arrow.BinaryTypes.String},
	{Name: "medium", Type: arrow.BinaryTypes.String},
	{Name: "campaign", Type: arrow.BinaryTypes.String},
	{Name: "cost", Type: &arrow.Decimal128Type{Precision: 12, Scale: 2}},
	{Name: "impressions", Type: arrow.PrimitiveTypes.Int64},
	{Name: "clicks", Type: arrow.PrimitiveTypes.Int64},
}, nil)

// writeAdSpend writes one row per active paid campaign and day (and one
// per newsletter send) with fixed writer settings: Snappy, dictionary
// encoding, statistics, one row group per month, a fixed created_by.
func (g *generator) writeAdSpend(r *rand.Rand, t *totals) (*outFile, error) {
	o, err := createOut(g.dir, spendParquetPath, "ad_spend", "spend", "", false, false)
	if err != nil {
		return nil, err
	}
	fw, err := newAdSpendWriter(o)
	if err != nil {
		o.abort()
		return nil, fmt.Errorf("demo: write %s: %w", o.rel, err)
	}
	sendCampaign := make([]string, nDays)
	for _, s := range emailSends() {
		sendCampaign[s.day] = s.campaign
	}
	b := newAdSpendRows(o)
	defer b.bld.Release()
	for m := range 12 {
		for d := monthStartDay[m]; d < monthStartDay[m+1]; d++ {
			g.adSpendDay(r, t, b, sendCampaign, d)
		}
		rec := b.bld.NewRecordBatch()
		err := fw.Write(rec)
		rec.Release()
		if err != nil {
			_ = fw.Close()
			o.abort()
			return nil, fmt.Errorf("demo: write %s: %w", o.rel, err)
		}
	}
	if err := fw.Close(); err != nil {
		o.abort()
		return nil, fmt.Errorf("demo: write %s: %w", o.rel, err)
	}
	return o, o.close()
}

// newAdSpendWriter opens the ad-spend Parquet writer on o with the fixed
// writer settings.
func newAdSpendWriter(o *outFile) (*pqarrow.FileWriter, error) {
	props := parquet.NewWriterProperties(
		parquet.WithCompression(compress.Codecs.Snappy),
		parquet.WithDictionaryDefault(true),
		parquet.WithStats(true),
		parquet.WithVersion(parquet.V2_6),
		parquet.WithDataPageVersion(parquet.DataPageV1),
		parquet.WithMaxRowGroupLength(1<<20),
		parquet.WithCreatedBy("attrib demo"),
	)
	return pqarrow.NewFileWriter(adSpendSchema, o, props, pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema()))
}

// adSpendRows appends ad-spend rows to a record builder and counts them
// in o.
type adSpendRows struct {
	o     *outFile
	bld   *array.RecordBuilder
	dates *array.Date32Builder
	srcs  *array.StringBuilder
	meds  *array.StringBuilder
	camps *array.StringBuilder
	costs *array.Decimal128Builder
	imps  *array.Int64Builder
	clks  *array.Int64Builder
}

func newAdSpendRows(o *outFile) *adSpendRows {
	bld := array.NewRecordBuilder(memory.DefaultAllocator, adSpendSchema)
	return &adSpendRows{
		o:     o,
		bld:   bld,
		dates: bld.Field(0).(*array.Date32Builder),
		srcs:  bld.Field(1).(*array.StringBuilder),
		meds:  bld.Field(2).(*array.StringBuilder),
		camps: bld.Field(3).(*array.StringBuilder),
		costs: bld.Field(4).(*array.Decimal128Builder),
		imps:  bld.Field(5).(*array.Int64Builder),
		clks:  bld.Field(6).(*array.Int64Builder),
	}
}

func (b *adSpendRows) add(d int, e *entry, c, impressions, clicks int64) {
	b.dates.Append(arrow.Date32(yearStart/daySec + int64(d)))
	b.srcs.Append(e.source)
	b.meds.Append(e.medium)
	b.camps.Append(e.campaign)
	b.costs.Append(decimal128.FromI64(c))
	b.imps.Append(impressions)
	b.clks.Append(clicks)
	b.o.rows++
}

// adSpendDay adds day d's rows: one per active paid entry and per
// newsletter send, each followed, rarely, by a bad copy (negative cost).
func (g *generator) adSpendDay(r *rand.Rand, t *totals, b *adSpendRows, sendCampaign []string, d int) {
	for i := range g.entries {
		e := &g.entries[i]
		var c, clicks, impressions int64
		switch {
		case e.paid() && e.spend[d] > 0: // active and not dark
			c = cents(e.spend[d])
			sessions := float64(t.sessions[i*nDays+d])
			clicks = int64(math.Round(sessions * (1.05 + 0.2*r.Float64())))
			impressions = int64(math.Round(float64(clicks)/(e.ctr*lognormal(r, 0, 0.15)))) + int64(r.IntN(20))
		case e.kind == kEmail && sendCampaign[d] == e.campaign:
			impressions = t.subscribers // sends
			c = cents(float64(impressions) * emailCostPerSend)
			for j := d; j < min(d+4, nDays); j++ {
				clicks += int64(t.sessions[i*nDays+j])
			}
		default:
			continue
		}
		b.add(d, e, c, impressions, clicks)
		if r.Float64() < badRate {
			b.add(d, e, -max(c, 1), impressions, clicks)
			b.o.bad++
		}
	}
}
