-- Every model's credit per step of each distinct conversion path of one type, from the Go kernels (the
-- Arrow view attrib_path_credits_in: steps, model, credits with one entry per step). A few hundred
-- thousand rows where the touches they credit are millions.
CREATE OR REPLACE TEMP TABLE path_credits AS
SELECT steps, model, credits FROM attrib_path_credits_in
