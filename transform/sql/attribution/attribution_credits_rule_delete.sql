-- Publishing an incremental run's rule-based credits (warehouse.Delta): the published rows of the
-- conversions it rebuilt (inc_conversions) go, then _next_attribution_credits_rule_based's rows come in.
DELETE FROM attribution_credits_rule_based WHERE conversion_id IN (SELECT conversion_id FROM inc_conversions)
