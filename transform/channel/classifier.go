package channel

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Touch holds the attributes of a touchpoint (or a spend row) that decide its
// channel. Values are used as they come from the warehouse; Classify
// normalises them.
type Touch struct {
	Channel     string // explicit channel on the row; wins when not empty
	Source      string // utm_source or equivalent; a host or URL is reduced
	Medium      string
	Campaign    string
	Interaction string // impression, click, visit, call, branch_visit, email_open, ...
	Referrer    string // used as the source when Source is empty
}

// Result is the classification of one Touch.
type Result struct {
	// Channel is the channel name, as spelled in the rule (or on the row).
	Channel string
	// Group is GroupOnline or GroupOffline.
	Group string
	// Rule is the name of the entry of Classifier.Rules that decided:
	// RuleRowChannel, RuleUnassigned, a default rule's name, or a user
	// rule's name ("rule N" when it has none).
	Rule string
}

// Classifier classifies touches with a fixed, compiled rule set. It is
// immutable and safe for concurrent use.
type Classifier struct {
	rules      []compiledRule
	infos      []RuleInfo
	exact      map[string]channelInfo // by canonical spelling (fast path)
	byKey      map[string]channelInfo // by channelKey
	unassigned Result
}

// channelInfo is the canonical spelling and the group of a known channel.
type channelInfo struct {
	name, group string
}

// ruleSpec is a rule under validation.
type ruleSpec struct {
	name, channel, group, origin, label string
	conds                               []cond
	descs                               []string
}

// New validates and compiles userRules followed by [DefaultRules]. User
// rules are evaluated before the defaults, in the order given.
//
// It reports every problem at once (joined with [errors.Join]), each naming
// its rule by origin, position and name: a missing channel, the reserved
// channel "(unattributed)", an invalid group, a rule without any condition,
// an invalid regex, an unknown source_category, a duplicate rule name
// (case-insensitive, also against the default and built-in names), and one
// channel spelled or grouped differently in two rules.
func New(userRules []Rule) (*Classifier, error) {
	nUser := len(userRules)
	specs, errs := compileRules(userRules, OriginUser, nil)
	specs, defaultErrs := compileRules(DefaultRules(), OriginDefault, specs)
	errs = append(errs, defaultErrs...)
	errs = append(errs, checkNames(specs, nUser)...)
	decls, declErrs := declareChannels(specs, nUser)
	errs = append(errs, declErrs...)
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}

	c := &Classifier{
		rules: make([]compiledRule, 0, len(specs)),
		infos: make([]RuleInfo, 0, len(specs)+2),
		exact: make(map[string]channelInfo, len(decls)),
		byKey: make(map[string]channelInfo, len(decls)),
	}
	for key, d := range decls {
		ci := channelInfo{name: d.name, group: d.group}
		c.exact[d.name] = ci
		c.byKey[key] = ci
	}
	c.infos = append(c.infos, RuleInfo{
		Name:       RuleRowChannel,
		Origin:     OriginBuiltin,
		Conditions: []string{"the row has a channel (its group: the rule set's group for a known channel, else offline for well-known offline names, else online)"},
	})
	for _, s := range specs {
		group := decls[channelKey(s.channel)].group
		c.rules = append(c.rules, compiledRule{conds: s.conds, result: Result{Channel: s.channel, Group: group, Rule: s.name}})
		c.infos = append(c.infos, RuleInfo{Name: s.name, Channel: s.channel, Group: group, Origin: s.origin, Conditions: s.descs})
	}
	c.unassigned = Result{Channel: ChannelUnassigned, Group: GroupOnline, Rule: RuleUnassigned}
	c.infos = append(c.infos, RuleInfo{
		Name:       RuleUnassigned,
		Channel:    ChannelUnassigned,
		Group:      GroupOnline,
		Origin:     OriginBuiltin,
		Conditions: []string{"no rule above matched"},
	})
	return c, nil
}

// compileRules validates and compiles rules of one origin, appends them to
// specs and reports their problems.
func compileRules(rules []Rule, origin string, specs []ruleSpec) ([]ruleSpec, []error) {
	var errs []error
	for i := range rules {
		r := &rules[i]
		s := ruleSpec{name: trim(r.Name), channel: trim(r.Channel), origin: origin}
		if s.name == "" {
			s.name = fmt.Sprintf("rule %d", i+1)
		}
		s.label = fmt.Sprintf("%s channel rule %d (%q)", origin, i+1, s.name)
		fail := func(err error) { errs = append(errs, fmt.Errorf("%s: %w", s.label, err)) }
		switch {
		case s.channel == "":
			fail(errors.New("channel is required"))
		case channelKey(s.channel) == channelKey(reservedChannel):
			fail(fmt.Errorf("channel %q is reserved for conversions without a touch", reservedChannel))
		}
		g, err := parseGroup(r.Group)
		if err != nil {
			fail(err)
		}
		s.group = g
		var cerrs []error
		s.conds, s.descs, cerrs = compileConditions(r)
		for _, e := range cerrs {
			fail(e)
		}
		specs = append(specs, s)
	}
	return specs, errs
}

// checkNames reports duplicate rule names (case-insensitive): names identify
// rules in Result.Rule. The first nUser specs are the user's; the built-in
// and default names are registered first, so that a clash is reported on
// the user's rule.
func checkNames(specs []ruleSpec, nUser int) []error {
	var errs []error
	names := map[string]string{
		clean(RuleRowChannel): "the built-in row-channel rule",
		clean(RuleUnassigned): "the built-in unassigned rule",
	}
	for _, s := range slices.Concat(specs[nUser:], specs[:nUser]) {
		k := clean(s.name)
		if prev, dup := names[k]; dup {
			errs = append(errs, fmt.Errorf("%s: name %q is already used by %s", s.label, s.name, prev))
			continue
		}
		names[k] = s.label
	}
	return errs
}

// channelDecl is what the rules say about one channel.
type channelDecl struct {
	name, group, by, groupBy string
}

// declareChannels collects the channels of the rules by channelKey and
// checks that each has one spelling and one group. Built-in and default
// channels are declared first: their spelling is canonical and a clash is
// reported on the user's rule. A channel no rule gives a group gets
// inferredGroup.
func declareChannels(specs []ruleSpec, nUser int) (map[string]*channelDecl, []error) {
	var errs []error
	decls := make(map[string]*channelDecl)
	declare := func(channel, group, label string) {
		if channel == "" {
			return
		}
		key := channelKey(channel)
		d, ok := decls[key]
		if !ok {
			decls[key] = &channelDecl{name: channel, group: group, by: label, groupBy: label}
			return
		}
		if d.name != channel {
			errs = append(errs, fmt.Errorf("%s: channel %q is spelled %q in %s; channel names are compared case-insensitively, spell them the same", label, channel, d.name, d.by))
		}
		switch {
		case group == "":
		case d.group == "":
			d.group, d.groupBy = group, label
		case d.group != group:
			errs = append(errs, fmt.Errorf("%s: channel %q has group %s here but %s in %s", label, channel, group, d.group, d.groupBy))
		}
	}
	declare(ChannelUnassigned, GroupOnline, "the built-in unassigned rule")
	for _, s := range slices.Concat(specs[nUser:], specs[:nUser]) {
		declare(s.channel, s.group, s.label)
	}
	for key, d := range decls {
		if d.group == "" {
			d.group = inferredGroup(key)
		}
	}
	return decls, errs
}

// Classify returns the channel of t: the row's own channel if it has one,
// else the channel of the first matching rule, else Unassigned.
func (c *Classifier) Classify(t Touch) Result {
	if t.Channel != "" {
		if r, ok := c.rowChannel(t.Channel); ok {
			return r
		}
	}
	n := normalize(t)
	for i := range c.rules {
		if c.rules[i].match(&n) {
			return c.rules[i].result
		}
	}
	return c.unassigned
}

// rowChannel resolves an explicit channel; ok is false for placeholders.
func (c *Classifier) rowChannel(raw string) (Result, bool) {
	name := trim(raw)
	if ci, ok := c.exact[name]; ok {
		return Result{Channel: ci.name, Group: ci.group, Rule: RuleRowChannel}, true
	}
	key := channelKey(name)
	if isPlaceholderChannel(key) {
		return Result{}, false
	}
	if ci, ok := c.byKey[key]; ok {
		return Result{Channel: ci.name, Group: ci.group, Rule: RuleRowChannel}, true
	}
	return Result{Channel: name, Group: inferredGroup(key), Rule: RuleRowChannel}, true
}

// Rules returns the effective rules in evaluation order: the built-in
// row-channel entry (empty Channel and Group), the user's rules, the
// defaults, and the built-in unassigned entry. Result.Rule always names one
// of them. The slice is a copy.
func (c *Classifier) Rules() []RuleInfo {
	out := slices.Clone(c.infos)
	for i := range out {
		out[i].Conditions = slices.Clone(out[i].Conditions)
	}
	return out
}

// normalize computes the matching form of a touch: trimmed, lower-cased
// values, the source reduced with NormalizeSource, and the referrer standing
// in for an empty source (with the medium of referrerMedium when the medium
// is empty).
func normalize(t Touch) normTouch {
	var n normTouch
	n[fieldSource] = NormalizeSource(t.Source)
	n[fieldMedium] = clean(t.Medium)
	n[fieldCampaign] = clean(t.Campaign)
	n[fieldInteraction] = clean(t.Interaction)
	if n[fieldSource] == "" && t.Referrer != "" {
		if ref := NormalizeSource(t.Referrer); ref != "" {
			n[fieldSource] = ref
			if n[fieldMedium] == "" {
				n[fieldMedium] = referrerMedium(ref)
			}
		}
	}
	return n
}

// String formats the rule as one line, for logs and the CLI.
func (r RuleInfo) String() string {
	cond := strings.Join(r.Conditions, " AND ")
	if r.Channel == "" {
		return fmt.Sprintf("%s [%s]: %s", r.Name, r.Origin, cond)
	}
	return fmt.Sprintf("%s [%s]: %s -> %s (%s)", r.Name, r.Origin, cond, r.Channel, r.Group)
}

// referrerMedium is the medium of a touch whose source came from its
// referrer and that has no medium: "referral", as in GA4, except for a
// web-mail referrer (source "email"), whose medium is "email".
func referrerMedium(source string) string {
	if source == "email" {
		return "email"
	}
	return "referral"
}
