// Package queries builds the evaluation tables that marketers read
// (channel_performance and, as they land, channel_roi, model_comparison,
// funnel, cohort_retention, lifecycle, budget_recommendations) from the
// results of package transform, one embedded SQL file per table, and gives
// people read access to the warehouse (read-only query execution).
package queries
