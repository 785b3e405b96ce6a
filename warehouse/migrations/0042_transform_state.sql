-- Incremental transforms (issue 6). What the last complete transform covered, so that the next
-- run can restrict identity stitching and path building to the people new data touches. In a
-- schema of its own: bookkeeping, not results, so analysts' table lists (main) do not show it.
CREATE SCHEMA attrib_state;
-- transform_state: zero or one row; the fingerprint of the settings the last complete
-- transform ran with (a run with other settings, or with no row here, rebuilds everything).
CREATE TABLE attrib_state.transform_state (
    fingerprint VARCHAR NOT NULL,
    built_at    TIMESTAMPTZ NOT NULL
);
-- The loads (ingest_files.load_id) whose rows the published results already include.
CREATE TABLE attrib_state.transform_loads (
    load_id VARCHAR NOT NULL
);
-- People whose identities changed since the last published results (both the old and the new
-- person ids of a merge): their paths are rebuilt by the next run, also when a run dies between
-- stitching and publishing.
CREATE TABLE attrib_state.transform_pending (
    person_id VARCHAR NOT NULL
);
-- Persons of identity components over identity.max_component_size when the guard cut them up:
-- new identifiers touching one of them make the next run stitch everything again.
CREATE TABLE attrib_state.capped_persons (
    person_id VARCHAR NOT NULL
);
