-- Budget recommendations on the media mix model's (all) fit over the budget window (period_start ..
-- period_end): moved channels first, biggest shift first, held channels last.
SELECT channel, channel_group, period_start, period_end, spend, recommended_spend, change, change_factor,
       expected_revenue_change, expected_revenue_change_low, expected_revenue_change_high,
       roi, marginal_roi, recommended_marginal_roi, basis, action, reason
FROM budget_recommendations
ORDER BY basis = 'held', abs(change) DESC, channel
