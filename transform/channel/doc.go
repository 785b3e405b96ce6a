// Package channel classifies marketing touchpoints into channels and channel
// groups (online or offline).
//
// A [Classifier] is built once with [New] from the user's rules (the
// `channels:` list of the config file, decoded into []Rule) followed by the
// built-in defaults of [DefaultRules]: the GA4 default channel group for
// online traffic, with source lists that cover the major western and Chinese
// platforms, plus offline channels (Branch, Call Centre, Events, Direct Mail,
// TV, Outdoor). [Classifier.Classify] then maps one [Touch] to a [Result]:
//
//  1. A non-empty Channel on the row wins. If it names a channel known to the
//     rule set (compared case-insensitively, with runs of spaces, '_' and '-'
//     treated alike) the canonical spelling and that channel's group are
//     returned; otherwise the name is returned as given (trimmed) with group
//     "offline" if it is a well-known offline channel name (for example
//     "Call Center", "网点", "户外") and "online" otherwise. The placeholders
//     "(not set)" and "(none)" count as empty.
//  2. Otherwise the rules are tried in order, user rules first, and the first
//     rule whose conditions all hold gives the channel.
//  3. If no rule matches the result is "Unassigned", group "online".
//
// Input values are trimmed (spaces and a UTF-8 byte-order mark) and
// lower-cased before matching; output channel names are never changed, so a
// channel such as "微信朋友圈" comes out exactly as written in the rule. A
// source, or a referrer when the source is empty, that looks like a host or a
// URL is reduced to the name of the site, see [NormalizeSource]. A source
// taken from the referrer gets the medium "referral" when the medium is
// empty, as GA4 does, or "email" when the referrer is a web-mail host.
//
// Every Result names the rule that produced it, and [Classifier.Rules] lists
// the effective rules in evaluation order for `attrib channels` to print.
// RULES.md in this directory documents the defaults and the source lists; it
// is generated from the code by `go test ./transform/channel -run TestRulesDoc
// -update` and checked by the same test, so it cannot drift.
//
// A Classifier is immutable and safe for concurrent use.
package channel
