-- The conversion types of the conversion touches.
SELECT DISTINCT conversion_type FROM conv_touches ORDER BY 1
