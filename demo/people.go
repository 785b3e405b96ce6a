package demo

import (
	"math"
	"math/rand/v2"
)

// person is one simulated individual. Identifiers are derived from the
// person's index through bijections, so they are unique by construction.
type person struct {
	idx        int
	existing   bool  // customer before 2025
	custSince  int64 // time they became a customer; 0 = not (yet) a customer
	nCookies   int   // web cookies; 0 = never on the web site
	hasApp     bool  // has an app instance id (installed before or during the year)
	hasEmail   bool
	hasPhone   bool
	subscribed bool    // newsletter subscriber
	lambda     float64 // activity level (mean 1) scaling web sessions
	branch     int     // home branch
	sessions   uint64  // web session counter (for session ids)
}

const (
	nBranches  = 120
	maxPeople  = 100_000_000 // customer numbers, e-mails and phones have 8 digits
	shareExist = 0.25        // share of people who are customers on 2025-01-01
)

// newPerson draws the attributes of person i.
func (g *generator) newPerson(r *rand.Rand, i int) person {
	p := person{idx: i}
	p.existing = r.Float64() < shareExist
	if r.Float64() < 0.88 {
		u := r.Float64()
		switch {
		case u < 0.55:
			p.nCookies = 1
		case u < 0.85:
			p.nCookies = 2
		default:
			p.nCookies = 3
		}
	}
	const sigma = 0.9
	p.lambda = math.Exp(sigma*r.NormFloat64() - sigma*sigma/2)
	if p.existing {
		p.custSince = kycFrom + r.Int64N(yearStart-kycFrom)
		p.hasEmail = r.Float64() < 0.8
		p.hasPhone = r.Float64() < 0.85
		p.subscribed = p.hasEmail && r.Float64() < 0.6
		p.hasApp = r.Float64() < 0.35
	} else {
		p.hasEmail = r.Float64() < 0.6
		p.hasPhone = r.Float64() < 0.55
		p.subscribed = p.hasEmail && r.Float64() < 0.2
	}
	if p.nCookies == 0 {
		p.subscribed = false
	}
	// home branches: a few big city branches, a long tail of small ones
	p.branch = int(float64(nBranches) * math.Pow(r.Float64(), 2))
	return p
}

// pickCookie chooses which of the person's cookies a session uses: mostly
// the main device.
func (p *person) pickCookie(r *rand.Rand) int8 {
	if p.nCookies <= 1 || r.Float64() < 0.65 {
		return 0
	}
	return int8(r.IntN(p.nCookies))
}

// nextSession returns a unique session id.
func (c *chunk) nextSession(p *person) uint64 {
	p.sessions++
	return mix64((uint64(p.idx)<<20 | p.sessions) ^ c.g.key)
}

// Identifier formats (all synthetic):
//
//	customer number  C12345678
//	cookie           ck_3fa2c0d9e1b27a44
//	app instance id  3F2504E0-4F89-11D3-9A0C-0305E82C3301
//	e-mail           user12345678@example.com
//	phone            +44 7712 345678 (KYC) and +447712345678 (call centre)
const (
	mulCust  = 7654321 // odd and not a multiple of 5: a bijection modulo 10^8
	mulEmail = 3141593
	mulPhone = 2718281
	mod8     = 100_000_000
)

func (g *generator) custNo(i int) uint64 {
	return (uint64(i)*mulCust + g.key%mod8) % mod8
}

func (g *generator) appendCustNo(b []byte, p *person) []byte {
	b = append(b, 'C')
	return appendDigits(b, g.custNo(p.idx), 8)
}

func (g *generator) appendCookie(b []byte, p *person, k int) []byte {
	b = append(b, "ck_"...)
	return appendHex16(b, mix64((uint64(p.idx)<<3|uint64(k))^g.key))
}

func (g *generator) appendDevice(b []byte, p *person) []byte {
	const hex = "0123456789ABCDEF"
	a := mix64((uint64(p.idx)<<3 | 7) ^ g.key)
	c := mix64(a ^ 0x5851f42d4c957f2d)
	for i := range 32 {
		if i == 8 || i == 12 || i == 16 || i == 20 {
			b = append(b, '-')
		}
		v := a
		if i >= 16 {
			v = c
		}
		b = append(b, hex[(v>>uint(60-4*(i%16)))&15])
	}
	return b
}

func (g *generator) emailNo(p *person) uint64 {
	return (uint64(p.idx)*mulEmail + (g.key>>20)%mod8) % mod8
}

// appendEmail writes the person's e-mail; variant 1 is mixed case, variant
// 2 has surrounding blanks (as typed into an event sign-up form).
func (g *generator) appendEmail(b []byte, p *person, variant int) []byte {
	switch variant {
	case 1:
		b = append(b, "User"...)
	case 2:
		b = append(b, " user"...)
	default:
		b = append(b, "user"...)
	}
	b = appendDigits(b, g.emailNo(p), 8)
	if variant == 1 {
		return append(b, "@Example.com"...)
	}
	b = append(b, "@example.com"...)
	if variant == 2 {
		b = append(b, ' ')
	}
	return b
}

// appendPhone writes the person's phone number, spaced (KYC) or E.164.
func (g *generator) appendPhone(b []byte, p *person, spaced bool) []byte {
	n := (uint64(p.idx)*mulPhone + (g.key>>40)%mod8) % mod8
	if !spaced {
		b = append(b, "+4477"...)
		return appendDigits(b, n, 8)
	}
	b = append(b, "+44 77"...)
	b = appendDigits(b, n/1_000_000, 2)
	b = append(b, ' ')
	return appendDigits(b, n%1_000_000, 6)
}

func appendBranch(b []byte, br int) []byte {
	b = append(b, "BR"...)
	return appendDigits(b, uint64(br+1), 3)
}

// identity writes the person's identity links: one KYC row when they are
// a customer (customer number + phone and/or e-mail), and online/app
// logins tying cookies and the app instance id to the customer number.
// convLogins are login times at online conversions (with cookie 0).
func (g *generator) identity(c *chunk, p *person, convLogins []int64) {
	if p.custSince == 0 {
		return
	}
	r := c.r
	if p.hasEmail || p.hasPhone {
		b := appendTime(c.buf[sKYC], p.custSince, 0, tsSpace)
		b = append(b, ',')
		b = g.appendCustNo(b, p)
		b = append(b, ',')
		if p.hasPhone {
			b = g.appendPhone(b, p, true)
		}
		b = append(b, ',')
		if p.hasEmail {
			b = g.appendEmail(b, p, 0)
		}
		c.buf[sKYC] = endLine(b, false)
		c.rows[sKYC]++
	}
	from := max(p.custSince, yearStart)
	span := activityEnd - from
	for _, t := range convLogins {
		g.appendLogin(c, p, t, 0, false)
	}
	link := 0.8
	if p.existing {
		link = 0.7
	}
	for k := range p.nCookies {
		if r.Float64() < link {
			for range 1 + poisson(r, 0.5) {
				g.appendLogin(c, p, from+r.Int64N(span), k, false)
			}
		}
	}
	if p.hasApp && r.Float64() < 0.9 {
		for range 1 + poisson(r, 0.5) {
			g.appendLogin(c, p, from+r.Int64N(span), 0, true)
		}
	}
}

func (g *generator) appendLogin(c *chunk, p *person, t int64, cookie int, app bool) {
	b := appendTime(c.buf[sLogins], t, 0, tsOffset8)
	b = append(b, ',')
	if app {
		b = g.appendDevice(b, p)
	} else {
		b = g.appendCookie(b, p, cookie)
	}
	b = append(b, ',')
	b = g.appendCustNo(b, p)
	c.buf[sLogins] = endLine(b, false)
	c.rows[sLogins]++
}
