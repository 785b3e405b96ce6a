-- Dense ids for the channels of touches, in name order (the kernels' channel numbering).
CREATE OR REPLACE TEMP TABLE channel_ids AS
SELECT channel, (row_number() OVER (ORDER BY channel) - 1)::INTEGER AS cid
FROM (SELECT DISTINCT channel FROM touches)
