package channel

import (
	"sync"
	"testing"
)

// defaultClassifier is New(nil), built once for the tests.
var defaultClassifier = sync.OnceValue(func() *Classifier {
	c, err := New(nil)
	if err != nil {
		panic(err)
	}
	return c
})

type classifyCase struct {
	name  string
	touch Touch
	want  string // channel
	group string // default: online
	rule  string // optional: expected rule name
}

// defaultCases cover every default rule (TestEveryDefaultRuleCovered checks
// that), each GA4 channel, each offline channel and each Chinese platform.
var defaultCases = []classifyCase{
	// Offline channels, by interaction.
	{name: "branch visit", touch: Touch{Interaction: "branch_visit"}, want: "Branch", group: "offline", rule: "Branch (interaction)"},
	{name: "branch visit beats paid search", touch: Touch{Interaction: "Branch_Visit", Source: "google", Medium: "cpc"}, want: "Branch", group: "offline"},
	{name: "call", touch: Touch{Interaction: "call"}, want: "Call Centre", group: "offline", rule: "Call Centre (interaction)"},
	{name: "call centre", touch: Touch{Interaction: "call_centre"}, want: "Call Centre", group: "offline"},
	{name: "event attend", touch: Touch{Interaction: "event_attend"}, want: "Events", group: "offline", rule: "Events (interaction)"},
	{name: "roadshow", touch: Touch{Interaction: "roadshow", Campaign: "春季路演"}, want: "Events", group: "offline"},
	{name: "mail drop", touch: Touch{Interaction: "mail_drop"}, want: "Direct Mail", group: "offline", rule: "Direct Mail (interaction)"},
	{name: "direct mail interaction", touch: Touch{Interaction: "direct_mail"}, want: "Direct Mail", group: "offline"},
	{name: "tv interaction", touch: Touch{Interaction: "TV"}, want: "TV", group: "offline", rule: "TV (interaction)"},
	{name: "outdoor interaction", touch: Touch{Interaction: "outdoor"}, want: "Outdoor", group: "offline", rule: "Outdoor (interaction)"},
	{name: "ooh interaction", touch: Touch{Interaction: "ooh"}, want: "Outdoor", group: "offline"},
	{name: "chinese branch interaction", touch: Touch{Interaction: "网点"}, want: "Branch", group: "offline"},

	// Online channels, by interaction.
	{name: "email open", touch: Touch{Interaction: "email_open", Source: "crm"}, want: "Email", rule: "Email (interaction)"},
	{name: "sms click", touch: Touch{Interaction: "sms_click"}, want: "SMS", rule: "SMS (interaction)"},
	{name: "push open", touch: Touch{Interaction: "push_open"}, want: "Mobile Push Notifications", rule: "Mobile Push Notifications (interaction)"},

	// Offline channels, by medium.
	{name: "medium branch", touch: Touch{Medium: "branch", Interaction: "visit"}, want: "Branch", group: "offline", rule: "Branch (medium)"},
	{name: "medium call centre", touch: Touch{Medium: "call_centre", Interaction: "impression"}, want: "Call Centre", group: "offline", rule: "Call Centre (medium)"},
	{name: "medium events", touch: Touch{Medium: "events"}, want: "Events", group: "offline", rule: "Events (medium)"},
	{name: "web analytics event is not offline", touch: Touch{Interaction: "event", Source: "(direct)", Medium: "(none)"}, want: "Direct"},
	{name: "medium direct mail", touch: Touch{Medium: "direct_mail", Source: "postal_partner"}, want: "Direct Mail", group: "offline", rule: "Direct Mail (medium)"},
	{name: "medium tv", touch: Touch{Medium: "tv", Source: "cctv"}, want: "TV", group: "offline", rule: "TV (medium)"},
	{name: "medium ooh", touch: Touch{Medium: "OOH", Source: "focus media"}, want: "Outdoor", group: "offline", rule: "Outdoor (medium)"},
	{name: "medium 户外", touch: Touch{Medium: "户外"}, want: "Outdoor", group: "offline"},

	// GA4 default channel group.
	{name: "direct", touch: Touch{Source: "(direct)", Medium: "(none)"}, want: "Direct", rule: "GA4 Direct"},
	{name: "direct not set", touch: Touch{Source: "(direct)", Medium: "(not set)"}, want: "Direct"},
	{name: "direct plain", touch: Touch{Source: "Direct"}, want: "Direct"},
	{name: "cross-network", touch: Touch{Source: "google", Medium: "cpc", Campaign: "Cross-network PMax"}, want: "Cross-network", rule: "GA4 Cross-network"},
	{name: "paid shopping source", touch: Touch{Source: "taobao", Medium: "cpc"}, want: "Paid Shopping", rule: "GA4 Paid Shopping (shopping source)"},
	{name: "paid shopping campaign", touch: Touch{Source: "google", Medium: "cpc", Campaign: "spring_shop"}, want: "Paid Shopping", rule: "GA4 Paid Shopping (shopping campaign)"},
	{name: "paid search google", touch: Touch{Source: "google", Medium: "cpc"}, want: "Paid Search", rule: "GA4 Paid Search"},
	{name: "paid search baidu ocpc", touch: Touch{Source: "www.baidu.com", Medium: "oCPC"}, want: "Paid Search"},
	{name: "paid search baidu sem", touch: Touch{Source: "Baidu", Medium: "SEM"}, want: "Paid Search"},
	{name: "paid search 百度推广 竞价", touch: Touch{Source: "百度推广", Medium: "竞价"}, want: "Paid Search"},
	{name: "paid social facebook", touch: Touch{Source: "facebook", Medium: "paid_social"}, want: "Paid Social", rule: "GA4 Paid Social"},
	{name: "paid social wechat cpm", touch: Touch{Source: "wechat", Medium: "cpm"}, want: "Paid Social"},
	{name: "paid social douyin feed", touch: Touch{Source: "巨量引擎", Medium: "信息流"}, want: "Paid Social"},
	{name: "paid video youtube", touch: Touch{Source: "youtube", Medium: "cpv"}, want: "Paid Video", rule: "GA4 Paid Video"},
	{name: "display", touch: Touch{Source: "dsp", Medium: "display"}, want: "Display", rule: "GA4 Display"},
	{name: "display cpm unknown source", touch: Touch{Source: "adnetwork", Medium: "banner"}, want: "Display"},
	{name: "paid other", touch: Touch{Source: "partner", Medium: "cpc"}, want: "Paid Other", rule: "GA4 Paid Other"},
	{name: "paid other retargeting", touch: Touch{Source: "criteo", Medium: "retargeting"}, want: "Paid Other"},
	{name: "organic shopping source", touch: Touch{Source: "jd.com", Medium: "referral"}, want: "Organic Shopping", rule: "GA4 Organic Shopping (source)"},
	{name: "organic shopping campaign", touch: Touch{Source: "newsletter_partner", Campaign: "Shopping Week"}, want: "Organic Shopping", rule: "GA4 Organic Shopping (campaign)"},
	{name: "organic social source", touch: Touch{Referrer: "https://l.facebook.com/l.php?u=x"}, want: "Organic Social", rule: "GA4 Organic Social (source)"},
	{name: "organic social medium", touch: Touch{Source: "forum", Medium: "social"}, want: "Organic Social", rule: "GA4 Organic Social (medium)"},
	{name: "organic video source", touch: Touch{Source: "youtube", Medium: "referral"}, want: "Organic Video", rule: "GA4 Organic Video (source)"},
	{name: "organic video medium", touch: Touch{Source: "partner", Medium: "video_embed"}, want: "Organic Video", rule: "GA4 Organic Video (medium)"},
	{name: "organic search source", touch: Touch{Referrer: "https://www.bing.com/search?q=x"}, want: "Organic Search", rule: "GA4 Organic Search (source)"},
	{name: "organic search google.com.au", touch: Touch{Source: "www.google.com.au", Medium: "organic"}, want: "Organic Search"},
	{name: "organic search medium", touch: Touch{Source: "someengine", Medium: "organic"}, want: "Organic Search", rule: "GA4 Organic Search (medium)"},
	{name: "referral", touch: Touch{Referrer: "https://www.example.org/page"}, want: "Referral", rule: "GA4 Referral"},
	{name: "referral app medium", touch: Touch{Source: "partnerapp", Medium: "app"}, want: "Referral"},
	{name: "email source", touch: Touch{Source: "E-Mail"}, want: "Email", rule: "GA4 Email (source)"},
	{name: "email medium", touch: Touch{Source: "newsletter", Medium: "email"}, want: "Email", rule: "GA4 Email (medium)"},
	{name: "email edm", touch: Touch{Source: "crm", Medium: "EDM"}, want: "Email"},
	{name: "email webmail referrer", touch: Touch{Referrer: "https://mail.qq.com/cgi-bin/frame_html"}, want: "Email"},
	{name: "affiliates", touch: Touch{Source: "partner", Medium: "affiliate"}, want: "Affiliates", rule: "GA4 Affiliates"},
	{name: "audio", touch: Touch{Source: "spotify", Medium: "audio"}, want: "Audio", rule: "GA4 Audio"},
	{name: "sms source", touch: Touch{Source: "sms"}, want: "SMS", rule: "GA4 SMS (source)"},
	{name: "sms medium", touch: Touch{Source: "operator", Medium: "短信"}, want: "SMS", rule: "GA4 SMS (medium)"},
	{name: "push medium", touch: Touch{Source: "app", Medium: "web-push"}, want: "Mobile Push Notifications", rule: "GA4 Mobile Push Notifications (medium)"},
	{name: "push medium notification", touch: Touch{Source: "jpush", Medium: "app_notification"}, want: "Mobile Push Notifications"},
	{name: "push source", touch: Touch{Source: "firebase"}, want: "Mobile Push Notifications", rule: "GA4 Mobile Push Notifications (source)"},

	// App installs.
	{name: "app install alone", touch: Touch{Interaction: "app_install"}, want: "Mobile App", rule: "Mobile App (install)"},
	{name: "app install from paid search", touch: Touch{Interaction: "app_install", Source: "google", Medium: "cpc"}, want: "Paid Search"},
	{name: "app install medium app", touch: Touch{Interaction: "app_install", Source: "partner", Medium: "app"}, want: "Referral"},

	// Unassigned.
	{name: "empty touch", touch: Touch{}, want: "Unassigned", rule: RuleUnassigned},
	{name: "visit without source", touch: Touch{Interaction: "visit"}, want: "Unassigned"},
	{name: "unknown source and medium", touch: Touch{Source: "foo", Medium: "bar"}, want: "Unassigned"},

	// Explicit channel on the row.
	{name: "row channel canonical", touch: Touch{Channel: "paid search", Source: "facebook", Medium: "cpc"}, want: "Paid Search", rule: RuleRowChannel},
	{name: "row channel separators", touch: Touch{Channel: "PAID_SEARCH"}, want: "Paid Search"},
	{name: "row channel bom and spaces", touch: Touch{Channel: "\uFEFF Email "}, want: "Email"},
	{name: "row channel offline known", touch: Touch{Channel: "call centre", Source: "google", Medium: "cpc"}, want: "Call Centre", group: "offline"},
	{name: "row channel beats offline interaction", touch: Touch{Channel: "Paid Social", Interaction: "branch_visit"}, want: "Paid Social"},
	{name: "row channel unknown online", touch: Touch{Channel: "Partner Portal"}, want: "Partner Portal"},
	{name: "row channel unknown offline name", touch: Touch{Channel: "Call Center"}, want: "Call Center", group: "offline"},
	{name: "row channel chinese offline name", touch: Touch{Channel: "网点"}, want: "网点", group: "offline"},
	{name: "row channel chinese online name", touch: Touch{Channel: "微信朋友圈"}, want: "微信朋友圈"},
	{name: "row channel not set falls through", touch: Touch{Channel: "(not set)", Source: "google", Medium: "cpc"}, want: "Paid Search"},
	{name: "row channel blank falls through", touch: Touch{Channel: "  ", Source: "google", Medium: "cpc"}, want: "Paid Search"},

	// Normalisation.
	{name: "values trimmed and lower-cased", touch: Touch{Source: "  GOOGLE ", Medium: " CPC\t"}, want: "Paid Search"},
	{name: "source beats referrer", touch: Touch{Source: "newsletter", Medium: "email", Referrer: "https://www.google.com/"}, want: "Email"},
	{name: "referrer keeps given medium", touch: Touch{Medium: "cpc", Referrer: "https://www.baidu.com/s?wd=x"}, want: "Paid Search"},
}

// chinesePlatforms lists each major Chinese platform with a few spellings
// and the GA4 category it belongs to.
var chinesePlatforms = []struct {
	sources  []string
	organic  string
	paid     string
	referrer string
}{
	{[]string{"baidu", "Baidu", "百度", "m.baidu.com"}, "Organic Search", "Paid Search", "https://m.baidu.com/s?word=x"},
	{[]string{"sogou", "搜狗", "wap.sogou.com"}, "Organic Search", "Paid Search", "https://www.sogou.com/web?query=x"},
	{[]string{"360", "so.com", "360搜索", "www.so.com"}, "Organic Search", "Paid Search", "https://www.so.com/s?q=x"},
	{[]string{"shenma", "sm.cn", "神马"}, "Organic Search", "Paid Search", "https://m.sm.cn/s?q=x"},
	{[]string{"wechat", "weixin", "WeChat", "微信"}, "Organic Social", "Paid Social", "https://mp.weixin.qq.com/s/abc"},
	{[]string{"weibo", "微博", "weibo.com"}, "Organic Social", "Paid Social", "https://t.cn/abc"},
	{[]string{"douyin", "抖音", "douyin.com"}, "Organic Social", "Paid Social", "https://www.douyin.com/video/1"},
	{[]string{"kuaishou", "快手"}, "Organic Social", "Paid Social", "https://www.kuaishou.com/short-video/1"},
	{[]string{"xiaohongshu", "xhs", "red", "小红书"}, "Organic Social", "Paid Social", "https://www.xiaohongshu.com/explore/1"},
	{[]string{"bilibili", "B站", "哔哩哔哩"}, "Organic Video", "Paid Video", "https://b23.tv/abc"},
	{[]string{"zhihu", "知乎"}, "Organic Social", "Paid Social", "https://zhuanlan.zhihu.com/p/1"},
	{[]string{"toutiao", "今日头条"}, "Organic Social", "Paid Social", "https://m.toutiao.com/a1"},
	{[]string{"taobao", "淘宝"}, "Organic Shopping", "Paid Shopping", "https://item.taobao.com/item.htm?id=1"},
	{[]string{"tmall", "天猫"}, "Organic Shopping", "Paid Shopping", "https://detail.tmall.com/item.htm"},
	{[]string{"jd", "京东"}, "Organic Shopping", "Paid Shopping", "https://item.jd.com/1.html"},
	{[]string{"pinduoduo", "拼多多"}, "Organic Shopping", "Paid Shopping", "https://mobile.yangkeduo.com/goods.html"},
}

func check(t *testing.T, c *Classifier, tc classifyCase) Result {
	t.Helper()
	got := c.Classify(tc.touch)
	group := tc.group
	if group == "" {
		group = GroupOnline
	}
	if got.Channel != tc.want || got.Group != group || (tc.rule != "" && got.Rule != tc.rule) {
		t.Errorf("%s: Classify(%+v) = %+v, want channel %q group %q rule %q", tc.name, tc.touch, got, tc.want, group, tc.rule)
	}
	return got
}

func TestClassifyDefaults(t *testing.T) {
	t.Parallel()
	c := defaultClassifier()
	for _, tc := range defaultCases {
		check(t, c, tc)
	}
}

func TestClassifyChinesePlatforms(t *testing.T) {
	t.Parallel()
	c := defaultClassifier()
	for _, p := range chinesePlatforms {
		for _, s := range p.sources {
			check(t, c, classifyCase{name: s + " organic", touch: Touch{Source: s}, want: p.organic})
			check(t, c, classifyCase{name: s + " cpc", touch: Touch{Source: s, Medium: "cpc"}, want: p.paid})
		}
		check(t, c, classifyCase{name: p.referrer, touch: Touch{Referrer: p.referrer}, want: p.organic})
	}
}

// TestEveryDefaultRuleCovered makes sure defaultCases exercise every
// default rule, so a new default cannot go untested.
func TestEveryDefaultRuleCovered(t *testing.T) {
	t.Parallel()
	c := defaultClassifier()
	hit := map[string]bool{}
	for _, tc := range defaultCases {
		hit[c.Classify(tc.touch).Rule] = true
	}
	for _, r := range c.Rules() {
		if !hit[r.Name] {
			t.Errorf("no test case reaches rule %q", r.Name)
		}
	}
}

func TestGA4Order(t *testing.T) {
	t.Parallel()
	want := []string{"Direct", "Cross-network", "Paid Shopping", "Paid Search", "Paid Social", "Paid Video",
		"Display", "Paid Other", "Organic Shopping", "Organic Social", "Organic Video", "Organic Search",
		"Referral", "Email", "Affiliates", "Audio", "SMS", "Mobile Push Notifications"}
	var got []string
	for _, r := range defaultClassifier().Rules() {
		if len(r.Name) > 4 && r.Name[:4] == "GA4 " && (len(got) == 0 || got[len(got)-1] != r.Channel) {
			got = append(got, r.Channel)
		}
	}
	if len(got) != len(want) {
		t.Fatalf("GA4 channels in order = %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("GA4 channels in order = %q, want %q", got, want)
		}
	}
}

func TestRulesList(t *testing.T) {
	t.Parallel()
	c, err := New([]Rule{{Name: "brand", Channel: "Brand Search", CampaignRegex: "brand"}})
	if err != nil {
		t.Fatal(err)
	}
	rules := c.Rules()
	if rules[0].Name != RuleRowChannel || rules[0].Origin != OriginBuiltin {
		t.Errorf("first entry = %+v, want the row-channel entry", rules[0])
	}
	if rules[1].Name != "brand" || rules[1].Origin != OriginUser || rules[1].Channel != "Brand Search" || rules[1].Group != GroupOnline {
		t.Errorf("second entry = %+v, want the user rule", rules[1])
	}
	last := rules[len(rules)-1]
	if last.Name != RuleUnassigned || last.Channel != ChannelUnassigned || last.Group != GroupOnline {
		t.Errorf("last entry = %+v, want unassigned", last)
	}
	if len(rules) != len(DefaultRules())+3 {
		t.Errorf("len(Rules()) = %d, want %d", len(rules), len(DefaultRules())+3)
	}
	rules[1].Name = "changed"
	rules[1].Conditions[0] = "changed"
	again := c.Rules()
	if again[1].Name != "brand" || again[1].Conditions[0] == "changed" {
		t.Error("Rules() shares memory with the classifier")
	}
	if s := again[1].String(); s != "brand [user]: campaign matches /brand/ -> Brand Search (online)" {
		t.Errorf("String() = %q", s)
	}
}

func TestDefaultRulesFreshCopy(t *testing.T) {
	t.Parallel()
	a := DefaultRules()
	a[0].Interaction[0] = "changed"
	a[0].Channel = "changed"
	b := DefaultRules()
	if b[0].Interaction[0] == "changed" || b[0].Channel == "changed" {
		t.Error("DefaultRules() returns shared memory")
	}
}

func TestClassifyConcurrent(t *testing.T) {
	t.Parallel()
	c := defaultClassifier()
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for _, tc := range defaultCases {
				_ = c.Classify(tc.touch)
			}
		})
	}
	wg.Wait()
}

func BenchmarkClassify(b *testing.B) {
	c := defaultClassifier()
	touches := make([]Touch, len(defaultCases))
	for i, tc := range defaultCases {
		touches[i] = tc.touch
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		c.Classify(touches[i%len(touches)])
	}
}
