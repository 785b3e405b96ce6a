package demo

import "math/rand/v2"

// event is a roadshow; attendees sign up with their e-mail.
type event struct {
	name string
	day  int
	size float64 // relative attendance
}

var events = []event{
	{"上海新春理财路演", day(1, 18), 1.4},
	{"London Savings Roadshow", day(2, 15), 1.2},
	{"北京财富管理论坛", day(3, 8), 1.5},
	{"Manchester Money Fair", day(3, 22), 1.0},
	{"深圳青年理财沙龙", day(4, 12), 0.8},
	{"Birmingham Homeowners Evening", day(4, 26), 0.7},
	{"广州信用卡体验日", day(5, 17), 1.0},
	{"Leeds Small Business Breakfast", day(6, 7), 0.5},
	{"杭州理财路演", day(6, 21), 0.9},
	{"Edinburgh Festival Stand", day(8, 9), 1.1},
	{"成都金融知识讲座", day(9, 6), 0.8},
	{"Bristol Student Banking Day", day(9, 20), 1.0},
	{"Glasgow Pension Clinic", day(10, 11), 0.6},
	{"南京财富管理论坛", day(10, 25), 1.0},
	{"Cardiff Mortgage Roadshow", day(11, 8), 0.7},
	{"上海年终理财路演", day(11, 22), 1.3},
	{"London Winter Savings Fair", day(12, 6), 1.2},
	{"香港跨境理财讲座", day(12, 13), 0.9},
}

// mailing is a direct-mail drop to a random share of current customers.
type mailing struct {
	name string
	day  int
}

var mailings = []mailing{
	{"dm_spring_card_offer", day(2, 17)},
	{"dm_isa_season", day(3, 10)},
	{"dm_loan_summer", day(5, 12)},
	{"dm_card_upgrade", day(6, 16)},
	{"dm_autumn_loan", day(9, 8)},
	{"dm_中秋_savings", day(9, 22)},
	{"dm_year_end_savings", day(11, 10)},
	{"dm_christmas_card", day(12, 1)},
}

const (
	eventRate     = 0.022 // events attended per person-year (people with an e-mail)
	callOutRate   = 0.06  // outbound sales calls per person-year (people with a phone)
	callInRate    = 0.25  // inbound service calls per customer-year (customers with a phone)
	branchRate    = 0.8   // service/advice branch visits per customer-year
	mailShare     = 0.3   // share of customers each mailing reaches
	appProspect   = 0.08  // prospects installing the app during the year
	appExisting   = 0.10  // existing customers without the app installing it
	appNewCust    = 0.45  // new customers installing it within two weeks of opening
	badRate       = 0.0045
	teamOutbound  = "outbound_sales"
	teamInbound   = "inbound_service"
	unitMailCost  = 0.85 // USD per piece
	eventFixed    = 800  // USD per event at 50,000 people
	eventPerGuest = 10   // USD per attendee
)

var (
	outReasons = []string{"savings_offer", "card_offer", "loan_offer"}
	inReasons  = []string{"balance_enquiry", "card_issue", "product_enquiry", "complaint", "address_change"}
)

// prospectTouches draws the touches that do not need a customer number:
// web sessions, app installs, outbound calls and events.
func (g *generator) prospectTouches(c *chunk, p *person, off *offSpec) {
	if p.nCookies > 0 {
		g.webTouches(c, p, off)
	}
	r := c.stream(stApp)
	install := appProspect
	if p.existing {
		install = appExisting
	}
	if !p.hasApp && r.Float64() < install {
		d := g.appDays.sample(r)
		tc := appTouch(r, yearStart+int64(d)*daySec+secondOfDay(r, g.webHours), touchKey(c.ps, stApp, 0))
		if !off.drops(kApp, false, tc.t) {
			p.hasApp = true
			c.touches = append(c.touches, tc)
		}
	}
	if p.hasPhone {
		r = c.stream(stCallOut)
		for j := range poisson(r, callOutRate) {
			d := g.callOutDays.sample(r)
			if d < 0 {
				break
			}
			t := yearStart + int64(d)*daySec + secondOfDay(r, g.callHours)
			reason := r.IntN(len(outReasons))
			if !off.drops(kCallOut, false, t) {
				c.touches = append(c.touches, touch{t: t, kind: kCallOut, aux: int16(reason), key: touchKey(c.ps, stCallOut, j)})
			}
		}
	}
	if p.hasEmail {
		r = c.stream(stEvents)
		var seen uint64 // events already attended (at most 64 events)
		for j := range poisson(r, eventRate) {
			ev := g.eventPick.sample(r)
			if seen&(1<<uint(ev)) != 0 {
				continue
			}
			seen |= 1 << uint(ev)
			if t := yearStart + int64(events[ev].day)*daySec; !off.drops(kEvent, false, t) {
				c.touches = append(c.touches, touch{t: t, kind: kEvent, aux: int16(ev), key: touchKey(c.ps, stEvents, j)})
			}
		}
	}
}

// customerTouches draws the touches that need a customer number (branch
// visits, inbound calls, direct mail) over the whole year and keeps those
// from day first on (0 for an existing customer, the day after the account
// was opened for a new one). Opening the account later keeps a subset of
// the same touches; never opening it keeps none.
func (g *generator) customerTouches(c *chunk, p *person, first int, off *offSpec) {
	if first >= nDays {
		return
	}
	r := c.stream(stBranch)
	for j := range poisson(r, branchRate) {
		d := g.branchDays.sample(r)
		if d < 0 {
			break
		}
		br := p.branch
		if r.Float64() < 0.15 {
			br = r.IntN(nBranches)
		}
		t := yearStart + int64(d)*daySec + secondOfDay(r, g.branchHours)
		if d >= first && !off.drops(kBranch, false, t) {
			c.touches = append(c.touches, touch{t: t, kind: kBranch, aux: int16(br), key: touchKey(c.ps, stBranch, j)})
		}
	}
	if p.hasPhone {
		r = c.stream(stCallIn)
		for j := range poisson(r, callInRate) {
			d := g.callInDays.sample(r)
			if d < 0 {
				break
			}
			t := yearStart + int64(d)*daySec + secondOfDay(r, g.callHours)
			reason := r.IntN(len(inReasons))
			if d >= first && !off.drops(kCallIn, false, t) {
				c.touches = append(c.touches, touch{t: t, kind: kCallIn, aux: int16(reason), key: touchKey(c.ps, stCallIn, j)})
			}
		}
	}
	r = c.stream(stMail)
	for i, m := range mailings {
		t := yearStart + int64(m.day)*daySec
		if r.Float64() < mailShare && m.day >= first && !off.drops(kDirectMail, false, t) {
			c.touches = append(c.touches, touch{t: t, kind: kDirectMail, aux: int16(i), key: touchKey(c.ps, stMail, i)})
		}
	}
}

// newCustomerApp adds the app install of a new customer with cookies and
// no app: 45% install it within days of opening the account. It is a
// consequence of the account and causes nothing.
func (g *generator) newCustomerApp(c *chunk, p *person, off *offSpec) {
	if p.existing || p.nCookies == 0 || p.hasApp {
		return
	}
	r := c.stream(stNewApp)
	if r.Float64() < appNewCust {
		tc := appTouch(r, p.custSince+expSec(r, 3, 60, 14*daySec), touchKey(c.ps, stNewApp, 0))
		if !off.drops(kApp, false, tc.t) {
			p.hasApp = true
			c.touches = append(c.touches, tc)
		}
	}
}

// writeOffline writes an offline touch to its bank-system export.
func (g *generator) writeOffline(c *chunk, p *person, tc *touch) {
	r := c.r
	switch tc.kind {
	case kBranch, kBranchSale:
		g.writeBranch(c, p, tc.t, int(tc.aux), r)
	case kCallOut, kCallIn:
		for bad := range 2 {
			if bad == 1 {
				if r.Float64() >= badRate {
					break
				}
				c.bad[sCalls]++
			}
			b := appendTime(c.buf[sCalls], tc.t, 0, tsSpace)
			b = append(b, ',')
			if bad == 0 { // a bad row has no phone: no identifier at all
				b = g.appendPhone(b, p, false)
			}
			if tc.kind == kCallOut {
				b = append(b, ","+teamOutbound+","...)
				b = append(b, outReasons[tc.aux]...)
			} else {
				b = append(b, ","+teamInbound+","...)
				b = append(b, inReasons[tc.aux]...)
			}
			c.buf[sCalls] = endLine(b, true)
			c.rows[sCalls]++
		}
	case kEvent:
		c.attendees[tc.aux]++
		for bad := range 2 {
			if bad == 1 {
				if r.Float64() >= badRate {
					break
				}
				c.bad[sEvents]++
			}
			b := appendTime(c.buf[sEvents], tc.t, 0, tsDate)
			b = append(b, ',')
			if bad == 0 {
				v := 0
				if u := r.Float64(); u < 0.2 {
					v = 1
				} else if u < 0.3 {
					v = 2
				}
				if v == 2 {
					b = append(b, '"')
					b = g.appendEmail(b, p, v)
					b = append(b, '"')
				} else {
					b = g.appendEmail(b, p, v)
				}
			}
			b = append(b, ',')
			b = appendCSV(b, events[tc.aux].name)
			c.buf[sEvents] = endLine(b, true)
			c.rows[sEvents]++
		}
	case kDirectMail:
		c.mailPieces[tc.aux]++
		b := appendTime(c.buf[sMail], tc.t, 0, tsDate)
		b = append(b, ',')
		b = g.appendCustNo(b, p)
		b = append(b, ',')
		b = appendCSV(b, mailings[tc.aux].name)
		c.buf[sMail] = endLine(b, false)
		c.rows[sMail]++
	}
}

// writeBranch writes a branch visit and, rarely, a copy with a bad time.
func (g *generator) writeBranch(c *chunk, p *person, t int64, br int, r *rand.Rand) {
	for bad := range 2 {
		if bad == 1 {
			if r.Float64() >= badRate {
				return
			}
			c.bad[sBranch]++
		}
		b := c.buf[sBranch]
		if bad == 1 {
			b = append(b, badSpace[r.IntN(len(badSpace))]...)
		} else {
			b = appendTime(b, t, 0, tsSpace)
		}
		b = append(b, ',')
		b = g.appendCustNo(b, p)
		b = append(b, ',')
		b = appendBranch(b, br)
		c.buf[sBranch] = endLine(b, false)
		c.rows[sBranch]++
	}
}
