package channel

import (
	"maps"
	"slices"
)

// Source categories used by the default rules and by `source_category` in
// user rules. GA4 keeps its lists internal; these are compiled by hand from
// the major western platforms and the major Chinese ones (Baidu, Sogou, 360
// Search, Shenma, WeChat, Weibo, Douyin, Kuaishou, Xiaohongshu, Bilibili,
// Zhihu, Toutiao, Taobao, Tmall, JD, Pinduoduo, ...), including their
// Chinese names and the names their ad platforms go by.
//
// Entries are sources after [NormalizeSource]: a referrer or source such as
// "https://m.baidu.com/s?wd=x" matches "baidu". A source belongs to at most
// one category. Short-video and feed platforms (TikTok, Douyin, Kuaishou,
// Toutiao) are social, as GA4 files TikTok; long-form video platforms
// (YouTube, Bilibili, iQiyi, Youku, Tencent Video) are video.
var sourceCategories = map[string][]string{
	"search": {
		// western and international
		"google", "google ads", "googleads", "adwords", "bing", "microsoft ads", "msn",
		"yahoo", "duckduckgo", "ecosia", "yandex", "naver", "daum", "seznam",
		"ask", "aol", "brave", "qwant", "startpage",
		// Chinese
		"baidu", "百度", "baidu sem", "百度推广", "百度竞价",
		"sogou", "搜狗",
		"so", "360", "haosou", "360搜索",
		"sm", "shenma", "神马", "神马搜索",
		"quark", "夸克", "youdao", "必应", "谷歌",
	},
	"social": {
		// western and international
		"facebook", "fb", "meta", "meta ads", "instagram", "ig", "messenger",
		"twitter", "x", "linkedin", "pinterest", "reddit", "tiktok", "snapchat",
		"tumblr", "quora", "whatsapp", "telegram", "line", "kakaotalk", "kakao",
		"vk", "discord", "threads", "mastodon", "nextdoor", "meetup",
		// Chinese
		"wechat", "weixin", "微信", "朋友圈", "视频号", "公众号",
		"tencent ads", "腾讯广告", "gdt", "广点通",
		"qq", "qzone", "weibo", "微博",
		"douyin", "抖音", "oceanengine", "巨量引擎",
		"kuaishou", "快手", "kwai", "磁力引擎",
		"xiaohongshu", "xhs", "red", "小红书",
		"zhihu", "知乎", "toutiao", "今日头条", "头条",
		"douban", "豆瓣", "tieba", "贴吧", "xueqiu", "雪球", "maimai", "脉脉",
	},
	"shopping": {
		// western and international
		"amazon", "ebay", "etsy", "walmart", "shopify", "google shopping", "igshopping",
		"alibaba", "aliexpress", "rakuten", "shopee", "lazada", "mercadolibre",
		// Chinese
		"taobao", "淘宝", "tmall", "天猫", "jd", "jingdong", "京东",
		"pinduoduo", "pdd", "拼多多", "vipshop", "唯品会", "suning", "苏宁",
		"dangdang", "当当", "1688", "xianyu", "闲鱼", "dewu", "得物",
	},
	"video": {
		// western and international
		"youtube", "vimeo", "twitch", "dailymotion", "wistia", "netflix", "hulu",
		// Chinese
		"bilibili", "哔哩哔哩", "b站", "iqiyi", "爱奇艺", "youku", "优酷",
		"tencentvideo", "腾讯视频", "ixigua", "西瓜视频", "haokan", "好看视频",
		"mgtv", "芒果tv", "acfun", "huya", "虎牙", "douyu", "斗鱼",
	},
}

// SourceCategoryNames returns the names of the source categories, sorted.
func SourceCategoryNames() []string {
	return slices.Sorted(maps.Keys(sourceCategories))
}

// SourceCategory returns a copy of the members of a source category
// ("search", "social", "shopping" or "video"), or nil if there is no such
// category.
func SourceCategory(name string) []string {
	return slices.Clone(sourceCategories[clean(name)])
}
