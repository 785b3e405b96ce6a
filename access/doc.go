// Package access gives people read-only SQL access to the warehouse: the
// guard that lets exactly one read through (ReadStatement asks DuckDB's own
// parser, json_serialize_sql, never a hand-written splitter), execution of
// such a statement (Query, ReadRows) and the result formats people read
// (Write: table, CSV, JSON, Parquet; Text and JSONValue for one value).
// attrib query and attrib serve (HTTP API, PostgreSQL endpoint, statement
// workers) use it; nothing in the pipeline does.
package access
