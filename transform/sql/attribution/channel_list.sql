-- The model channels in id order.
SELECT channel FROM channel_ids ORDER BY cid
