// Package ingest loads source files into the canonical dataset tables
// (touchpoints, conversions, spend, identity_links, activity, fx_rates).
//
// Each file is read by DuckDB's own readers into a staging table of VARCHAR
// columns under the canonical names, typed and validated by one embedded SQL
// file per dataset (sql/typed_<dataset>.sql), and then, in one transaction,
// its good rows are inserted (deduplicated by row id), its bad rows go to
// rejected_rows with line, field and reason, and the file is recorded in
// ingest_files with its sha256. The same content is never loaded twice.
//
// E-mail addresses and phone numbers are normalised and replaced by an
// HMAC-SHA-256 inside the typing query; raw values live only in temporary
// tables, which never reach the warehouse file.
package ingest
