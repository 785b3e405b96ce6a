// Package warehouse opens attrib's one DuckDB file, applies its settings
// (memory limit, threads, temp directory, time zone) to every connection,
// and brings the schema up to date with numbered, embedded SQL migrations.
//
// Migrations apply in number order and only those above the highest applied
// one run, so a new migration takes the next number after the highest in
// migrations/ (never a gap filler).
//
// Every other package receives a *Warehouse and never opens DuckDB itself.
// The package never logs; it returns wrapped errors, and turns DuckDB's file
// lock error into ErrLocked so that the CLI can say which process holds it.
package warehouse
