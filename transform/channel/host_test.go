package channel

import (
	"strings"
	"testing"
)

func TestNormalizeSource(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		// the examples of the contract
		{"www.google.com.au", "google"},
		{"m.baidu.com", "baidu"},
		{"l.facebook.com", "facebook"},
		{"https://www.bing.com/search?q=x", "bing"},
		{"lm.facebook.com", "facebook"},
		// plain names are only cleaned
		{"google", "google"},
		{"  Google  ", "google"},
		{"\uFEFFbaidu", "baidu"},
		{"(direct)", "(direct)"},
		{"e mail", "e mail"},
		{"google / cpc", "google / cpc"},
		{"微信", "微信"},
		{"B站", "b站"},
		{"", ""},
		{"   ", ""},
		// hosts and URLs
		{"Baidu.com", "baidu"},
		{"www.baidu.com/s?wd=理财", "baidu"},
		{"https://WWW.Google.co.uk/", "google"},
		{"http://user:pw@www.example.com:8080/path#frag", "example"},
		{"//cdn.example.net/x", "example"},
		{"news.sina.com.cn", "sina"},
		{"www.baidu.com.cn", "baidu"},
		{"sogou.com", "sogou"},
		{"wap.sogou.com", "sogou"},
		{"www.so.com", "so"},
		{"360.cn", "360"},
		{"m.sm.cn", "sm"},
		{"yz.m.sm.cn", "sm"},
		{"www.douyin.com", "douyin"},
		{"www.xiaohongshu.com", "xiaohongshu"},
		{"www.bilibili.com", "bilibili"},
		{"zhuanlan.zhihu.com", "zhihu"},
		{"m.toutiao.com", "toutiao"},
		{"weibo.cn", "weibo"},
		{"item.jd.com", "jd"},
		{"detail.tmall.com", "tmall"},
		{"example.中国", "example"},
		{"百度.中国", "百度"},
		{"shop.example.xn--fiqs8s", "example"},
		{"google.com.", "google"},
		// aliases
		{"t.co", "twitter"},
		{"https://t.co/abc", "twitter"},
		{"youtu.be", "youtube"},
		{"mp.weixin.qq.com", "weixin"},
		{"https://mp.weixin.qq.com/s/abc", "weixin"},
		{"v.qq.com", "tencentvideo"},
		{"www.qq.com", "qq"},
		{"mail.qq.com", "email"},
		{"https://mail.google.com/mail/u/0/", "email"},
		{"tieba.baidu.com", "tieba"},
		{"t.cn", "weibo"},
		{"b23.tv", "bilibili"},
		{"xhslink.com", "xiaohongshu"},
		{"mobile.yangkeduo.com", "pinduoduo"},
		{"vip.com", "vipshop"},
		// android app referrers
		{"android-app://com.tencent.mm", "weixin"},
		{"android-app://com.google.android.gm/", "email"},
		{"android-app://com.example.bank", "example"},
		// not hosts
		{"v1.2", "v1.2"},
		{"spring.2024", "spring.2024"},
		{"a b.com", "a b.com"},
		{"/path.html", "/path.html"},
		{"https://", "https://"},
		{"192.168.0.1", "192.168.0.1"},
		{"http://192.168.0.1:8080/x", "192.168.0.1"},
		{"http://localhost:8080/", "localhost"},
		{"https://foo.123/", "foo.123"},
	}
	for _, tt := range tests {
		got := NormalizeSource(tt.in)
		if got != tt.want {
			t.Errorf("NormalizeSource(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if again := NormalizeSource(got); again != got {
			t.Errorf("NormalizeSource(%q) = %q, not idempotent (from %q)", got, again, tt.in)
		}
	}
}

func TestHostTables(t *testing.T) {
	t.Parallel()
	for host, src := range hostAliases {
		if !strings.Contains(host, ".") || host != clean(host) {
			t.Errorf("alias key %q must be a lower-case host with a dot", host)
		}
		if NormalizeSource(src) != src {
			t.Errorf("alias %q -> %q: the source is not in normal form", host, src)
		}
		if NormalizeSource(host) != src {
			t.Errorf("NormalizeSource(%q) = %q, want the alias %q", host, NormalizeSource(host), src)
		}
	}
	for pkg, src := range appAliases {
		if got := NormalizeSource("android-app://" + pkg); got != src {
			t.Errorf("NormalizeSource(android-app://%s) = %q, want %q", pkg, got, src)
		}
	}
}

func TestSourceCategories(t *testing.T) {
	t.Parallel()
	seen := map[string]string{}
	for _, cat := range SourceCategoryNames() {
		for _, m := range SourceCategory(cat) {
			if NormalizeSource(m) != m {
				t.Errorf("category %s: %q is not in normal form (%q)", cat, m, NormalizeSource(m))
			}
			if prev, dup := seen[m]; dup {
				t.Errorf("%q is in categories %s and %s", m, prev, cat)
			}
			seen[m] = cat
		}
	}
	if got := SourceCategory("nope"); got != nil {
		t.Errorf("SourceCategory(nope) = %q, want nil", got)
	}
	s := SourceCategory("Search")
	s[0] = "changed"
	if SourceCategory("search")[0] == "changed" {
		t.Error("SourceCategory returns shared memory")
	}
}
