-- The classification of each attribute combination (filled from Go, channel_map_insert.sql).
CREATE OR REPLACE TEMP TABLE channel_map (
    k_channel VARCHAR, k_source VARCHAR, k_medium VARCHAR, k_campaign VARCHAR, k_interaction VARCHAR,
    channel VARCHAR NOT NULL, channel_group VARCHAR NOT NULL, rule VARCHAR
)
