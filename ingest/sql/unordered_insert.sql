-- Lets an insert run on every thread without keeping its source's row order (fast path, Arrow files).
SET preserve_insertion_order = false
