package channel

import (
	"bytes"
	"flag"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite RULES.md from the code")

const rulesDocFile = "RULES.md"

// TestRulesDoc generates RULES.md from the rules and tables of this package
// and fails when the committed file differs, so the documentation cannot
// drift from the code. Run with -update to rewrite it.
func TestRulesDoc(t *testing.T) {
	t.Parallel()
	got := rulesDoc(t)
	if *update {
		if err := os.WriteFile(rulesDocFile, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(rulesDocFile)
	if err != nil {
		t.Fatalf("%v; run `go test ./transform/channel -run TestRulesDoc -update`", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s is out of date; run `go test ./transform/channel -run TestRulesDoc -update`", rulesDocFile)
	}
}

func rulesDoc(t *testing.T) []byte {
	t.Helper()
	c, err := New(nil)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }

	p("# Channel classification rules\n\n")
	p("<!-- Generated from the code by `go test ./transform/channel -run TestRulesDoc -update`. Do not edit. -->\n\n")
	p("Package `attrib/transform/channel` gives every touchpoint (and every spend row given by\n")
	p("source and medium) a `channel` and a `channel_group` (`online` or `offline`).\n\n")

	p("## How a touch is classified\n\n")
	p("1. **The row's own channel wins.** A non-empty `channel` on the row is kept. If it names a channel\n")
	p("   of the rule set (compared case-insensitively, runs of spaces, `_` and `-` alike) the rule set's\n")
	p("   spelling and group are used: `paid_search` becomes `Paid Search`, `call centre` becomes\n")
	p("   `Call Centre` (offline). Any other name is kept as written (trimmed), with group `offline` if it is\n")
	p("   one of the well-known offline names below and `online` otherwise. `(not set)` and `(none)` count\n")
	p("   as no channel.\n")
	p("2. **Then the rules, first match wins:** the user's rules from the config file, in their order, then\n")
	p("   the defaults below.\n")
	p("3. **Otherwise `%s`** (group `online`). An entirely empty touch is `%s`, not `%s`: Direct needs\n", ChannelUnassigned, ChannelUnassigned, ChannelDirect)
	p("   the source to say so (GA4 exports write `(direct)`).\n\n")
	p("Before matching, `source`, `medium`, `campaign` and `interaction` are trimmed (white space and a\n")
	p("UTF-8 byte-order mark) and lower-cased. Channel names in the output are never changed: `微信朋友圈`\n")
	p("comes out as written in its rule, and campaign values such as `春节理财` match as they are.\n\n")
	p("The source is reduced to the name of the site when it is a host or a URL, and when the source is\n")
	p("empty the referrer stands in for it (with medium `referral`, as in GA4, or `email` for a web-mail\n")
	p("referrer, when the medium is empty):\n\n")
	p("| value | source |\n| --- | --- |\n")
	for _, ex := range []string{"www.google.com.au", "m.baidu.com", "l.facebook.com", "https://www.bing.com/search?q=x",
		"news.sina.com.cn", "https://mp.weixin.qq.com/s/abc", "t.co", "https://mail.qq.com/", "android-app://com.tencent.mm", "Baidu", "(direct)"} {
		p("| `%s` | `%s` |\n", ex, NormalizeSource(ex))
	}
	p("\nThe heuristic: drop scheme, user info, port, path, query and fragment; map the host, or any domain\n")
	p("above it, through the alias table below; otherwise drop the top-level label, then a generic\n")
	p("second-level label (`%s`) if labels remain, and keep the last label: subdomains such as `www.`,\n", strings.Join(slices.Sorted(maps.Keys(genericSecondLevel)), "`, `"))
	p("`m.`, `l.`, `lm.` and `wap.` go with it. A value without a scheme is a host only if it contains a\n")
	p("dot, consists of letters, digits, `-`, `_` and `.`, and ends in an alphabetic label, so `google`,\n")
	p("`e mail` and `v1.2` are left alone. IPv4 addresses are kept.\n\n")

	p("## User rules\n\n")
	p("```yaml\nchannels:\n  rules:\n")
	p("    - name: brand search          # optional, unique; default \"rule N\"\n")
	p("      channel: Brand Search        # required; returned exactly as written\n")
	p("      group: online                # online | offline; omitted: the channel's group elsewhere, else by name\n")
	p("      source: [google, baidu]      # a string or a list; exact match after normalisation\n")
	p("      source_category: [search]    # %s\n", strings.Join(SourceCategoryNames(), " | "))
	p("      medium: [cpc, ppc]\n")
	p("      campaign: [春节理财]\n")
	p("      interaction: [click]\n")
	p("      source_regex: \"...\"          # Go RE2, unanchored, case-insensitive\n")
	p("      medium_regex: \"...\"\n")
	p("      campaign_regex: \"brand\"\n")
	p("      interaction_regex: \"...\"\n```\n\n")
	p("All conditions present must hold; a list holds when the value equals one of its entries (`\"\"`\n")
	p("matches an empty value). A rule needs at least one condition. One channel must have one spelling\n")
	p("and one group across all rules, defaults included; rule names must be unique. `(unattributed)`\n")
	p("is reserved for conversions without a touch.\n\n")

	p("## Default rules\n\n")
	p("In evaluation order, after the user's rules. Interaction rules come first, so that an offline\n")
	p("touch (`branch_visit`, `call`, ...) is offline whatever its source says; then the offline mediums;\n")
	p("then the GA4 default channel group (Google Analytics 4's documented list), in\n")
	p("GA4's order, its OR conditions split into consecutive rules; then app installs that nothing else\n")
	p("classified. GA4 has no app channel: an install with a known source and medium gets that channel,\n")
	p("and medium `app` is Referral, as in GA4.\n\n")
	p("| # | rule | channel | group | conditions (all must hold) |\n| --- | --- | --- | --- | --- |\n")
	for i, r := range c.Rules() {
		ch, g := r.Channel, r.Group
		if ch == "" {
			ch, g = "(the row's)", "(see above)"
		}
		p("| %d | %s | %s | %s | %s |\n", i, cell(r.Name), cell(ch), g, cell(strings.Join(r.Conditions, " AND ")))
	}
	p("\nAdditions to GA4's definition: `Direct` also takes source `direct` and an empty medium; the\n")
	p("paid-medium test `%s` also takes `%s` (SEM, bidding, feed ads, \"paid\";\n", cell(ga4PaidMedium), cell(cnPaidMedium))
	p("Baidu's `ocpc` already matches GA4's `.*cp.*`); Email also takes `edm` and `邮件`, SMS `短信`,\n")
	p("Affiliates `affiliates`. GA4 keeps its source lists internal; the categories below replace them.\n\n")

	p("## Source categories\n\n")
	p("Sources after normalisation. Short-video and feed platforms (TikTok, Douyin, Kuaishou, Toutiao)\n")
	p("are social, as GA4 files TikTok; long-form video platforms are video. A source is in one category\n")
	p("at most. User rules can reuse these lists with `source_category`.\n\n")
	for _, cat := range SourceCategoryNames() {
		members := SourceCategory(cat)
		p("- **%s** (%d): %s\n", cat, len(members), "`"+strings.Join(members, "`, `")+"`")
	}

	p("\n## Host aliases\n\n")
	p("A host, or any host under it, maps to this source (link shorteners, platforms under a parent's\n")
	p("domain, web mail).\n\n| host | source |\n| --- | --- |\n")
	for _, h := range slices.Sorted(maps.Keys(hostAliases)) {
		p("| `%s` | `%s` |\n", h, hostAliases[h])
	}
	p("\nAndroid app referrers (`android-app://PACKAGE`); other packages reduce to their second label\n")
	p("(`com.example.app` -> `example`).\n\n| package | source |\n| --- | --- |\n")
	for _, a := range slices.Sorted(maps.Keys(appAliases)) {
		p("| `%s` | `%s` |\n", a, appAliases[a])
	}

	p("\n## Well-known offline channel names\n\n")
	p("They make a row's channel, or a user rule's channel without a group, `offline` when the rule set\n")
	p("does not know the channel. The name itself is kept: `网点` stays `网点`.\n\n")
	p("%s\n", "`"+strings.Join(offlineChannelNames, "`, `")+"`")
	return b.Bytes()
}

// cell escapes text for a Markdown table cell.
func cell(s string) string {
	return strings.ReplaceAll(s, "|", `\|`)
}
