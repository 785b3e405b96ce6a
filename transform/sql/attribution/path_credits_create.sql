-- Every data-driven model's credit per step of each distinct conversion path of one type, from the Go
-- kernels (the Arrow view attrib_path_credits_in: steps, model, credits with one entry per step), one
-- row per path with a column per model (NULL: the model is not configured). A few hundred thousand
-- rows where the touches they credit are millions.
CREATE OR REPLACE TEMP TABLE path_credits AS
SELECT steps,
       any_value(credits) FILTER (WHERE model = 'markov') AS markov,
       any_value(credits) FILTER (WHERE model = 'shapley') AS shapley,
       any_value(credits) FILTER (WHERE model = 'fractribution') AS fractribution
FROM attrib_path_credits_in
GROUP BY steps
