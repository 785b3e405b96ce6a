-- Scores each model against known true channel shares (the demo's truth.csv: the earliest cause of each
-- conversion; truth = 'earliest_cause'): per conversion type, model
-- and channel the true share, the attributed share (credits to real channels; (unattributed) and the
-- baseline are left out of both) and their absolute difference; a '(all)' row per model and type gives
-- the mean absolute error over channels and, in misallocated_share, half the sum of absolute
-- differences (the share of conversions credited to the wrong channel).
-- Parameter: path of the truth CSV.
CREATE TABLE _next_model_accuracy AS
WITH truth AS (
    SELECT conversion_type, channel, CAST(true_share AS DOUBLE) AS true_share
    FROM read_csv(?, header = true, all_varchar = true)
    WHERE channel <> '(baseline)' AND nullif(trim(true_share), '') IS NOT NULL
),
attr AS (
    SELECT conversion_type, model, channel, sum(credit) AS credited
    FROM _next_attribution_credits
    WHERE channel <> (SELECT unattributed FROM eval_params) AND conversion_type IN (SELECT conversion_type FROM truth)
    GROUP BY ALL
),
shares AS (
    SELECT *, credited / sum(credited) OVER (PARTITION BY conversion_type, model) AS attributed_share FROM attr
),
grid AS (
    SELECT m.model, t.conversion_type, t.channel FROM truth t, models m
    UNION
    SELECT model, conversion_type, channel FROM shares
),
per_channel AS (
    SELECT g.model, g.conversion_type, g.channel,
           coalesce(t.true_share, 0) AS true_share,
           coalesce(s.attributed_share, 0) AS attributed_share,
           abs(coalesce(s.attributed_share, 0) - coalesce(t.true_share, 0)) AS abs_error
    FROM grid g
    LEFT JOIN truth t USING (conversion_type, channel)
    LEFT JOIN shares s USING (model, conversion_type, channel)
)
SELECT * FROM (
    SELECT 'earliest_cause' AS truth, 'all_channels' AS scope, model, conversion_type, channel, true_share, attributed_share, abs_error, NULL::DOUBLE AS misallocated_share
    FROM per_channel
    UNION ALL
    SELECT 'earliest_cause', 'all_channels', model, conversion_type, '(all)', NULL, NULL, avg(abs_error), sum(abs_error) / 2
    FROM per_channel GROUP BY model, conversion_type
)
ORDER BY conversion_type, channel = '(all)' DESC, model, channel
