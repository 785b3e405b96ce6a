-- Budget recommendations, biggest shift first.
SELECT channel, spend, roi, marginal_roi, recommended_spend, change, reason
FROM budget_recommendations
ORDER BY abs(change) DESC, channel
