-- Channel classification (issue 16). The distinct attribute combinations of touches and spend (NULL kept as
-- ''), and the loads whose rows they include: a run reads only the rows of loads not listed here for new
-- combinations, not every touch (at 18 M people that read took about 5 s of every daily run). A warehouse
-- that had runs before this table fills it, from every load, on its next run.
CREATE TABLE attrib_state.attribute_combinations (
    channel     VARCHAR NOT NULL,
    source      VARCHAR NOT NULL,
    medium      VARCHAR NOT NULL,
    campaign    VARCHAR NOT NULL,
    interaction VARCHAR NOT NULL
);
CREATE TABLE attrib_state.combination_loads (
    load_id VARCHAR NOT NULL
);
