package channel

import (
	"testing"
	"unicode/utf8"
)

func FuzzClassify(f *testing.F) {
	for _, tc := range defaultCases {
		t := tc.touch
		f.Add(t.Channel, t.Source, t.Medium, t.Campaign, t.Interaction, t.Referrer)
	}
	for _, p := range chinesePlatforms {
		f.Add("", p.sources[0], "cpc", "春节理财", "click", p.referrer)
	}
	f.Add("_", "android-app://", "", "", "", "https://[::1]:80/")
	f.Add("\uFEFF", "a..b.com", "\xff", "shop", "\u0130", "http://user@:0")

	c, err := New([]Rule{
		{Name: "brand", Channel: "Brand Search", Source: vals("google", "baidu"), CampaignRegex: "brand"},
		{Name: "moments", Channel: "微信朋友圈", Source: vals("wechat"), Campaign: vals("春节理财")},
		{Channel: "Salon", Group: "offline", InteractionRegex: "^salon"},
	})
	if err != nil {
		f.Fatal(err)
	}
	rules := map[string]RuleInfo{}
	for _, r := range c.Rules() {
		rules[r.Name] = r
	}

	f.Fuzz(func(t *testing.T, channel, source, medium, campaign, interaction, referrer string) {
		touch := Touch{Channel: channel, Source: source, Medium: medium, Campaign: campaign, Interaction: interaction, Referrer: referrer}
		got := c.Classify(touch)
		if again := c.Classify(touch); again != got {
			t.Fatalf("Classify(%+v) not deterministic: %+v then %+v", touch, got, again)
		}
		if got.Group != GroupOnline && got.Group != GroupOffline {
			t.Fatalf("Classify(%+v).Group = %q", touch, got.Group)
		}
		if got.Channel == "" {
			t.Fatalf("Classify(%+v).Channel is empty", touch)
		}
		info, ok := rules[got.Rule]
		if !ok {
			t.Fatalf("Classify(%+v).Rule = %q, not in Rules()", touch, got.Rule)
		}
		if got.Rule != RuleRowChannel && (info.Channel != got.Channel || info.Group != got.Group) {
			t.Fatalf("Classify(%+v) = %+v, but rule %q gives %q (%s)", touch, got, got.Rule, info.Channel, info.Group)
		}
		if got.Rule == RuleRowChannel && utf8.ValidString(channel) && got.Channel != trim(channel) {
			if _, known := c.byKey[channelKey(channel)]; !known {
				t.Fatalf("row channel %q came out as %q", channel, got.Channel)
			}
		}
		for _, s := range []string{source, referrer} {
			n := NormalizeSource(s)
			if NormalizeSource(n) != n {
				t.Fatalf("NormalizeSource(%q) = %q, not idempotent", s, n)
			}
		}
	})
}
