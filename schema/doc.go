// Package schema describes every table of the warehouse people can read:
// Catalogue holds each table's grain, columns, what builds it and a query
// to start from, and is the single source of docs/tables.md
// (RenderTablesDoc; TestTablesDoc keeps the file equal to it, and
// queries' TestCatalogueMatchesSchema checks it against the tables a
// pipeline run really builds).
package schema
