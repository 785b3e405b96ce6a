package demo

import (
	"math/rand/v2"
	"strconv"
)

// entry is one source/medium/campaign combination of web traffic. Paid
// entries have daily spend; their daily touch weight is spend^0.7
// (diminishing returns), so spend and sessions move together.
type entry struct {
	kind                     kind
	source, medium, campaign string
	page                     string // landing page; "" = a random page
	base                     float64
	from, to                 int     // active days (inclusive)
	share                    float64 // weight of unpaid entries within their kind
	ctr                      float64 // clicks per impression (paid)
	spend                    []float64
	w                        []float64 // daily touch weight
}

func (e *entry) paid() bool { return e.base > 0 }

// webEntries is the catalogue of online traffic. base is USD per day at
// 50,000 people; spend scales with People.
func webEntries() []entry {
	all := func(k kind, src, med, camp, page string, base float64, ctr float64) entry {
		return entry{kind: k, source: src, medium: med, campaign: camp, page: page, base: base, from: 0, to: nDays - 1, ctr: ctr}
	}
	flight := func(e entry, from, to int) entry { e.from, e.to = from, to; return e }
	free := func(k kind, src, med, camp string, share float64) entry {
		return entry{kind: k, source: src, medium: med, campaign: camp, from: 0, to: nDays - 1, share: share}
	}
	return []entry{
		all(kPaidSearch, "google", "cpc", "brand_search", "/", 90, 0.08),
		all(kPaidSearch, "google", "cpc", "generic_savings", "/savings", 70, 0.035),
		flight(all(kPaidSearch, "google", "cpc", "loans_search", "/loans", 60, 0.03), day(3, 1), day(11, 30)),
		all(kPaidSearch, "bing", "cpc", "brand_search", "/", 20, 0.07),
		flight(all(kPaidSearch, "baidu", "cpc", "春节理财", "/zh/理财", 80, 0.04), day(1, 6), day(2, 28)),
		all(kPaidSearch, "baidu", "cpc", "品牌词_brand", "/zh/", 25, 0.06),
		flight(all(kPaidSocial, "facebook", "cpc", "spring_savings", "/savings", 70, 0.012), day(3, 1), day(5, 31)),
		flight(all(kPaidSocial, "facebook", "cpc", "card_launch", "/cards", 60, 0.011), day(6, 1), day(9, 30)),
		all(kPaidSocial, "wechat", "paid_social", "微信开户礼", "/zh/开户", 50, 0.015),
		flight(all(kPaidSocial, "douyin", "paid_social", "抖音信用卡", "/zh/信用卡", 70, 0.013), day(9, 1), day(12, 31)),
		all(kDisplay, "gdn", "display", "prospecting_display", "/offers", 60, 0.0015),
		all(kDisplay, "dv360", "cpm", "retargeting_display", "/savings", 40, 0.004),
		all(kAffiliates, "moneysupermarket", "affiliate", "comparison_savings", "/savings", 60, 0.02),
		flight(all(kAffiliates, "rong360", "affiliate", "融360贷款", "/zh/贷款", 45, 0.02), day(4, 1), day(12, 31)),
		// Email: spend is per send (see spend.go), weights come from send days.
		{kind: kEmail, source: "newsletter", medium: "email", campaign: "monthly_newsletter", page: "/offers", to: nDays - 1},
		{kind: kEmail, source: "newsletter", medium: "email", campaign: "card_offer_email", page: "/cards", to: nDays - 1},
		{kind: kEmail, source: "newsletter", medium: "email", campaign: "春节问候", page: "/zh/理财", to: nDays - 1},
		free(kOrganicSearch, "google", "organic", "(organic)", 55),
		free(kOrganicSearch, "baidu", "organic", "(organic)", 30),
		free(kOrganicSearch, "bing", "organic", "(organic)", 15),
		free(kOrganicSocial, "weibo", "social", "(referral)", 35),
		free(kOrganicSocial, "xiaohongshu", "social", "(referral)", 30),
		free(kOrganicSocial, "linkedin", "social", "(referral)", 20),
		free(kOrganicSocial, "facebook", "social", "(referral)", 15),
		free(kReferral, "nerdwallet.com", "referral", "(referral)", 40),
		free(kReferral, "moneysavingexpert.com", "referral", "(referral)", 35),
		free(kReferral, "eastmoney.com", "referral", "(referral)", 25),
		free(kDirect, "(direct)", "(none)", "(direct)", 1),
	}
}

// emailSend is one newsletter send: the entry's campaign and the day.
type emailSend struct {
	campaign string
	day      int
}

// emailSends lists the newsletter sends: entry campaign and day.
func emailSends() []emailSend {
	var s []emailSend
	add := func(c string, d int) {
		s = append(s, emailSend{c, d})
	}
	for m := 1; m <= 12; m++ { // first Tuesday of every month
		d := day(m, 1)
		for weekday(d) != 1 {
			d++
		}
		add("monthly_newsletter", d)
	}
	for _, d := range []int{day(3, 18), day(6, 10), day(9, 9), day(11, 18)} {
		add("card_offer_email", d)
	}
	add("春节问候", day(1, 27))
	return s
}

// webRate is the mean number of sessions per person-year of each web kind
// (times the person's activity level; Email only for subscribers).
var webRate = [nKinds]float64{
	kPaidSearch: 0.8, kOrganicSearch: 0.75, kPaidSocial: 0.7, kOrganicSocial: 0.3, kDisplay: 1.0,
	kEmail: 2.0, kAffiliates: 0.15, kReferral: 0.2, kDirect: 0.4,
}

var randomPages = []string{"/", "/savings", "/current-account", "/cards", "/loans", "/offers", "/zh/理财", "/mortgages"}

// navPage is the page of a navigational visit before an online conversion.
var navPage = [nConvTypes]string{"/apply/account", "/cards/activate", "/loans/apply"}

// pickEntry picks the entry of a web touch of kind k on day d, in
// proportion to the entries' weights that day.
func (g *generator) pickEntry(r *rand.Rand, k kind, d int) int {
	idx := g.kindEntries[k]
	if len(idx) == 1 {
		return idx[0]
	}
	var sum float64
	for _, i := range idx {
		sum += g.entries[i].w[d]
	}
	u := r.Float64() * sum
	for _, i := range idx {
		u -= g.entries[i].w[d]
		if u < 0 && g.entries[i].w[d] > 0 {
			return i
		}
	}
	for j := len(idx) - 1; j >= 0; j-- { // rounding: last entry with weight
		if g.entries[idx[j]].w[d] > 0 {
			return idx[j]
		}
	}
	return idx[0]
}

// webTouches draws the person's web sessions of the marketing year. Each
// web kind is a Poisson process over the days of the year whose intensity
// is the kind's daily weight (spend^0.7 for paid kinds, with a fixed
// constant, so a day without spend has no sessions and a go-dark week's
// sessions are lost, not moved); TV's halo adds organic search and direct
// sessions of its own. Touches that off drops are drawn, then left out, so
// the other touches keep their draws.
func (g *generator) webTouches(c *chunk, p *person, off *offSpec) {
	for k := kPaidSearch; k <= kDirect; k++ {
		if k == kEmail && !p.subscribed {
			continue
		}
		g.webStream(c, p, webSpec{k, stWeb + int(k), webRate[k] * g.kindScale[k] * p.lambda, g.kindDays[k], false}, off)
	}
	g.webStream(c, p, webSpec{kOrganicSearch, stHaloSearch, g.haloMean[0] * p.lambda, g.haloDays[0], true}, off)
	g.webStream(c, p, webSpec{kDirect, stHaloDirect, g.haloMean[1] * p.lambda, g.haloDays[1], true}, off)
}

// webSpec is one stream of web sessions of a person: the kind, the
// person's random stream, the mean number of sessions of the year, the
// distribution of their days and whether they are TV's halo.
type webSpec struct {
	kind   kind
	stream int
	mean   float64
	days   cdf
	halo   bool
}

// webStream draws a Poisson(w.mean) number of sessions of kind w.kind on
// days drawn from w.days, from stream w.stream of the person.
func (g *generator) webStream(c *chunk, p *person, w webSpec, off *offSpec) {
	k, s, halo := w.kind, w.stream, w.halo
	r := c.stream(s)
	n := poisson(r, w.mean)
	for j := range n {
		d := w.days.sample(r)
		if d < 0 {
			return
		}
		e := g.pickEntry(r, k, d)
		t := yearStart + int64(d)*daySec + secondOfDay(r, g.webHours)
		cookie := p.pickCookie(r)
		if off.drops(k, halo, t) {
			continue
		}
		c.touches = append(c.touches, touch{t: t, kind: k, entry: int16(e), anon: cookie, halo: halo, key: touchKey(c.ps, s, j)})
	}
}

// writeWeb writes one web session (NDJSON) and, rarely, a bad copy of it.
func (g *generator) writeWeb(c *chunk, p *person, tc *touch) {
	m := monthIndex(tc.t)
	s := sWeb0 + min(max(m, 0), webMonths-1) // always in range; clamped for safety
	e := &g.entries[tc.entry]
	page := e.page
	if tc.kind == kDirectNav {
		page = navPage[tc.aux]
	} else if page == "" {
		page = randomPages[c.r.IntN(len(randomPages))]
	}
	c.buf[s] = g.appendWeb(c.buf[s], p, tc, e, page, c.nextSession(p), 0)
	c.rows[s]++
	if c.r.Float64() < badRate {
		mode := 1 + c.r.IntN(2)
		c.buf[s] = g.appendWeb(c.buf[s], p, tc, e, page, c.nextSession(p), mode)
		c.rows[s]++
		c.bad[s]++
	}
	if e.paid() || e.kind == kEmail {
		if d := int((tc.t - yearStart) / daySec); d >= 0 && d < nDays {
			c.sessions[int(tc.entry)*nDays+d]++
		}
	}
}

// appendWeb formats a session; bad 1 = unparseable ts, 2 = no cookie.
func (g *generator) appendWeb(b []byte, p *person, tc *touch, e *entry, page string, sid uint64, bad int) []byte {
	b = append(b, `{"ts":`...)
	if bad == 1 {
		b = appendJSONString(b, badISO[sid%uint64(len(badISO))])
	} else {
		b = append(b, '"')
		b = appendTime(b, tc.t, 0, tsISO)
		b = append(b, '"')
	}
	b = append(b, `,"session_id":"s`...)
	b = appendHex16(b, sid)
	b = append(b, `","cookie":`...)
	switch {
	case bad == 2 && sid%2 == 0:
		b = append(b, `null`...)
	case bad == 2:
		b = append(b, `""`...)
	default:
		b = append(b, '"')
		b = g.appendCookie(b, p, int(tc.anon))
		b = append(b, '"')
	}
	b = append(b, `,"utm_source":`...)
	b = appendJSONString(b, e.source)
	b = append(b, `,"utm_medium":`...)
	b = appendJSONString(b, e.medium)
	b = append(b, `,"utm_campaign":`...)
	b = appendJSONString(b, e.campaign)
	b = append(b, `,"page":`...)
	b = appendJSONString(b, page)
	return append(b, "}\n"...)
}

// monthIndex is the month of unix time t counted from 2025-01 (0).
func monthIndex(t int64) int {
	y, m, _ := civil(t / daySec)
	return (y-2025)*12 + m - 1
}

func webFileName(m int) string {
	y, mm := 2025+m/12, m%12+1
	b := []byte("data/web/sessions-")
	b = strconv.AppendInt(b, int64(y), 10)
	b = append(b, '-')
	b = append2(b, mm)
	return string(append(b, ".ndjson"...))
}

var appStores = []string{"app_store", "app_store", "app_store", "google_play", "google_play", "huawei_appgallery", "xiaomi_getapps"}
var appCampaigns = []string{"(organic)", "(organic)", "(organic)", "(organic)", "(organic)", "(organic)", "apple_search_ads_brand", "apple_search_ads_brand", "应用商店推广"}

// writeApp writes an app install (CSV with BOM) and, rarely, a bad copy.
func (g *generator) writeApp(c *chunk, p *person, tc *touch) {
	for bad := range 2 {
		if bad == 1 {
			if c.r.Float64() >= badRate {
				return
			}
			c.bad[sApp]++
		}
		b := c.buf[sApp]
		if bad == 1 {
			b = append(b, badISO[c.r.IntN(len(badISO))]...)
		} else {
			b = appendTime(b, tc.t, int(tc.aux), tsISOMilli)
		}
		b = append(b, ',')
		b = g.appendDevice(b, p)
		b = append(b, ',')
		b = append(b, appStores[tc.entry]...)
		b = append(b, ',')
		b = appendCSV(b, appCampaigns[tc.anon])
		c.buf[sApp] = endLine(b, false)
		c.rows[sApp]++
	}
}

// appTouch is an app install at time t, its store, campaign and
// milliseconds drawn from r.
func appTouch(r *rand.Rand, t int64, key uint64) touch {
	return touch{
		t: t, kind: kApp, entry: int16(r.IntN(len(appStores))), anon: int8(r.IntN(len(appCampaigns))),
		aux: int16(r.IntN(1000)), key: key,
	}
}

// Bad timestamps: values no reasonable parser accepts.
var (
	badISO   = []string{"2025-13-07T10:15:00Z", "2025-02-30T08:00:00Z", "31/02/2025 10:00", "yesterday", "N/A"}
	badSpace = []string{"2025-02-30 09:15:00", "2025-13-01 10:00:00", "32/01/2025", "N/A", "#VALUE!"}
)
