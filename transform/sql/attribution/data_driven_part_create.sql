-- The data-driven part of attribution_credits, stored wide (one row per conversion and touch, a credit
-- column per data-driven model), filled per conversion type by data_driven_credits.sql (the touches'
-- credits) and then by attribution_credits.sql.tmpl (the conversions without a touch). Empty, with the
-- columns and types of the published table (migration 0046 creates it in every warehouse).
CREATE TABLE _next_attribution_credits_data_driven_wide AS
SELECT * FROM attribution_credits_data_driven_wide LIMIT 0
