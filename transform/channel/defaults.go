package channel

// GA4 regular expressions, from Google's published definition of the GA4
// default channel group (support.google.com/analytics/answer/9756891).
// attrib additions are kept apart so that the difference stays visible.
const (
	// ga4PaidMedium is GA4's "paid" medium test.
	ga4PaidMedium = `^(.*cp.*|ppc|retargeting|paid.*)$`
	// cnPaidMedium adds the mediums Chinese teams use for paid traffic:
	// SEM, bidding (竞价), feed ads (信息流) and "paid" (付费...). Baidu's
	// oCPC already matches GA4's ".*cp.*".
	cnPaidMedium = `^(sem|竞价.*|信息流.*|付费.*)$`
	paidMedium   = ga4PaidMedium + `|` + cnPaidMedium

	ga4ShoppingCampaign = `^(.*(([^a-df-z]|^)shop|shopping).*)$`
	ga4VideoMedium      = `^(.*video.*)$`
	ga4PushMedium       = `(push$|mobile|notification)`
	ga4CrossNetwork     = `cross-network`
)

// Channel names of the defaults.
const (
	chBranch     = "Branch"
	chCallCentre = "Call Centre"
	chEvents     = "Events"
	chDirectMail = "Direct Mail"
	chTV         = "TV"
	chOutdoor    = "Outdoor"
	chEmail      = "Email"
	chSMS        = "SMS"
	chPush       = "Mobile Push Notifications"
	chMobileApp  = "Mobile App"
	chCrossNet   = "Cross-network"
	chPaidShop   = "Paid Shopping"
	chPaidSearch = "Paid Search"
	chPaidSocial = "Paid Social"
	chPaidVideo  = "Paid Video"
	chDisplay    = "Display"
	chPaidOther  = "Paid Other"
	chOrgShop    = "Organic Shopping"
	chOrgSocial  = "Organic Social"
	chOrgVideo   = "Organic Video"
	chOrgSearch  = "Organic Search"
	chReferral   = "Referral"
	chAffiliates = "Affiliates"
	chAudio      = "Audio"
)

// offlineChannel describes one default offline channel: the interaction
// values that identify it (checked first) and the medium values used as a
// fallback when the interaction says nothing.
type offlineChannel struct {
	channel     string
	interaction []string
	medium      []string
}

// The lists avoid ambiguous values: interaction "event" (a web analytics
// event) and "活动" (also "campaign") are not offline signals.
var offlineChannels = []offlineChannel{
	{chBranch,
		[]string{"branch_visit", "branch", "in_branch", "网点", "网点到访"},
		[]string{"branch", "branch_visit", "in_branch", "网点"}},
	{chCallCentre,
		[]string{"call", "call_centre", "call_center", "inbound_call", "outbound_call", "phone_call", "telesales", "电话", "来电", "外呼"},
		[]string{"call", "call_centre", "call_center", "callcentre", "callcenter", "phone", "telesales", "telemarketing", "电话", "电销"}},
	{chEvents,
		[]string{"event_attend", "roadshow", "seminar", "exhibition", "线下活动", "路演"},
		[]string{"event", "events", "offline_event", "roadshow", "seminar", "exhibition", "线下活动", "路演"}},
	{chDirectMail,
		[]string{"mail_drop", "direct_mail", "postal_mail", "直邮"},
		[]string{"direct_mail", "directmail", "mail_drop", "postal", "postal_mail", "直邮"}},
	{chTV,
		[]string{"tv", "tv_spot", "tv_view", "电视"},
		[]string{"tv", "television", "电视"}},
	{chOutdoor,
		[]string{"outdoor", "ooh", "dooh", "billboard", "户外"},
		[]string{"outdoor", "ooh", "dooh", "billboard", "户外"}},
}

// Interactions of online touches that identify their channel whatever the
// source and medium say.
var (
	emailInteractions = []string{"email", "email_open", "email_click"}
	smsInteractions   = []string{"sms", "sms_click", "短信"}
	pushInteractions  = []string{"push", "push_open", "push_click", "notification_open"}
	appInteractions   = []string{"app_install", "install", "first_open"}
)

// DefaultRules returns the built-in rules, in evaluation order. They are
// evaluated after the user's rules; [New] adds them itself. Each call
// returns a fresh copy.
//
// The order is:
//
//  1. Interaction rules: the offline channels Branch, Call Centre, Events,
//     Direct Mail, TV and Outdoor (group offline), then Email, SMS and
//     Mobile Push Notifications, when the touch's interaction says so
//     (branch_visit, call, event_attend, mail_drop, email_open, ...).
//  2. Medium fallbacks for the offline channels (medium tv, ooh, direct_mail,
//     call_centre, ...).
//  3. The GA4 default channel group, in GA4's order: Direct, Cross-network,
//     Paid Shopping, Paid Search, Paid Social, Paid Video, Display, Paid
//     Other, Organic Shopping, Organic Social, Organic Video, Organic Search,
//     Referral, Email, Affiliates, Audio, SMS, Mobile Push Notifications.
//     GA4 conditions joined by OR are split into consecutive rules with the
//     same channel. Additions to GA4: Direct also accepts source "direct"
//     with an empty medium; the paid-medium test also accepts sem, 竞价,
//     信息流 and 付费; Email also accepts "edm" and "邮件"; SMS also "短信";
//     Affiliates also "affiliates".
//  4. Mobile App: an app install (interaction app_install, install or
//     first_open) that none of the above classified. GA4 has no app channel:
//     installs from a known source and medium get that source's channel, and
//     medium "app" stays Referral, as in GA4.
//
// A touch nothing matches is Unassigned (group online); an entirely empty
// touch is Unassigned too, not Direct, so that missing data stays visible.
func DefaultRules() []Rule {
	rules := make([]Rule, 0, 48)
	add := func(r Rule) { rules = append(rules, r) }

	// 1. Interaction rules.
	for _, o := range offlineChannels {
		add(Rule{Name: o.channel + " (interaction)", Channel: o.channel, Group: GroupOffline, Interaction: vals(o.interaction...)})
	}
	add(Rule{Name: chEmail + " (interaction)", Channel: chEmail, Group: GroupOnline, Interaction: vals(emailInteractions...)})
	add(Rule{Name: chSMS + " (interaction)", Channel: chSMS, Group: GroupOnline, Interaction: vals(smsInteractions...)})
	add(Rule{Name: chPush + " (interaction)", Channel: chPush, Group: GroupOnline, Interaction: vals(pushInteractions...)})

	// 2. Offline medium fallbacks.
	for _, o := range offlineChannels {
		add(Rule{Name: o.channel + " (medium)", Channel: o.channel, Group: GroupOffline, Medium: vals(o.medium...)})
	}

	// 3. GA4 default channel group.
	on := func(name, channel string, r Rule) {
		r.Name, r.Channel, r.Group = "GA4 "+name, channel, GroupOnline
		add(r)
	}
	on("Direct", ChannelDirect, Rule{Source: vals("(direct)", "direct"), Medium: vals("", "(not set)", "(none)", "none")})
	on("Cross-network", chCrossNet, Rule{CampaignRegex: ga4CrossNetwork})
	on("Paid Shopping (shopping source)", chPaidShop, Rule{SourceCategory: vals("shopping"), MediumRegex: paidMedium})
	on("Paid Shopping (shopping campaign)", chPaidShop, Rule{CampaignRegex: ga4ShoppingCampaign, MediumRegex: paidMedium})
	on("Paid Search", chPaidSearch, Rule{SourceCategory: vals("search"), MediumRegex: paidMedium})
	on("Paid Social", chPaidSocial, Rule{SourceCategory: vals("social"), MediumRegex: paidMedium})
	on("Paid Video", chPaidVideo, Rule{SourceCategory: vals("video"), MediumRegex: paidMedium})
	on("Display", chDisplay, Rule{Medium: vals("display", "banner", "expandable", "interstitial", "cpm")})
	on("Paid Other", chPaidOther, Rule{MediumRegex: paidMedium})
	on("Organic Shopping (source)", chOrgShop, Rule{SourceCategory: vals("shopping")})
	on("Organic Shopping (campaign)", chOrgShop, Rule{CampaignRegex: ga4ShoppingCampaign})
	on("Organic Social (source)", chOrgSocial, Rule{SourceCategory: vals("social")})
	on("Organic Social (medium)", chOrgSocial, Rule{Medium: vals("social", "social-network", "social-media", "sm", "social network", "social media")})
	on("Organic Video (source)", chOrgVideo, Rule{SourceCategory: vals("video")})
	on("Organic Video (medium)", chOrgVideo, Rule{MediumRegex: ga4VideoMedium})
	on("Organic Search (source)", chOrgSearch, Rule{SourceCategory: vals("search")})
	on("Organic Search (medium)", chOrgSearch, Rule{Medium: vals("organic")})
	on("Referral", chReferral, Rule{Medium: vals("referral", "app", "link")})
	on("Email (source)", chEmail, Rule{Source: vals("email", "e-mail", "e_mail", "e mail", "edm", "邮件")})
	on("Email (medium)", chEmail, Rule{Medium: vals("email", "e-mail", "e_mail", "e mail", "edm", "邮件")})
	on("Affiliates", chAffiliates, Rule{Medium: vals("affiliate", "affiliates")})
	on("Audio", chAudio, Rule{Medium: vals("audio")})
	on("SMS (source)", chSMS, Rule{Source: vals("sms", "短信")})
	on("SMS (medium)", chSMS, Rule{Medium: vals("sms", "短信")})
	on("Mobile Push Notifications (medium)", chPush, Rule{MediumRegex: ga4PushMedium})
	on("Mobile Push Notifications (source)", chPush, Rule{Source: vals("firebase")})

	// 4. App installs nothing else classified.
	add(Rule{Name: chMobileApp + " (install)", Channel: chMobileApp, Group: GroupOnline, Interaction: vals(appInteractions...)})
	return rules
}

// vals returns a fresh Values holding xs.
func vals(xs ...string) Values {
	return append(Values(nil), xs...)
}
