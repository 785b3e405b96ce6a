-- Channels whose group (the smallest group of their attribute combinations) differs from the one
-- in the published rule-based credits (the ones a run carries over; the data-driven ones are all built
-- again): a new combination can change it, and then no credit can be carried over.
SELECT count(*)
FROM (SELECT DISTINCT channel, channel_group FROM attribution_credits_rule_based) o
JOIN channel_groups n USING (channel)
WHERE o.channel_group IS DISTINCT FROM n.channel_group
