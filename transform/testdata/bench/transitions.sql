-- DuckDB's own reference on the same table: first-order transition counts (start, channels,
-- conversion, null) weighted by the path counts, with consecutive repeats kept. This is the
-- counting part of a Markov fit, without solving anything.
SELECT count(*), sum(w) FROM (
    SELECT a, b, sum(w) AS w FROM (
        SELECT list_concat([-1], steps)[i] AS a, list_concat(steps, [-2])[i] AS b, conversions + nulls AS w
        FROM (SELECT steps, conversions, nulls, unnest(generate_series(1, len(steps) + 1)) AS i FROM bench_paths)
    ) GROUP BY a, b
)
