-- Activity of acquired people from their acquisition up to as_of, keyed by the integer pid of eval_acq: read
-- once here (the one join of the activity table on person_id), then by eval_person, eval_value_curve and
-- cohort_retention (which looks up the local day of these rows only).
CREATE OR REPLACE TEMP TABLE eval_act AS
SELECT q.pid, a.occurred_at, a.value
FROM activity a
JOIN eval_acq q ON q.person_id = a.person_id
CROSS JOIN eval_params p
WHERE a.occurred_at >= q.acquired_at AND a.occurred_at <= p.as_of
