package demo

// This file holds the causal model's parameters: touch kinds, the channels
// they are classified as, and each kind's true incremental effect per
// conversion type. README.md documents the same numbers.

// kind is the kind of a generated touch.
type kind uint8

const (
	kPaidSearch kind = iota
	kOrganicSearch
	kPaidSocial
	kOrganicSocial
	kDisplay
	kEmail
	kAffiliates
	kReferral
	kDirect
	kApp        // app install
	kBranch     // branch visit of a customer (service, advice)
	kCallOut    // outbound sales call
	kCallIn     // inbound service call
	kEvent      // roadshow / event attendance
	kDirectMail // direct-mail piece dropped
	kDirectNav  // navigational direct visit right before an online conversion: a consequence, never a cause
	kBranchSale // the branch visit at which an in-branch conversion happens: a consequence, never a cause
	nKinds
)

// Channel indexes: the names the channel classifier produces.
const (
	chPaidSearch = iota
	chOrganicSearch
	chPaidSocial
	chOrganicSocial
	chDisplay
	chEmail
	chAffiliates
	chReferral
	chDirect
	chApp
	chBranch
	chCallCentre
	chEvents
	chDirectMail
	nChannels
	chBaseline = nChannels // organic conversion, no marketing cause
)

var channelNames = [nChannels + 1]string{
	"Paid Search", "Organic Search", "Paid Social", "Organic Social", "Display", "Email",
	"Affiliates", "Referral", "Direct", "App", "Branch", "Call Centre", "Events", "Direct Mail",
	"(baseline)",
}

var kindChannel = [nKinds]int{
	kPaidSearch: chPaidSearch, kOrganicSearch: chOrganicSearch, kPaidSocial: chPaidSocial,
	kOrganicSocial: chOrganicSocial, kDisplay: chDisplay, kEmail: chEmail, kAffiliates: chAffiliates,
	kReferral: chReferral, kDirect: chDirect, kApp: chApp, kBranch: chBranch, kCallOut: chCallCentre,
	kCallIn: chCallCentre, kEvent: chEvents, kDirectMail: chDirectMail, kDirectNav: chDirect,
	kBranchSale: chBranch,
}

// Channels of the counterfactual truth (truth_incremental.csv): the 14
// touch channels, then the two spend-only channels, which leave no touch.
const (
	icTV      = nChannels     // TV: its halo adds organic search and direct sessions
	icOutdoor = nChannels + 1 // Outdoor: flights of posters and billboards, no effect
	nIncr     = nChannels + 2
)

var incrNames = func() (n [nIncr]string) {
	copy(n[:], channelNames[:nChannels])
	n[icTV], n[icOutdoor] = "TV", "Outdoor"
	return n
}()

// web reports whether touches of k are web sessions.
func (k kind) web() bool { return k <= kDirect || k == kDirectNav }

// customer reports whether touches of k need a customer number (branch
// visits, inbound calls, direct mail). They are drawn over the whole year
// and kept from the first whole day as a customer.
func (k kind) customer() bool { return k == kBranch || k == kCallIn || k == kDirectMail }

// Conversion types.
const (
	ctAccount = iota // account_opened: prospects only; makes them customers
	ctCard           // card_activated: customers only
	ctLoan           // loan_funded: customers only
	nConvTypes
)

var convTypeNames = [nConvTypes]string{"account_opened", "card_activated", "loan_funded"}

// effect[t][k] is the probability that one touch of kind k causes a
// conversion of type t (noisy-OR: each touch is an independent cause).
var effect = [nConvTypes][nKinds]float64{
	ctAccount: {
		kPaidSearch: 0.030, kOrganicSearch: 0.012, kPaidSocial: 0.010, kOrganicSocial: 0.005,
		kDisplay: 0.003, kEmail: 0.010, kAffiliates: 0.035, kReferral: 0.015, kDirect: 0.001,
		kCallOut: 0.040, kEvent: 0.060,
	},
	ctCard: {
		kPaidSearch: 0.006, kOrganicSearch: 0.003, kPaidSocial: 0.008, kOrganicSocial: 0.002,
		kDisplay: 0.002, kEmail: 0.012, kAffiliates: 0.004, kReferral: 0.003, kDirect: 0.0005,
		kBranch: 0.020, kCallOut: 0.030, kCallIn: 0.008, kEvent: 0.020, kDirectMail: 0.012,
	},
	ctLoan: {
		kPaidSearch: 0.010, kOrganicSearch: 0.003, kPaidSocial: 0.003, kOrganicSocial: 0.001,
		kDisplay: 0.001, kEmail: 0.005, kAffiliates: 0.015, kReferral: 0.006, kDirect: 0.0005,
		kBranch: 0.030, kCallOut: 0.020, kCallIn: 0.005, kEvent: 0.010, kDirectMail: 0.006,
	},
}

// baseline[t] is the chance per year of eligibility of an organic
// conversion (no marketing cause), at a uniformly random time.
var baseline = [nConvTypes]float64{ctAccount: 0.015, ctCard: 0.020, ctLoan: 0.008}

// delayDays[k] is the mean of the exponential delay between a causing touch
// and its conversion; delays are redrawn until they are below maxDelay.
var delayDays = [nKinds]float64{
	kPaidSearch: 3, kOrganicSearch: 3, kPaidSocial: 3, kOrganicSocial: 3, kDisplay: 3,
	kEmail: 2, kAffiliates: 3, kReferral: 3, kDirect: 3, kBranch: 5, kCallOut: 4, kCallIn: 4,
	kEvent: 7, kDirectMail: 10,
}

const (
	maxDelay     = 29 * daySec // every caused conversion is within the 30-day lookback of its cause
	minDelay     = 600         // ten minutes
	minDelayDate = 8 * 3600    // touches with a date only (events, mail) are stamped 00:00
)

// branchSaleShare is the chance that a conversion of type t whose cause
// is channel ch happens in a branch rather than online.
func branchSaleShare(t, ch int) float64 {
	switch t {
	case ctAccount:
		switch ch {
		case chCallCentre, chEvents:
			return 0.65
		case chBaseline:
			return 0.5
		}
		return 0.35
	case ctCard:
		switch ch {
		case chBranch, chDirectMail:
			return 0.4
		}
		return 0.15
	default:
		if ch == chBranch {
			return 0.8
		}
		return 0.5
	}
}

// earlyChurn[ch] is the chance that a customer acquired through channel ch
// (cause of their first conversion) churns early (mean lifetime 45 days).
var earlyChurn = [nChannels + 1]float64{
	chPaidSearch: 0.18, chOrganicSearch: 0.15, chPaidSocial: 0.30, chOrganicSocial: 0.22,
	chDisplay: 0.25, chEmail: 0.10, chAffiliates: 0.35, chReferral: 0.12, chDirect: 0.15,
	chApp: 0.15, chBranch: 0.08, chCallCentre: 0.15, chEvents: 0.10, chDirectMail: 0.10,
	chBaseline: 0.15,
}
