-- Back to DuckDB's default after unordered_insert.sql.
RESET preserve_insertion_order
