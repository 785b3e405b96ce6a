package channel

import (
	"strings"
	"unicode"
)

// clean trims spaces and byte-order marks and lower-cases s: the
// normalisation every input value gets before matching.
func clean(s string) string {
	return strings.ToLower(trim(s))
}

// trim removes surrounding white space and UTF-8 byte-order marks (a CSV
// saved for Excel carries one before its first value).
func trim(s string) string {
	return strings.TrimFunc(s, func(r rune) bool { return unicode.IsSpace(r) || r == '\uFEFF' })
}

// channelKey is the identity of a channel name: lower-cased, with runs of
// white space, '_' and '-' folded into one space, so "Paid Search",
// "paid_search" and "PAID-SEARCH" are one channel.
func channelKey(name string) string {
	name = clean(name)
	var b strings.Builder
	b.Grow(len(name))
	sep := false
	for _, r := range name {
		if r == '_' || r == '-' || unicode.IsSpace(r) {
			sep = true
			continue
		}
		if sep && b.Len() > 0 {
			b.WriteByte(' ')
		}
		sep = false
		b.WriteRune(r)
	}
	return b.String()
}

// isPlaceholderChannel reports whether an explicit row channel is an
// analytics placeholder that means "no channel".
func isPlaceholderChannel(key string) bool {
	return key == "" || key == "(not set)" || key == "(none)"
}

// offlineChannelNames are channel names (as channel keys) that mean an
// offline channel. They decide the group of an explicit row channel, or of
// a user rule without a group, when the name is not a channel of the rule
// set. The output name is never replaced by the canonical one: "网点" stays
// "网点".
var offlineChannelNames = []string{
	"offline", "线下",
	// Branch
	"branch", "branches", "bank branch", "branch visit", "in branch",
	"网点", "营业网点", "线下网点", "银行网点", "分行", "支行", "营业厅",
	// Call Centre
	"call centre", "call center", "callcentre", "callcenter",
	"contact centre", "contact center", "telesales", "telemarketing", "phone",
	"电话", "电话银行", "电销", "呼叫中心", "客服中心", "客服热线", "外呼",
	// Events
	"events", "event", "roadshow", "roadshows", "seminar", "exhibition", "offline event",
	"线下活动", "路演", "讲座", "沙龙", "展会",
	// Direct Mail
	"direct mail", "mail drop", "postal mail", "直邮", "邮寄",
	// TV
	"tv", "television", "电视", "电视广告",
	// Outdoor
	"outdoor", "ooh", "dooh", "out of home", "billboard", "户外", "户外广告", "楼宇广告", "地铁广告",
}

var offlineChannelSet = func() map[string]struct{} {
	m := make(map[string]struct{}, len(offlineChannelNames))
	for _, n := range offlineChannelNames {
		m[channelKey(n)] = struct{}{}
	}
	return m
}()

// inferredGroup is the group of a channel name the rules do not assign.
func inferredGroup(key string) string {
	if _, ok := offlineChannelSet[key]; ok {
		return GroupOffline
	}
	return GroupOnline
}
