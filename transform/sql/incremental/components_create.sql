-- Components of the new identifier sets, filled from Go: each member is a new identifier (kind n)
-- or an existing person (kind p).
CREATE OR REPLACE TEMP TABLE inc_comp (kind VARCHAR, elem VARCHAR, comp INTEGER)
