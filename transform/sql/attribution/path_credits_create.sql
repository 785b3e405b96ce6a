-- Every data-driven model's credit per step of each distinct conversion path of one type, from the Go
-- kernels (the Arrow view attrib_path_credits_in: one row per path, its steps and a column per model with
-- one credit per step, NULL when the model is not configured). A few hundred thousand rows where the
-- touches they credit are millions.
CREATE OR REPLACE TEMP TABLE path_credits AS
SELECT steps, markov, shapley, fractribution FROM attrib_path_credits_in
