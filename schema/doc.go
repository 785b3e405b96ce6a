// Package schema defines every table of the warehouse people can read.
//
// Datasets is the one definition of each canonical input and its raw table:
// its columns with their SQL types, parse rules, required and identifier
// flags and documentation. config.Datasets, ingest's typing queries and the
// catalogue's input tables are derived from it; the migrations, which create
// the tables, are checked against it (TestDatasetTables). See README.md for
// how to add a column.
//
// Catalogue holds each table's grain, columns, what builds it and a query
// to start from, and is the single source of docs/tables.md
// (RenderTablesDoc; TestTablesDoc keeps the file equal to it, and
// queries' TestCatalogueMatchesSchema checks it against the tables a
// pipeline run really builds).
package schema
