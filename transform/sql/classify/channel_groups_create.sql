-- Each channel's group as the credits give it: the smallest group of the attribute combinations
-- classified to the channel (channel_map). A view over channel_map, read by both credit parts and by
-- the check that a daily run may carry rule-based credits over.
CREATE OR REPLACE TEMP VIEW channel_groups AS
SELECT channel, min(channel_group) AS channel_group FROM channel_map GROUP BY channel
