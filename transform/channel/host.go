package channel

import (
	"strings"
	"unicode"
)

// NormalizeSource returns the matching form of a source or referrer value:
// trimmed and lower-cased, and, when the value is a URL or a host name,
// reduced to the name of the site. It is a documented heuristic, not a
// public-suffix-list implementation:
//
//  1. A value with a scheme ("https://...", "//...") is a URL; other values
//     are host names only if they contain a dot, consist of letters, digits,
//     '-', '_' and '.' up to the first '/', '?' or '#', and end in an
//     alphabetic label (a TLD such as "com" or "中国"). Anything else, such as
//     "google", "(direct)", "e mail" or "v1.2", is returned just cleaned.
//  2. Scheme, user info, port, path, query and fragment are dropped.
//  3. A host (or one of its parent domains) listed in the alias table maps to
//     its source: "t.co" -> "twitter", "mp.weixin.qq.com" -> "weixin",
//     "v.qq.com" -> "tencentvideo", "mail.google.com" -> "email", ...
//  4. Otherwise the top-level label is dropped, then a generic second-level
//     label (com, co, net, org, gov, edu, ac, ...) if more labels remain, and
//     the last remaining label is the source. Subdomains such as "www.",
//     "m.", "l.", "lm." or "wap." go with it: "www.google.com.au" -> "google",
//     "m.baidu.com" -> "baidu", "l.facebook.com" -> "facebook",
//     "news.sina.com.cn" -> "sina", "m.sm.cn" -> "sm".
//  5. IPv4 addresses and single-label hosts ("http://localhost/") are
//     returned as they are.
//  6. "android-app://PACKAGE" referrers map known app packages to their
//     source ("com.tencent.mm" -> "weixin"); other packages reduce to their
//     second label ("com.example.app" -> "example").
//
// NormalizeSource is idempotent. Classify applies it to sources and
// referrers, and New to the source entries of rules; other packages can use
// it to group sources the same way ("www.baidu.com", "Baidu" and "baidu" are
// one source).
func NormalizeSource(s string) string {
	s = clean(s)
	if s == "" {
		return s
	}
	rest, isURL := s, false
	if i := strings.Index(s, "://"); i > 0 && validScheme(s[:i]) {
		scheme := s[:i]
		rest, isURL = s[i+3:], true
		if scheme == "android-app" {
			return androidApp(cutHost(rest), s)
		}
	} else if strings.HasPrefix(s, "//") {
		rest, isURL = s[2:], true
	}
	if !isURL && !strings.Contains(s, ".") {
		return s
	}
	host := strings.Trim(cutHost(rest), ".")
	if host == "" || !hostChars(host) {
		return s
	}
	if isIPv4(host) {
		return host
	}
	if !strings.Contains(host, ".") {
		// Only URLs get here: "http://localhost:8080/".
		return host
	}
	if !alphaLabel(host[strings.LastIndexByte(host, '.')+1:]) {
		if isURL {
			return host
		}
		return s
	}
	return reduceHost(host)
}

// cutHost returns the host part of a URL without its scheme: up to the
// first '/', '?' or '#', without user info and port.
func cutHost(rest string) string {
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		rest = rest[:i]
	}
	if i := strings.LastIndexByte(rest, '@'); i >= 0 {
		rest = rest[i+1:]
	}
	if i := strings.LastIndexByte(rest, ':'); i >= 0 && allDigits(rest[i+1:]) {
		rest = rest[:i]
	}
	return rest
}

// reduceHost applies the alias table and the label heuristic to a host with
// at least one dot and an alphabetic top-level label.
func reduceHost(host string) string {
	for h := host; ; {
		if a, ok := hostAliases[h]; ok {
			return a
		}
		i := strings.IndexByte(h, '.')
		if i < 0 {
			break
		}
		h = h[i+1:]
	}
	labels := strings.FieldsFunc(host, func(r rune) bool { return r == '.' })
	labels = labels[:len(labels)-1] // the top-level label
	if len(labels) >= 2 {
		if _, ok := genericSecondLevel[labels[len(labels)-1]]; ok {
			labels = labels[:len(labels)-1]
		}
	}
	return labels[len(labels)-1]
}

// androidApp maps the package of an android-app:// referrer to a source.
func androidApp(pkg, original string) string {
	if a, ok := appAliases[pkg]; ok {
		return a
	}
	labels := strings.FieldsFunc(pkg, func(r rune) bool { return r == '.' })
	switch {
	case len(labels) >= 2 && hostChars(pkg):
		return labels[1]
	case len(labels) == 1 && hostChars(pkg):
		return labels[0]
	}
	return original
}

// validScheme reports whether s is a URL scheme: a letter followed by
// letters, digits, '+', '-' or '.'.
func validScheme(s string) bool {
	for i, r := range s {
		switch {
		case r >= 'a' && r <= 'z':
		case i > 0 && (r >= '0' && r <= '9' || r == '+' || r == '-' || r == '.'):
		default:
			return false
		}
	}
	return s != ""
}

// hostChars reports whether s consists of letters, digits, '-', '_' and '.'.
func hostChars(s string) bool {
	for _, r := range s {
		if !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_' || r == '.') {
			return false
		}
	}
	return true
}

// alphaLabel reports whether a top-level label looks like a TLD: letters
// only (IDN TLDs such as "中国" included) or punycode ("xn--...").
func alphaLabel(s string) bool {
	if strings.HasPrefix(s, "xn--") && len(s) > 4 {
		return true
	}
	for _, r := range s {
		if !unicode.IsLetter(r) {
			return false
		}
	}
	return s != ""
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func isIPv4(s string) bool {
	parts := strings.Split(s, ".")
	if len(parts) != 4 {
		return false
	}
	for _, p := range parts {
		if !allDigits(p) || len(p) > 3 {
			return false
		}
	}
	return true
}

// genericSecondLevel are second-level labels of country domains that are not
// the site's name: "co" in bbc.co.uk, "com" in baidu.com.cn.
var genericSecondLevel = map[string]struct{}{
	"ac": {}, "co": {}, "com": {}, "edu": {}, "gen": {}, "go": {}, "gob": {},
	"gov": {}, "ltd": {}, "mil": {}, "ne": {}, "net": {}, "nom": {}, "or": {},
	"org": {}, "plc": {}, "sch": {},
}

// hostAliases maps hosts, and every host under them, to a source where the
// label heuristic would be wrong: link shorteners, sites that live under a
// parent company's domain, and web-mail hosts (source "email", so that a
// click in a web-mail client counts as Email).
var hostAliases = map[string]string{
	// link shorteners and short domains
	"t.co":     "twitter",
	"fb.me":    "facebook",
	"fb.com":   "facebook",
	"m.me":     "messenger",
	"ig.me":    "instagram",
	"wa.me":    "whatsapp",
	"t.me":     "telegram",
	"lnkd.in":  "linkedin",
	"pin.it":   "pinterest",
	"redd.it":  "reddit",
	"youtu.be": "youtube",
	"amzn.to":  "amazon",
	"a.co":     "amazon",
	"t.cn":     "weibo",
	"b23.tv":   "bilibili",
	"tb.cn":    "taobao",
	"3.cn":     "jd",
	// platforms under another domain
	"weixin.qq.com":       "weixin",
	"wx.qq.com":           "weixin",
	"v.qq.com":            "tencentvideo",
	"tieba.baidu.com":     "tieba",
	"haokan.baidu.com":    "haokan",
	"xhslink.com":         "xiaohongshu",
	"iesdouyin.com":       "douyin",
	"gifshow.com":         "kuaishou",
	"yangkeduo.com":       "pinduoduo",
	"vip.com":             "vipshop",
	"iq.com":              "iqiyi",
	"shopping.google.com": "google shopping",
	// web mail
	"mail.google.com":       "email",
	"mail.yahoo.com":        "email",
	"outlook.live.com":      "email",
	"outlook.office.com":    "email",
	"outlook.office365.com": "email",
	"mail.qq.com":           "email",
	"exmail.qq.com":         "email",
	"mail.163.com":          "email",
	"mail.126.com":          "email",
	"mail.139.com":          "email",
	"mail.sina.com.cn":      "email",
	"mail.aliyun.com":       "email",
}

// appAliases maps Android app packages (android-app:// referrers) to sources.
var appAliases = map[string]string{
	"com.google.android.gm":                   "email",
	"com.google.android.googlequicksearchbox": "google",
	"com.google.android.youtube":              "youtube",
	"com.facebook.katana":                     "facebook",
	"com.instagram.android":                   "instagram",
	"com.linkedin.android":                    "linkedin",
	"com.twitter.android":                     "twitter",
	"com.baidu.searchbox":                     "baidu",
	"com.tencent.mm":                          "weixin",
	"com.tencent.mobileqq":                    "qq",
	"com.sina.weibo":                          "weibo",
	"com.ss.android.ugc.aweme":                "douyin",
	"com.smile.gifmaker":                      "kuaishou",
	"com.xingin.xhs":                          "xiaohongshu",
	"tv.danmaku.bili":                         "bilibili",
	"com.zhihu.android":                       "zhihu",
	"com.ss.android.article.news":             "toutiao",
	"com.taobao.taobao":                       "taobao",
	"com.jingdong.app.mall":                   "jd",
	"com.xunmeng.pinduoduo":                   "pinduoduo",
}
