-- What the kernels read over Arrow.
SELECT steps, conversions, nulls, value FROM bench_paths ORDER BY pid
