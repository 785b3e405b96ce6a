package channel

import (
	"bytes"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// decodeRules decodes a YAML rule list the way the config package does.
func decodeRules(t *testing.T, src string) []Rule {
	t.Helper()
	dec := yaml.NewDecoder(strings.NewReader(src))
	dec.KnownFields(true)
	var rules []Rule
	if err := dec.Decode(&rules); err != nil {
		t.Fatalf("decode: %v", err)
	}
	return rules
}

const exampleYAML = `
- name: brand search
  channel: Brand Search
  group: online
  source: [google, www.baidu.com]
  medium: [cpc, ppc]
  campaign_regex: "(?i)brand"
- name: 朋友圈
  channel: 微信朋友圈
  source: wechat
  campaign: [春节理财, 国庆理财]
- channel: 线下活动
  interaction: [salon]
- name: own app
  channel: Bank App
  source_category: [shopping, video]
  interaction_regex: ^app_
- channel: No Source
  source: [""]
  medium: [offline_import]
`

func TestRuleYAML(t *testing.T) {
	t.Parallel()
	rules := decodeRules(t, exampleYAML)
	if len(rules) != 5 {
		t.Fatalf("decoded %d rules, want 5", len(rules))
	}
	if got := rules[1].Source; len(got) != 1 || got[0] != "wechat" {
		t.Errorf("scalar source decoded as %q", got)
	}
	c, err := New(rules)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []classifyCase{
		{name: "user rule beats default", touch: Touch{Source: "Baidu", Medium: "CPC", Campaign: "Brand_2024"}, want: "Brand Search", rule: "brand search"},
		{name: "non-brand falls to defaults", touch: Touch{Source: "baidu", Medium: "cpc", Campaign: "generic"}, want: "Paid Search", rule: "GA4 Paid Search"},
		{name: "chinese campaign and channel", touch: Touch{Source: "WeChat", Medium: "cpc", Campaign: " 春节理财 "}, want: "微信朋友圈", rule: "朋友圈"},
		{name: "other chinese campaign", touch: Touch{Source: "wechat", Medium: "cpc", Campaign: "春节"}, want: "Paid Social"},
		{name: "unnamed rule, inferred offline group", touch: Touch{Interaction: "Salon"}, want: "线下活动", group: "offline", rule: "rule 3"},
		{name: "source category and regex", touch: Touch{Source: "jd", Interaction: "app_open"}, want: "Bank App"},
		{name: "source category only half", touch: Touch{Source: "jd", Interaction: "visit"}, want: "Organic Shopping"},
		{name: "empty source entry", touch: Touch{Medium: "offline_import"}, want: "No Source"},
		{name: "empty source entry needs empty", touch: Touch{Source: "foo", Medium: "offline_import"}, want: "Unassigned"},
		{name: "row channel beats user rule", touch: Touch{Channel: "brand search", Source: "wechat", Campaign: "春节理财"}, want: "Brand Search", rule: RuleRowChannel},
		{name: "row channel of user rule keeps its group", touch: Touch{Channel: " 线下活动 "}, want: "线下活动", group: "offline"},
		{name: "row channel chinese user channel", touch: Touch{Channel: "微信朋友圈"}, want: "微信朋友圈"},
	} {
		check(t, c, tc)
	}
}

func TestRuleYAMLErrors(t *testing.T) {
	t.Parallel()
	for _, src := range []string{
		"- channel: X\n  sources: [google]\n",  // unknown key
		"- channel: X\n  source: {a: b}\n",     // mapping
		"- channel: X\n  source: [[google]]\n", // nested list
		"- channel: X\n  medium: [cpc, ~]\n",   // null entry
		"- channel: X\n  medium_regex: [a]\n",  // regex must be a string
		"- channel: [X]\n  medium: cpc\n",      // channel must be a string
	} {
		dec := yaml.NewDecoder(strings.NewReader(src))
		dec.KnownFields(true)
		var rules []Rule
		if err := dec.Decode(&rules); err == nil {
			t.Errorf("decode %q: no error", src)
		}
	}
}

func TestRuleYAMLRoundTrip(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	if err := enc.Encode(DefaultRules()); err != nil {
		t.Fatal(err)
	}
	back := decodeRules(t, buf.String())
	if _, err := New(back); err == nil {
		t.Error("the defaults fed back as user rules should clash on names")
	}
	for i := range back {
		back[i].Name = "copy of " + back[i].Name
	}
	c, err := New(back)
	if err != nil {
		t.Fatalf("defaults as user rules: %v", err)
	}
	for _, tc := range defaultCases {
		got := c.Classify(tc.touch)
		want := defaultClassifier().Classify(tc.touch)
		if got.Channel != want.Channel || got.Group != want.Group {
			t.Errorf("%s: %+v via YAML copy, %+v via defaults", tc.name, got, want)
		}
	}
}

func TestNewErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		rules []Rule
		want  []string // substrings of the error
	}{
		{"no condition", []Rule{{Name: "empty", Channel: "X"}}, []string{`user channel rule 1 ("empty")`, "no condition"}},
		{"empty lists are no condition", []Rule{{Channel: "X", Source: Values{}, MediumRegex: ""}}, []string{`("rule 1")`, "no condition"}},
		{"invalid regex", []Rule{{Name: "ok", Channel: "A", Medium: vals("a")}, {Name: "bad re", Channel: "X", CampaignRegex: "(brand"}}, []string{`user channel rule 2 ("bad re")`, `invalid campaign_regex "(brand"`}},
		{"missing channel", []Rule{{Name: "nochan", Medium: vals("cpc")}}, []string{`("nochan")`, "channel is required"}},
		{"reserved channel", []Rule{{Channel: "(Unattributed)", Medium: vals("cpc")}}, []string{"reserved"}},
		{"bad group", []Rule{{Channel: "X", Group: "both", Medium: vals("cpc")}}, []string{`invalid group "both"`}},
		{"unknown category", []Rule{{Channel: "X", SourceCategory: vals("search", "news")}}, []string{`unknown source_category "news"`, "search, shopping, social, video"}},
		{"duplicate names", []Rule{{Name: "a", Channel: "X", Medium: vals("x")}, {Name: " A ", Channel: "Y", Medium: vals("y")}}, []string{`user channel rule 2 ("A")`, `name "A" is already used`}},
		{"name of a default", []Rule{{Name: "GA4 Paid Search", Channel: "X", Medium: vals("x")}}, []string{`user channel rule 1 ("GA4 Paid Search"): name "GA4 Paid Search" is already used by default channel rule`}},
		{"name of a builtin", []Rule{{Name: "Unassigned", Channel: "X", Medium: vals("x")}}, []string{"built-in unassigned rule"}},
		{"spelling differs from default", []Rule{{Channel: "paid search", Medium: vals("x")}}, []string{`user channel rule 1 ("rule 1"): channel "paid search" is spelled "Paid Search" in default channel rule`}},
		{"spelling differs between user rules", []Rule{{Channel: "WeChat", Medium: vals("x")}, {Channel: "Wechat", Medium: vals("y")}}, []string{`channel "Wechat" is spelled "WeChat"`}},
		{"group differs from default", []Rule{{Channel: "Events", Group: "online", Medium: vals("webinar")}}, []string{`user channel rule 1 ("rule 1"): channel "Events" has group online here but offline in default channel rule`}},
		{"group differs between user rules", []Rule{{Channel: "Salon", Group: "offline", Medium: vals("x")}, {Channel: "Salon", Group: "online", Medium: vals("y")}}, []string{`channel "Salon" has group online here but offline`}},
		{"unassigned offline", []Rule{{Channel: "Unassigned", Group: "offline", Medium: vals("x")}}, []string{`channel "Unassigned" has group offline here but online in the built-in unassigned rule`}},
		{"all errors at once", []Rule{{Name: "one"}, {Name: "two", Channel: "Y", SourceRegex: "["}}, []string{`("one"): channel is required`, `("one"): no condition`, `("two"): invalid source_regex`}},
	}
	for _, tt := range tests {
		c, err := New(tt.rules)
		if err == nil {
			t.Errorf("%s: New succeeded, want an error", tt.name)
			continue
		}
		if c != nil {
			t.Errorf("%s: New returned a classifier with an error", tt.name)
		}
		for _, w := range tt.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q does not contain %q", tt.name, err, w)
			}
		}
	}
}

func TestGroupInference(t *testing.T) {
	t.Parallel()
	c, err := New([]Rule{
		{Channel: "Branch", Medium: vals("lobby")},                      // a default channel: offline
		{Channel: "Salon", Group: "Offline", Medium: vals("salon_a")},   // declared
		{Channel: "Salon", Medium: vals("salon_b")},                     // same channel, inherits
		{Channel: "路演", Medium: vals("roadshow_cn")},                    // well-known offline name
		{Channel: "Partner", Medium: vals("partner")},                   // unknown: online
		{Channel: "Events", Group: " OFFLINE ", Medium: vals("expo_x")}, // agrees with the default
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []classifyCase{
		{name: "default channel", touch: Touch{Medium: "lobby"}, want: "Branch", group: "offline"},
		{name: "declared", touch: Touch{Medium: "salon_a"}, want: "Salon", group: "offline"},
		{name: "inherited", touch: Touch{Medium: "salon_b"}, want: "Salon", group: "offline"},
		{name: "offline name", touch: Touch{Medium: "roadshow_cn"}, want: "路演", group: "offline"},
		{name: "unknown", touch: Touch{Medium: "partner"}, want: "Partner"},
		{name: "agrees with default", touch: Touch{Medium: "expo_x"}, want: "Events", group: "offline"},
		{name: "row channel of inherited", touch: Touch{Channel: "salon"}, want: "Salon", group: "offline"},
	} {
		check(t, c, tc)
	}
}

func TestRuleMatching(t *testing.T) {
	t.Parallel()
	c, err := New([]Rule{
		{Name: "case-insensitive regex", Channel: "Brand", CampaignRegex: "BRAND"},
		{Name: "and", Channel: "Both", Source: vals("Partner.COM"), Medium: vals(" X ")},
		{Name: "list and regex on one field", Channel: "Narrow", Medium: vals("n1", "n2"), MediumRegex: "1$"},
		{Name: "interaction list", Channel: "Kiosk", Group: "offline", Interaction: vals("KIOSK")},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []classifyCase{
		{name: "regex ignores case", touch: Touch{Campaign: "my_brand_q1"}, want: "Brand"},
		{name: "and holds", touch: Touch{Source: "https://www.partner.com/x", Medium: "x"}, want: "Both"},
		{name: "and fails", touch: Touch{Source: "partner", Medium: "y"}, want: "Unassigned"},
		{name: "list and regex hold", touch: Touch{Medium: "n1"}, want: "Narrow"},
		{name: "regex fails", touch: Touch{Medium: "n2"}, want: "Unassigned"},
		{name: "interaction", touch: Touch{Interaction: "kiosk"}, want: "Kiosk", group: "offline"},
	} {
		check(t, c, tc)
	}
	var descs []string
	for _, r := range c.Rules()[1:5] {
		descs = append(descs, strings.Join(r.Conditions, " AND "))
	}
	want := []string{
		"campaign matches /BRAND/",
		"source in [partner] AND medium in [x]",
		"medium in [n1, n2] AND medium matches /1$/",
		"interaction in [kiosk]",
	}
	for i := range want {
		if descs[i] != want[i] {
			t.Errorf("conditions of rule %d = %q, want %q", i+1, descs[i], want[i])
		}
	}
}
