package channel_test

import (
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"

	"attrib/transform/channel"
)

func Example() {
	// The config package decodes the `channels:` list like this.
	const config = `
- name: brand search
  channel: Brand Search
  source: [google, baidu]
  medium: [cpc, ppc]
  campaign_regex: brand
- name: moments
  channel: 微信朋友圈
  source: wechat
  campaign: [春节理财]
`
	dec := yaml.NewDecoder(strings.NewReader(config))
	dec.KnownFields(true)
	var rules []channel.Rule
	if err := dec.Decode(&rules); err != nil {
		panic(err)
	}
	c, err := channel.New(rules)
	if err != nil {
		panic(err)
	}
	for _, t := range []channel.Touch{
		{Source: "www.baidu.com", Medium: "CPC", Campaign: "Brand_Q1"},
		{Source: "www.baidu.com", Medium: "CPC", Campaign: "mortgage"},
		{Source: "WeChat", Medium: "cpc", Campaign: "春节理财"},
		{Referrer: "https://m.so.com/s?q=x"},
		{Interaction: "branch_visit"},
		{Channel: "call_centre"},
		{},
	} {
		r := c.Classify(t)
		fmt.Printf("%s (%s) by %q\n", r.Channel, r.Group, r.Rule)
	}
	// Output:
	// Brand Search (online) by "brand search"
	// Paid Search (online) by "GA4 Paid Search"
	// 微信朋友圈 (online) by "moments"
	// Organic Search (online) by "GA4 Organic Search (source)"
	// Branch (offline) by "Branch (interaction)"
	// Call Centre (offline) by "row channel"
	// Unassigned (online) by "unassigned"
}
