package channel

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// Channel groups. Every Result carries one of them.
const (
	GroupOnline  = "online"
	GroupOffline = "offline"
)

// Channel names that other parts of the pipeline refer to.
const (
	// ChannelDirect is the GA4 Direct channel (the last_non_direct model skips it).
	ChannelDirect = "Direct"
	// ChannelUnassigned is the channel of a touch that no rule matches.
	ChannelUnassigned = "Unassigned"
)

// Names of the two built-in entries of [Classifier.Rules]; they appear in
// [Result.Rule] like the name of any other rule.
const (
	// RuleRowChannel is the rule name reported when the row's own channel won.
	RuleRowChannel = "row channel"
	// RuleUnassigned is the rule name reported when no rule matched.
	RuleUnassigned = "unassigned"
)

// Origins of a rule, as reported in [RuleInfo.Origin].
const (
	OriginUser    = "user"    // from the config file
	OriginDefault = "default" // from DefaultRules
	OriginBuiltin = "builtin" // the row-channel and unassigned entries
)

// reservedChannel is the channel the attribution models use for conversions
// without a touch; a rule must not produce it.
const reservedChannel = "(unattributed)"

// Rule is one channel rule of the config file. All conditions present must
// hold (AND); a list condition holds when the normalised value equals any of
// its entries; an empty list or regex is no condition. A rule needs at least
// one condition.
//
// In YAML (decoded by the config package with yaml.v3 and KnownFields):
//
//   - name: brand search            # optional, unique; default "rule N" (N = position)
//     channel: Brand Search          # required; returned exactly as written
//     group: online                  # online | offline; see below
//     source: [google, baidu]        # a string or a list of strings
//     source_category: [search]      # search | social | shopping | video (the default lists)
//     medium: [cpc, ppc]
//     campaign: [春节理财]
//     interaction: [click]
//     source_regex: "..."            # Go RE2, unanchored, case-insensitive
//     medium_regex: "..."
//     campaign_regex: "brand"
//     interaction_regex: "..."
//
// List entries are normalised like the touch values (trimmed, lower-cased;
// source entries also reduced with [NormalizeSource], so "www.baidu.com"
// means "baidu"). An empty string entry matches an empty value, so
// `source: [""]` means "no source". Regexes are matched against the
// normalised value. A source list and a source_category on one rule must
// both hold.
//
// When group is omitted the channel keeps the group it has elsewhere in the
// rules (so `channel: Branch` is offline); a channel that appears nowhere
// else is offline if its name is a well-known offline channel name and
// online otherwise. One channel (compared case-insensitively) must have one
// spelling and one group across all rules, defaults included.
type Rule struct {
	Name             string `yaml:"name,omitempty"`
	Channel          string `yaml:"channel"`
	Group            string `yaml:"group,omitempty"`
	Source           Values `yaml:"source,omitempty"`
	SourceCategory   Values `yaml:"source_category,omitempty"`
	Medium           Values `yaml:"medium,omitempty"`
	Campaign         Values `yaml:"campaign,omitempty"`
	Interaction      Values `yaml:"interaction,omitempty"`
	SourceRegex      string `yaml:"source_regex,omitempty"`
	MediumRegex      string `yaml:"medium_regex,omitempty"`
	CampaignRegex    string `yaml:"campaign_regex,omitempty"`
	InteractionRegex string `yaml:"interaction_regex,omitempty"`
}

// Values is a list of strings that also accepts a single YAML scalar, so
// `medium: cpc` and `medium: [cpc, ppc]` both decode. Numbers such as 360
// decode as their text.
type Values []string

// UnmarshalYAML implements [yaml.Unmarshaler].
func (v *Values) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	switch n.Kind {
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			*v = nil
			return nil
		}
		*v = Values{n.Value}
		return nil
	case yaml.SequenceNode:
		out := make(Values, 0, len(n.Content))
		for _, c := range n.Content {
			if c.Kind == yaml.AliasNode && c.Alias != nil {
				c = c.Alias
			}
			if c.Kind != yaml.ScalarNode || c.Tag == "!!null" {
				return fmt.Errorf("line %d: expected a string in the list", c.Line)
			}
			out = append(out, c.Value)
		}
		*v = out
		return nil
	default:
		return fmt.Errorf("line %d: expected a string or a list of strings", n.Line)
	}
}

// RuleInfo describes one entry of the effective, ordered rule list returned
// by [Classifier.Rules].
type RuleInfo struct {
	// Name identifies the rule; Result.Rule carries it.
	Name string
	// Channel is the channel the rule produces, in its canonical spelling.
	Channel string
	// Group is GroupOnline or GroupOffline.
	Group string
	// Origin is OriginUser, OriginDefault or OriginBuiltin.
	Origin string
	// Conditions are human-readable conditions that must all hold, for
	// example `medium in [cpc, ppc]` or `campaign matches /brand/`.
	Conditions []string
}

// field identifies a normalised touch attribute a condition looks at.
type field uint8

const (
	fieldSource field = iota
	fieldMedium
	fieldCampaign
	fieldInteraction
	numFields
)

var fieldNames = [numFields]string{"source", "medium", "campaign", "interaction"}

// normTouch holds the normalised attributes of a touch, indexed by field.
type normTouch [numFields]string

// cond is one compiled condition: value in set, or value matches re.
type cond struct {
	field field
	set   map[string]struct{}
	re    *regexp.Regexp
}

func (c *cond) match(n *normTouch) bool {
	v := n[c.field]
	if c.re != nil {
		return c.re.MatchString(v)
	}
	_, ok := c.set[v]
	return ok
}

// compiledRule is a validated rule ready for matching.
type compiledRule struct {
	conds  []cond
	result Result
}

func (r *compiledRule) match(n *normTouch) bool {
	for i := range r.conds {
		if !r.conds[i].match(n) {
			return false
		}
	}
	return true
}

// compileConditions validates the conditions of r and compiles them, set
// conditions before regexes (they are cheaper). It returns the conditions
// and their descriptions, or every problem found.
func compileConditions(r *Rule) ([]cond, []string, []error) {
	var cs condSet
	cs.addLists(r)
	cs.addCategories(r.SourceCategory)
	cs.addRegexes(r)
	if len(cs.conds) == 0 && len(cs.errs) == 0 {
		cs.errs = append(cs.errs, fmt.Errorf("no condition: give at least one of source, source_category, medium, campaign, interaction or a *_regex"))
	}
	return cs.conds, cs.descs, cs.errs
}

// condSet gathers a rule's conditions, their descriptions and the errors
// met compiling them.
type condSet struct {
	conds []cond
	descs []string
	errs  []error
}

// addLists adds a condition per non-empty value list (source, medium,
// campaign, interaction), values normalised and duplicates dropped.
func (cs *condSet) addLists(r *Rule) {
	lists := [...]struct {
		f    field
		vals Values
	}{
		{fieldSource, r.Source},
		{fieldMedium, r.Medium},
		{fieldCampaign, r.Campaign},
		{fieldInteraction, r.Interaction},
	}
	for _, l := range lists {
		if len(l.vals) == 0 {
			continue
		}
		set := make(map[string]struct{}, len(l.vals))
		shown := make([]string, 0, len(l.vals))
		for _, v := range l.vals {
			v = normalizeValue(l.f, v)
			if _, dup := set[v]; !dup {
				set[v] = struct{}{}
				shown = append(shown, quoteIfNeeded(v))
			}
		}
		cs.conds = append(cs.conds, cond{field: l.f, set: set})
		cs.descs = append(cs.descs, fmt.Sprintf("%s in [%s]", fieldNames[l.f], strings.Join(shown, ", ")))
	}
}

// addCategories adds one source condition for the known source categories
// among cats (an error per unknown one).
func (cs *condSet) addCategories(cats Values) {
	if len(cats) == 0 {
		return
	}
	set := make(map[string]struct{})
	var names []string
	for _, c := range cats {
		c = clean(c)
		members, ok := sourceCategories[c]
		if !ok {
			cs.errs = append(cs.errs, fmt.Errorf("unknown source_category %q (known: %s)", c, strings.Join(SourceCategoryNames(), ", ")))
			continue
		}
		if !slices.Contains(names, c) {
			names = append(names, c)
		}
		for _, m := range members {
			set[NormalizeSource(m)] = struct{}{}
		}
	}
	if len(names) > 0 {
		cs.conds = append(cs.conds, cond{field: fieldSource, set: set})
		cs.descs = append(cs.descs, fmt.Sprintf("source in category [%s]", strings.Join(names, ", ")))
	}
}

// addRegexes adds a case-insensitive condition per non-empty *_regex.
func (cs *condSet) addRegexes(r *Rule) {
	regexes := [...]struct {
		f   field
		key string
		pat string
	}{
		{fieldSource, "source_regex", r.SourceRegex},
		{fieldMedium, "medium_regex", r.MediumRegex},
		{fieldCampaign, "campaign_regex", r.CampaignRegex},
		{fieldInteraction, "interaction_regex", r.InteractionRegex},
	}
	for _, x := range regexes {
		if x.pat == "" {
			continue
		}
		// Compile the pattern as written first, so that the error quotes
		// the user's text; then wrap it to make it case-insensitive.
		if _, err := regexp.Compile(x.pat); err != nil {
			cs.errs = append(cs.errs, fmt.Errorf("invalid %s %q: %w", x.key, x.pat, err))
			continue
		}
		re, err := regexp.Compile("(?i:" + x.pat + ")")
		if err != nil {
			cs.errs = append(cs.errs, fmt.Errorf("invalid %s %q: %w", x.key, x.pat, err))
			continue
		}
		cs.conds = append(cs.conds, cond{field: x.f, re: re})
		cs.descs = append(cs.descs, fmt.Sprintf("%s matches /%s/", fieldNames[x.f], x.pat))
	}
}

// normalizeValue normalises a touch value or a rule list entry of field f.
func normalizeValue(f field, v string) string {
	if f == fieldSource {
		return NormalizeSource(v)
	}
	return clean(v)
}

// quoteIfNeeded quotes list entries that would be ambiguous when printed
// bare in a comma-separated list.
func quoteIfNeeded(v string) string {
	if v == "" || strings.ContainsAny(v, ", []\"") {
		return fmt.Sprintf("%q", v)
	}
	return v
}

// parseGroup validates a group name; "" stays "" (to be inferred).
func parseGroup(g string) (string, error) {
	switch clean(g) {
	case "":
		return "", nil
	case GroupOnline:
		return GroupOnline, nil
	case GroupOffline:
		return GroupOffline, nil
	}
	return "", fmt.Errorf("invalid group %q: want online or offline", g)
}
