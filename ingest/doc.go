// Package ingest loads source files into the canonical dataset tables
// (touchpoints, conversions, spend, identity_links, activity, fx_rates,
// experiments).
//
// Each file is fingerprinted (sha256; a gzip or zstd file is also checked
// end to end, since DuckDB reads a truncated gzip without an error), then
// read by DuckDB's own readers (CSV as text with store_rejects, NDJSON,
// Parquet) or, for Arrow IPC files and streams (and NDJSON files with lines
// DuckDB refuses, split into lines in Go), batch by batch through duckdb-go's
// Arrow view, and mapped to the canonical columns, typed, validated and
// PII-hashed by one embedded SQL template per dataset
// (sql/typed_<dataset>.sql.tmpl). Typed Parquet and Arrow columns are kept
// as they are where the type fits; text goes through the parsing rules.
// A first scan only counts (rows, rejected rows, distinct row ids); files
// with rejected rows get a scan that keeps them; then one transaction
// inserts the good rows straight from the file (an anti join on the row id;
// the first occurrence when the file repeats an id), the bad rows go to
// rejected_rows with line, field, reason and the masked raw record, and the
// file is recorded in ingest_files with its sha256. The same content is
// never loaded twice; a file over the reject threshold loads nothing.
// Large NDJSON files whose lines are all objects (a scan beside the
// SHA-256, jsonscan.go) are written through read_json with the mapped keys
// as columns (jsoncols.go), with the same values and ids.
//
// E-mail addresses and phone numbers are normalised and replaced by an
// HMAC-SHA-256 inside the typing query; raw values live only in temporary
// tables, dropped after each file, which never reach the warehouse file.
// docs/ingest.md is the user-facing description, with every bad-input case.
package ingest
