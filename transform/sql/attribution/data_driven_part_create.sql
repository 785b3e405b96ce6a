-- The data-driven part of attribution_credits, filled per conversion type by data_driven_credits.sql
-- (the touches' credits) and then by attribution_credits.sql.tmpl (the conversions without a touch).
-- Empty, with the columns and types of the published part (migration 0045 creates it in every
-- warehouse), so that the view over both parts keeps binding.
CREATE TABLE _next_attribution_credits_data_driven AS
SELECT * FROM attribution_credits_data_driven LIMIT 0
