// Package queries builds the evaluation tables that marketers read —
// channel_performance, channel_roi, model_comparison, funnel,
// cohort_retention, lifecycle, budget_recommendations and model_accuracy —
// from the results of package transform, one embedded SQL file per table
// (sql/*.sql), under _next_ names that package jobs publishes atomically
// with warehouse.Publish. Every table of the warehouse is documented in
// package schema (the source of docs/tables.md). People's read-only SQL access
// (guard, execution, formats) is package access.
//
// Build runs on the transform's connection and reads its working tables
// (touches, channel_map, models, all_credits) and the raw
// conversions, activity and spend. Shared working tables of one Build:
// eval_params (settings and as_of, the latest event), eval_days (local day
// of each quarter hour), eval_acq (each person's acquisition), eval_act
// (their activity), eval_acq_stats (their activity and value, one row per
// acquired person), eval_person (per-person statistics) and eval_value_curve.
//
// After an incremental transform (Options.Incremental) the evaluation is
// scoped: eval_scope lists everyone acquired and the people the transform
// rebuilt, eval_person and lifecycle cover only them, funnel reads everyone
// else from the published lifecycle, and _next_lifecycle is a delta that
// package jobs publishes with warehouse.PublishDeltas (Built.Deltas).
package queries
