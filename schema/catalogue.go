package schema

import (
	"fmt"
	"strings"
)

// Column is one documented column of a published table.
type Column struct {
	Name, Definition string
}

// Table documents one table of the warehouse: the single source of
// docs/tables.md (rendered by RenderTablesDoc and checked by a test against
// the real schema of a pipeline run, so the two cannot drift apart).
type Table struct {
	Name    string
	Section string // evaluation | attribution | input | bookkeeping
	BuiltBy string
	Grain   string
	About   string
	Columns []Column
	Example string // a query a marketer or analyst can run as is
	Notes   string // markdown: how to read the table
}

// creditColumns are the columns of attribution_credits and of the two tables behind it.
var creditColumns = []Column{
	{"conversion_id", "conversion"},
	{"model", "attribution model"},
	{"touchpoint_id", "touch (NULL for `(unattributed)`)"},
	{"channel", "channel of the touch"},
	{"channel_group", "online | offline"},
	{"campaign", "campaign of the touch"},
	{"credit", "share of the conversion"},
	{"revenue_credit", "credit x revenue (DECIMAL)"},
	{"conversion_type", "conversion type"},
	{"converted_at", "time of the conversion"},
}

// Catalogue lists every published table in documentation order.
var Catalogue = []Table{
	{
		Name: "channel_performance", Section: "evaluation", BuiltBy: "queries (channel_performance.sql.tmpl)",
		Grain: "day x channel x campaign x conversion type x model",
		About: "Touches, attributed conversions, revenue and spend per day. Spend is the channel's full spend on every conversion type's row (never split by type); the `(all)` conversion type sums conversions and revenue over types. Sum spend over one conversion type only.",
		Columns: []Column{
			{"date", "calendar day (of the touch, conversion or spend) in the configured time zone"},
			{"channel", "channel after classification; `(unattributed)` for conversions without a touch in their window"},
			{"channel_group", "online | offline"},
			{"campaign", "campaign ('' when none)"},
			{"conversion_type", "conversion type, or `(all)` for all types together"},
			{"model", "attribution model"},
			{"touchpoints", "touches of the channel and campaign that day (the same on every type's and model's row)"},
			{"conversions", "sum of credits of conversions on that day"},
			{"revenue", "sum of revenue credits (DECIMAL, reporting currency)"},
			{"spend", "spend that day (DECIMAL, reporting currency, converted with fx_rates at ingest)"},
			{"impressions", "impressions from the spend data"},
			{"clicks", "clicks from the spend data"},
			{"cpa", "spend / conversions; NULL without spend or without conversions"},
			{"roas", "revenue / spend; NULL without spend"},
			{"roi", "(revenue - spend) / spend; NULL without spend"},
		},
		Example: `SELECT channel, round(sum(spend), 2) AS spend, round(sum(conversions), 1) AS conversions,
       round(sum(revenue) / nullif(sum(spend), 0), 2) AS roas
FROM channel_performance
WHERE model = 'last_non_direct' AND conversion_type = '(all)'
GROUP BY channel ORDER BY roas DESC NULLS LAST`,
		Notes: `**Per-conversion credit, not removal effects.** Every model here, markov included, splits each
conversion's credit among the channels touched on *that conversion's path* within the lookback window,
and the rows sum those credits. A channel whose touches seldom sit on a converting path inside the window
gets little or nothing here under every model. ` + "`markov_removal_effects`" + ` answers another
question: how much the whole chain's conversion probability falls when the channel is removed, spread
over all conversions of the type (global allocation). The two can disagree a lot for one channel (a
channel with 0 conversions here and many there is not a bug): read this table for what the paths
credit, markov_removal_effects for each channel's structural weight in the journeys, and
channel_incrementality for what a channel causes.`,
	},
	{
		Name: "channel_roi", Section: "evaluation", BuiltBy: "queries (channel_roi.sql)",
		Grain: "period x channel x conversion type x model",
		About: "Return on spend per reporting period (`evaluation.period`: day, week or month) with the value of the customers each channel acquired. Spend, conversions and revenue are channel_performance summed over the period, so the same spend rules hold: every conversion type's row carries the full spend, `(all)` sums conversions and revenue over types. The acquisition columns (acquired ... retention_target) are filled on the rows of the acquisition type (`evaluation.acquisition_type`, default account_opened) only and are the same on every model's row: they count the people whose acquisition channel (under `evaluation.acquisition_model`) is the row's channel and who were acquired in the period; only ltv_to_cac and payback_days change with the row's cac.",
		Columns: []Column{
			{"period_start", "first day of the period (weeks start on Monday)"},
			{"period_end", "last day of the period"},
			{"channel", "channel"},
			{"channel_group", "online | offline"},
			{"conversion_type", "conversion type or `(all)`"},
			{"model", "attribution model"},
			{"spend", "spend in the period (DECIMAL)"},
			{"conversions", "sum of credits"},
			{"revenue", "sum of revenue credits (DECIMAL)"},
			{"cac", "spend / conversions; NULL without spend or without conversions"},
			{"roas", "revenue / spend; NULL without spend"},
			{"roi", "(revenue - spend) / spend; NULL without spend"},
			{"acquired", "people acquired in the period with this acquisition channel (acquisition type rows; NULL elsewhere)"},
			{"ltv", "their mean lifetime value: conversion revenue plus activity value from the acquisition to `evaluation.ltv_months` (default 12) later; NULL when nobody was acquired. Recent cohorts have not completed the horizon yet"},
			{"ltv_to_cac", "ltv / cac; NULL when either is missing or cac is 0"},
			{"payback_days", "first whole day after acquisition on which the acquired people's mean cumulative value reaches cac; NULL when it is not reached within the horizon (or no cac)"},
			{"retention_eligible", "acquired people whose `evaluation.retention_months` (default 12) point is on or before as_of"},
			{"retention_rate", "retained / retention_eligible (retained = activity in the `active_days` up to that point); NULL when nobody is eligible"},
			{"retention_target", "`evaluation.retention_target` (default 0.7), shown beside retention_rate"},
		},
		Example: `SELECT period_start, channel, spend, round(cac, 2) AS cac, round(ltv, 2) AS ltv,
       round(ltv_to_cac, 2) AS ltv_to_cac, payback_days, round(retention_rate, 3) AS retention, retention_target
FROM channel_roi
WHERE conversion_type = 'account_opened' AND model = 'last_non_direct'
ORDER BY period_start, channel`,
	},
	{
		Name: "model_comparison", Section: "evaluation", BuiltBy: "queries (model_comparison.sql)",
		Grain: "channel x conversion type x model",
		About: "How differently the models credit each channel, over the whole data. Every configured model has a row for every channel any model credited.",
		Columns: []Column{
			{"channel", "channel"},
			{"conversion_type", "conversion type or `(all)`"},
			{"model", "attribution model"},
			{"conversions", "sum of credits (0 when the model credits the channel nothing)"},
			{"conversion_share", "conversions / all conversions of the type under the model; NULL when there are none"},
			{"revenue", "sum of revenue credits (DECIMAL)"},
			{"revenue_share", "revenue / all revenue of the type under the model; NULL when that is 0"},
			{"min_share", "smallest conversion_share of the channel over the models"},
			{"max_share", "largest conversion_share of the channel over the models"},
		},
		Example: `SELECT channel, model, round(conversion_share, 3) AS share, round(max_share - min_share, 3) AS spread
FROM model_comparison WHERE conversion_type = '(all)'
ORDER BY spread DESC, channel, model`,
	},
	{
		Name: "funnel", Section: "evaluation", BuiltBy: "queries (funnel.sql.tmpl)",
		Grain: "period x first-touch channel x stage",
		About: "People enter in the period of their first touch, under that touch's channel (where they were reached); people without any touch are not in the funnel. Stages are nested, each counting the people who reached it and every stage before it, so rates never exceed 1: 1 reached (has a touch), 2 converted (acquisition conversion), 3 activated (activity within `evaluation.activation_days`, default 30, after it), 4 active (activity in the `evaluation.active_days`, default 30, up to as_of), 5 retained (active `retention_months` after the acquisition). Channel `(all)` sums the period's channels. as_of is the latest event in the warehouse, not the clock.",
		Columns: []Column{
			{"period_start", "first day of the period of the first touch"},
			{"channel", "channel of the first touch, or `(all)`"},
			{"stage", "reached | converted | activated | active | retained"},
			{"stage_order", "1..5"},
			{"persons", "people who reached this stage and every earlier one"},
			{"rate_from_previous", "persons / persons of the previous stage; NULL for the first stage and when the previous stage is 0"},
			{"rate_from_first", "persons / reached; NULL when nobody was reached"},
		},
		Example: `SELECT channel, stage, sum(persons) AS persons
FROM funnel WHERE period_start >= DATE '2024-01-01'
GROUP BY channel, stage, stage_order ORDER BY channel, stage_order`,
	},
	{
		Name: "cohort_retention", Section: "evaluation", BuiltBy: "queries (cohort_retention.sql)",
		Grain: "cohort x acquisition channel x period offset",
		About: "Cohort = the period (`evaluation.period`, default the calendar month) of a person's acquisition conversion; channel = their acquisition channel under the acquisition model, or `(all)`. Retained at offset n = has at least one activity event in the n-th period after the cohort period (offset 0 is the cohort period itself, from the acquisition on). Offsets run from 0 to the period of as_of, so the latest offsets of a cohort may be incomplete periods.",
		Columns: []Column{
			{"cohort_start", "first day of the cohort period"},
			{"channel", "acquisition channel or `(all)`"},
			{"period_offset", "periods after the cohort period"},
			{"cohort_size", "people acquired in the cohort period with this channel"},
			{"retained", "of them, people with activity in that period"},
			{"retention_rate", "retained / cohort_size"},
		},
		Example: `SELECT cohort_start, period_offset, round(retention_rate, 3) AS retention
FROM cohort_retention WHERE channel = '(all)'
ORDER BY cohort_start, period_offset`,
	},
	{
		Name: "lifecycle", Section: "evaluation", BuiltBy: "queries (lifecycle.sql)",
		Grain: "person",
		About: "Every person seen in touches or conversions, as of the latest event in the warehouse (as_of), with their lifecycle stage, value and churn risk. People known only from activity (customers from before the data) are not listed.",
		Columns: []Column{
			{"person_id", "stitched person"},
			{"acquisition_channel", "channel of the acquisition conversion under the acquisition model (the channel with the largest credit; ties to the alphabetically first); NULL when never acquired"},
			{"stage", "reached | converted | activated | active | retained | churned (see below)"},
			{"acquired_at", "time of the acquisition conversion (first conversion of the acquisition type)"},
			{"last_active_at", "last activity event since the acquisition"},
			{"value_tier", "high | medium | low from lifetime_value (see below); NULL when never acquired"},
			{"lifetime_value", "conversion revenue plus activity value from the acquisition to ltv_months later (DECIMAL)"},
			{"churn_risk", "0..1, 0.5 x recency_score + 0.5 x frequency_decline, rounded to 4 places (see below); NULL when never acquired"},
			{"churn_band", "low (< 0.3) | watch (< 0.6) | high"},
			{"first_touch_at", "first touch"},
			{"first_touch_channel", "channel of the first touch (the funnel's channel)"},
			{"activity_events", "activity events from the acquisition up to as_of (0 when never acquired)"},
			{"recent_events", "activity events since the acquisition in the active_days up to as_of"},
			{"expected_events", "the person's own activity rate since acquisition, before the recent window, scaled to one window: baseline events x active_days / baseline days; NULL with less than one window of history"},
			{"days_since_active", "days from the last activity (or the acquisition, if later or without activity) to as_of"},
			{"recency_score", "min(1, days_since_active / churn_days)"},
			{"frequency_decline", "max(0, 1 - recent_events / expected_events) when expected_events >= 1, else 0"},
		},
		Example: `-- High-value customers at risk of churning, most at risk first.
SELECT person_id, acquisition_channel, lifetime_value, churn_risk, days_since_active, recent_events,
       round(expected_events, 1) AS expected_events
FROM lifecycle
WHERE value_tier = 'high' AND churn_band = 'high' AND stage <> 'churned'
ORDER BY churn_risk DESC, lifetime_value DESC`,
		Notes: `**Stage.** The furthest stage a person has reached: reached (touched, not acquired) -> converted
(first conversion of the acquisition type) -> activated (activity within activation_days) -> active
(activity in the last active_days) -> retained (active retention_months after the acquisition).
churned (no activity for churn_days, default 90, counted from the last activity or from the
acquisition when there was none) overrides every other stage of an acquired person. All windows are
measured up to as_of, the latest event in the warehouse, so a rerun on the same data gives the same table.

**How to read churn_risk.** It is a transparent score, not a trained model, and every part of it is a
column, so you can check any person by hand:

- *recency_score* = days_since_active / churn_days, capped at 1. Half a churn period of silence is 0.5;
  at churn_days it is 1.
- *frequency_decline* compares the last active_days window with the person's own habit: expected_events
  is how many events they used to have per window since they were acquired (before that window). Someone
  who logged in 12 times a month and now 3 times has decline 1 - 3/12 = 0.75; someone who was never
  frequent (expected_events below 1) or is too new to have a habit has decline 0, so silence is judged by
  recency alone.
- *churn_risk* = 0.5 x recency_score + 0.5 x frequency_decline. Bands: below 0.3 low, 0.3 to 0.6 watch,
  0.6 and above high. A person active today at their usual rate scores 0; a daily user silent for 45 days
  scores 0.5 x 0.5 + 0.5 x 1 = 0.75; a churned person scores at least 0.5.

**value_tier** ranks acquired people by lifetime_value: high = above 0 and at or above the 80th percentile
(interpolated, quantile_cont) of all acquired people's lifetime values, medium = above 0 and at or above
the median, low = the rest (including everyone with no value). Act first on value_tier = 'high' and
churn_band = 'high' that have not churned yet (the example query).`,
	},
	{
		Name: "budget_recommendations", Section: "evaluation", BuiltBy: "queries (incrementality.go, budget.go, budget_recommendations.sql)",
		Grain: "channel (with spend)",
		About: "Where to move next quarter's budget: the spend of the budget window (the last `incrementality.budget_weeks` weeks of the media mix model's window) moved along the fitted response curves of the `(all)` fit towards equal marginal return, the total fixed, each channel within `evaluation.budget_min_factor`..`budget_max_factor` (default 0.7x..1.3x), with the expected revenue change and a reason in words. Channels the model cannot measure are held and say what test would measure them.",
		Columns: []Column{
			{"channel", "channel with spend in the model's window"},
			{"channel_group", "online | offline"},
			{"period_start", "first day of the budget window"},
			{"period_end", "last day of the budget window"},
			{"spend", "spend over the budget window (DECIMAL, reporting currency)"},
			{"roi", "incremental revenue per unit of spend at current spend on the response curve, minus 1; NULL when held"},
			{"marginal_roi", "marginal ROAS at current spend (the revenue of the next unit of spend) minus 1; NULL when held"},
			{"recommended_spend", "recommended spend for a window like the budget window (DECIMAL); the moved channels' total equals their spend, to the cent"},
			{"change", "recommended_spend - spend"},
			{"change_factor", "recommended_spend / spend exactly; between budget_min_factor and budget_max_factor"},
			{"recommended_marginal_roi", "marginal ROAS at the recommended spend, minus 1"},
			{"expected_revenue_change", "incremental revenue the move is expected to add over a window like the budget window (steady-state response curves)"},
			{"expected_revenue_change_low", "5th percentile of the bootstrap (90% interval)"},
			{"expected_revenue_change_high", "95th percentile of the bootstrap"},
			{"basis", "`mmm` (fitted response curve), `mmm+experiments` (calibrated by the channel's experiments) or `held`"},
			{"action", "increase | decrease | keep | hold"},
			{"reason", "why, in words a marketer can act on"},
		},
		Example: `SELECT channel, spend, recommended_spend, round(change_factor, 2) AS factor,
       round(expected_revenue_change) AS gain, basis, reason
FROM budget_recommendations ORDER BY change DESC`,
		Notes: `**How to read the budget table.** The media mix model gives every channel with spend a response
curve: incremental revenue per period as a function of spend per period. Its slope at today's spend is
the *marginal ROAS*, what the next unit of spend brings back. The recommendation keeps the total fixed
and moves money from channels with a low marginal ROAS to channels with a high one, until their
marginal ROAS are equal or a channel reaches its bound (0.7x..1.3x by default). A channel at a bound
would have moved further. *held* channels keep their spend: the model could not separate them from the
baseline (constant spend, too few periods with spend), no model was fitted (see mmm_fit.warnings), or
they had no spend in the budget window. docs/incrementality.md explains how to design a test that makes
a held channel measurable.`,
	},
	{
		Name: "channel_incrementality", Section: "evaluation", BuiltBy: "queries (incrementality.go, channel_incrementality.sql)",
		Grain: "conversion type (`(all)` = all types) x channel, over the model's window",
		About: "The path view and the incremental view side by side: conversions credited by the acquisition model, and what the media mix model measures each channel with spend adds over the baseline, with 90% intervals, cost per incremental conversion, iROAS and marginal ROAS. Channels without spend appear with their attributed conversions; the model counts them in the baseline.",
		Columns: []Column{
			{"conversion_type", "conversion type, or `(all)` for all types together (its own fit)"},
			{"channel", "channel"},
			{"channel_group", "online | offline"},
			{"window_start", "first day of the model's window"},
			{"window_end", "last day of the model's window"},
			{"spend", "spend over the window (DECIMAL)"},
			{"incremental_conversions", "the channel's fitted contribution summed over the window; 0 for a channel with spend and no measurable effect; NULL when not measured (see method)"},
			{"incremental_conversions_low", "lower end of the 90% interval: 5th percentile of the block bootstrap (each replicate re-chooses the curves), lowered to the point value if needed"},
			{"incremental_conversions_high", "upper end of the 90% interval (95th percentile, raised to the point value if needed)"},
			{"incremental_revenue", "the channel's contribution in the revenue model of the same fit, summed over the window"},
			{"incremental_revenue_low", "5th percentile"},
			{"incremental_revenue_high", "95th percentile"},
			{"cost_per_incremental_conversion", "spend / incremental_conversions"},
			{"iroas", "incremental_revenue / spend"},
			{"marginal_roas", "d(incremental revenue)/d(spend) at current spend (the mean spend per period of the budget window): the slope of the response curve"},
			{"attributed_conversions", "conversions credited to the channel by attribution_model in the window (all types for `(all)`)"},
			{"attribution_model", "the acquisition model (`evaluation.acquisition_model`)"},
			{"incrementality_factor", "incremental_conversions / attributed_conversions: above 1 path attribution under-credits the channel, below 1 it over-credits it"},
			{"method", "`mmm`, `mmm+experiments`, `not identified: <why>`, `not fitted: <why>`, `disabled: ...` or `no spend: measured as part of the baseline`"},
			{"decay", "fitted geometric adstock carry-over per period (0..1)"},
			{"half_saturation_spend", "fitted Hill half-saturation: spend per period (adstocked) giving half the maximum effect"},
			{"shape", "fitted Hill shape (above 1: S-shaped)"},
			{"current_period_spend", "mean spend per period over the budget window"},
		},
		Example: `SELECT channel, spend, round(attributed_conversions) AS attributed, round(incremental_conversions) AS incremental,
       round(incremental_conversions_low) AS low, round(incremental_conversions_high) AS high,
       round(incrementality_factor, 2) AS factor, round(iroas, 2) AS iroas, method
FROM channel_incrementality WHERE conversion_type = '(all)' ORDER BY spend DESC`,
		Notes: `See docs/incrementality.md for how the model works, when to trust it and how experiments calibrate it.`,
	},
	{
		Name: "incrementality_timeseries", Section: "evaluation", BuiltBy: "queries (incrementality.go)",
		Grain: "period (day or week) x conversion type x channel",
		About: "Each measured channel's fitted contribution per period, and the baseline's (channel `(baseline)`); per conversion type and period they add up to the fitted series.",
		Columns: []Column{
			{"period_start", "first day of the period"},
			{"conversion_type", "conversion type, or `(all)`"},
			{"channel", "channel, or `(baseline)`"},
			{"spend", "the channel's spend in the period; NULL for the baseline"},
			{"contribution", "fitted conversions the channel adds in the period (with carry-over from earlier spend)"},
			{"contribution_low", "5th percentile of the bootstrap"},
			{"contribution_high", "95th percentile of the bootstrap"},
		},
		Example: `SELECT date_trunc('month', period_start) AS month, channel, round(sum(contribution)) AS conversions
FROM incrementality_timeseries WHERE conversion_type = '(all)' GROUP BY ALL ORDER BY month, channel`,
	},
	{
		Name: "response_curves", Section: "evaluation", BuiltBy: "queries (incrementality.go)",
		Grain: "conversion type x channel x spend level",
		About: "The fitted steady-state response of each measured channel: what a spend held at a level per period brings per period, at 31 levels from 0 to 3x current spend.",
		Columns: []Column{
			{"conversion_type", "conversion type, or `(all)`"},
			{"channel", "channel"},
			{"period_spend", "spend per period (the model's grain)"},
			{"incremental_conversions", "incremental conversions per period at that spend"},
			{"incremental_revenue", "incremental revenue per period at that spend"},
			{"marginal_roas", "slope of the revenue curve at that spend"},
			{"is_current", "the level of current spend (the mean per period over the budget window; 0 when the channel had none)"},
		},
		Example: `SELECT channel, period_spend, round(incremental_revenue) AS revenue, round(marginal_roas, 2) AS marginal_roas
FROM response_curves WHERE conversion_type = '(all)' AND is_current`,
	},
	{
		Name: "mmm_fit", Section: "evaluation", BuiltBy: "queries (incrementality.go)",
		Grain: "conversion type (`(all)` = all types)",
		About: "One row per media mix model fit: whether it was fitted and, if not, why; its window and grain, fit quality, the experiments it used and how well it agrees with them, and every warning.",
		Columns: []Column{
			{"conversion_type", "conversion type, or `(all)`"},
			{"status", "`fitted`, `not fitted` (too little history, no spend: see warnings), `failed` (see warnings) or `disabled`"},
			{"grain", "day | week"},
			{"periods", "number of periods fitted"},
			{"window_start", "first day of the model's window (spend and conversions both present)"},
			{"window_end", "last day of the model's window"},
			{"r_squared", "share of the per-period variation of conversions the fit explains, in sample"},
			{"nrmse", "root mean squared error / (max - min of conversions), in sample"},
			{"holdout_mape", "mean absolute percentage error on the rolling-origin holdouts (periods not seen by the fit)"},
			{"baseline_share", "share of fitted conversions given to the baseline"},
			{"experiments_used", "experiments that calibrated the fit"},
			{"experiment_fit", "share of used experiments whose window contribution lies within 1.645 standard errors of the measured lift; NULL without experiments"},
			{"seed", "bootstrap seed (`incrementality.seed`)"},
			{"warnings", "everything skipped or assumed, '; '-separated ('' when none)"},
			{"conversions", "observed conversions over the window"},
			{"fitted", "fitted conversions over the window"},
			{"baseline", "the baseline's part of fitted"},
		},
		Example: `SELECT conversion_type, status, periods, round(r_squared, 2) AS r2, round(holdout_mape, 2) AS holdout_mape,
       round(baseline_share, 2) AS baseline_share, experiments_used, experiment_fit, warnings FROM mmm_fit`,
	},
	{
		Name: "model_accuracy", Section: "evaluation", BuiltBy: "queries (incrementality.go, model_accuracy_scores.sql.tmpl)",
		Grain: "truth x conversion type x model x channel, plus one `(all)` row per truth, model and type",
		About: "Only when `evaluation.truth_file` or `evaluation.incremental_truth_file` is set (the demo writes both): each model's channel shares against a known truth. Two truths answer two questions: `earliest_cause` (which channel's touch caused each conversion: what path attribution tries to share out) and `counterfactual` (how many conversions each channel adds over a world without it: what a budget depends on). The media mix model (model `mmm`) is scored on the channels it measures (those with spend), both shares taken over them.",
		Columns: []Column{
			{"truth", "`earliest_cause` (truth_file) or `counterfactual` (incremental_truth_file)"},
			{"scope", "`all_channels` (path models, every channel of the truth) or `spend_channels` (path models and `mmm` on the channels the media mix model measured, shares of both taken over them: the like-for-like comparison)"},
			{"model", "attribution model, or `mmm` (the media mix model)"},
			{"conversion_type", "conversion type"},
			{"channel", "channel, or `(all)` for the model's summary row"},
			{"true_share", "the channel's share of the true conversions (earliest_cause: conversions it caused first; counterfactual: conversions lost without it, shares of the channels' sum)"},
			{"attributed_share", "the model's share of credits to real channels"},
			{"abs_error", "abs(attributed_share - true_share); on `(all)` rows the mean over channels"},
			{"misallocated_share", "`(all)` rows: half the sum of absolute differences, the share of conversions credited to the wrong channel"},
		},
		Example: `SELECT truth, scope, model, round(abs_error, 4) AS mean_abs_error, round(misallocated_share, 4) AS misallocated
FROM model_accuracy WHERE channel = '(all)' AND conversion_type = 'account_opened' ORDER BY truth, scope, misallocated_share`,
	},
	{
		Name: "conversion_paths", Section: "attribution", BuiltBy: "transform",
		Grain: "conversion",
		About: "Each stitched conversion with its path: the person's touches within the lookback window before it, in time order.",
		Columns: []Column{
			{"conversion_id", "conversion"},
			{"person_id", "stitched person"},
			{"conversion_type", "conversion type"},
			{"converted_at", "time of the conversion"},
			{"revenue", "revenue in the reporting currency (DECIMAL)"},
			{"path", "channels of the touches joined with ' > ', or `(unattributed)`"},
			{"touch_count", "touches in the path"},
			{"first_touch_at", "first touch of the path"},
			{"days_to_convert", "days from the first touch to the conversion (fractional)"},
		},
		Example: `SELECT path, count(*) AS conversions, round(avg(days_to_convert), 1) AS avg_days
FROM conversion_paths GROUP BY path ORDER BY conversions DESC LIMIT 20`,
	},
	{
		Name: "attribution_credits", Section: "attribution", BuiltBy: "transform",
		Grain:   "conversion x touch x model",
		About:   "Every model's credit for every touch of every converting path; credits of a conversion sum to 1 per model.",
		Columns: creditColumns,
		Example: `SELECT model, channel, round(sum(credit), 1) AS conversions
FROM attribution_credits GROUP BY ALL ORDER BY model, conversions DESC`,
		Notes: `A view over attribution_credits_rule_based and attribution_credits_data_driven (itself a view over
attribution_credits_data_driven_wide): read it, not them. A daily run rebuilds the rule-based credits of the people it rebuilds only and the
data-driven models' credits of everyone (every fit changes them), and the view keeps the two apart so
that the rule-based credits of everyone else are not written again.`,
	},
	{
		Name: "attribution_credits_rule_based", Section: "attribution", BuiltBy: "transform",
		Grain:   "conversion x touch x rule-based model",
		About:   "The rule-based models' rows of attribution_credits (first_touch, last_touch, last_non_direct, linear, position_based, time_decay): one of the two tables behind that view.",
		Columns: creditColumns,
		Example: `SELECT model, count(*) AS credit_rows FROM attribution_credits_rule_based GROUP BY model ORDER BY model`,
	},
	{
		Name: "attribution_credits_data_driven", Section: "attribution", BuiltBy: "transform",
		Grain:   "conversion x touch x data-driven model",
		About:   "The data-driven models' rows of attribution_credits (markov, shapley, fractribution): a view over attribution_credits_data_driven_wide, one row per model that gives the touch credit.",
		Columns: creditColumns,
		Example: `SELECT model, count(*) AS credit_rows FROM attribution_credits_data_driven GROUP BY model ORDER BY model`,
	},
	{
		Name: "attribution_credits_data_driven_wide", Section: "attribution", BuiltBy: "transform",
		Grain: "conversion x touch",
		About: "The data-driven models' credits as stored: one row per touch of every converting path, each model's credit in its own column; replaced whole by every run.",
		Columns: []Column{
			{"conversion_id", "conversion"},
			{"touchpoint_id", "touch (NULL for `(unattributed)`)"},
			{"channel", "channel of the touch"},
			{"channel_group", "online | offline"},
			{"campaign", "campaign of the touch"},
			{"revenue", "revenue of the conversion in the reporting currency (DECIMAL)"},
			{"conversion_type", "conversion type"},
			{"converted_at", "time of the conversion"},
			{"markov", "the Markov model's credit (NULL when the model is not configured)"},
			{"shapley", "the Shapley model's credit (NULL when not configured)"},
			{"fractribution", "Fractribution's credit (NULL when not configured)"},
		},
		Example: `SELECT channel, round(sum(markov), 1) AS markov, round(sum(shapley), 1) AS shapley
FROM attribution_credits_data_driven_wide GROUP BY channel ORDER BY markov DESC`,
		Notes: `Every data-driven fit changes every conversion's credits, so every run writes this table again:
one row per touch with a column per model is a third of the rows of one row per touch and model.
attribution_credits_data_driven shows it a row per model (leaving out zero credits) with revenue_credit =
credit x revenue, and attribution_credits shows it with the rule-based models.`,
	},
	{
		Name: "markov_removal_effects", Section: "attribution", BuiltBy: "transform",
		Grain: "model x conversion type x channel",
		About: "The Markov model's removal effects and global allocation (when markov is among the models).",
		Columns: []Column{
			{"model", "markov"},
			{"conversion_type", "conversion type (fitted per type)"},
			{"channel", "channel"},
			{"removal_effect", "1 - P(conversion without the channel) / P(conversion)"},
			{"conversions", "global allocation: removal_effect / sum of removal effects x attributed conversions"},
			{"revenue", "the same allocation of revenue"},
			{"markov_order", "order of the chain"},
		},
		Example: `SELECT conversion_type, channel, round(removal_effect, 3) AS removal_effect, round(conversions, 1) AS conversions
FROM markov_removal_effects ORDER BY conversion_type, conversions DESC`,
		Notes: `**Global allocation, not per-conversion credit.** ` + "`conversions`" + ` here is removal_effect / sum of
removal effects x all attributed conversions of the type, as R's ChannelAttribution reports it. It is
not the sum of the markov rows of ` + "`channel_performance`" + `, which credit each conversion's own path
(within the lookback window) in proportion to removal effects. A channel can have many conversions here
and few or none in channel_performance (for example touches that shape journeys but seldom fall inside a
converting path's window): both are right, they answer different questions. Use channel_performance for
reporting credited conversions, this table to compare channels' weight in the chain.`,
	},
	{
		Name: "identity_map", Section: "attribution", BuiltBy: "transform",
		Grain: "identifier",
		About: "Which person each identifier belongs to after stitching (e-mail and phone as HMAC hashes).",
		Columns: []Column{
			{"identifier", "identifier value (hashed for email and phone)"},
			{"identifier_type", "customer_id | anonymous_id | email | phone"},
			{"person_id", "stitched person"},
			{"component_size", "identifiers in the person's component"},
		},
		Example: `SELECT identifier_type, count(*) AS identifiers, count(DISTINCT person_id) AS persons
FROM identity_map GROUP BY identifier_type`,
	},
	{
		Name: "identity_oversized", Section: "attribution", BuiltBy: "transform",
		Grain: "oversized identity component",
		About: "Components larger than identity.max_component_size (shared devices, placeholder phones) before the guard broke them up.",
		Columns: []Column{
			{"component", "component id"},
			{"identifiers", "identifiers in the component"},
			{"customer_ids", "customer numbers it would have fused"},
			{"cut_count", "identifiers cut out (no longer used for stitching)"},
			{"cut_identifiers", "the identifiers cut out"},
			{"persons_after", "persons after the cut"},
			{"sample_identifiers", "a sample of the component's identifiers"},
		},
		Example: `SELECT component, identifiers, customer_ids, cut_count FROM identity_oversized ORDER BY identifiers DESC`,
	},
}

func init() {
	Catalogue = append(Catalogue, inputTables()...)
	Catalogue = append(Catalogue, bookkeepingTables()...)
}

// inputTables are the tables ingest loads, one per dataset, in load
// order, documented by the dataset definitions (Datasets).
func inputTables() []Table {
	out := make([]Table, len(Datasets))
	for i, d := range Datasets {
		out[i] = d.table()
	}
	return out
}

// bookkeepingTables are the tables of loads, refused rows, runs and
// migrations.
func bookkeepingTables() []Table {
	return []Table{
		{Name: "ingest_files", Section: "bookkeeping", BuiltBy: "ingest", Grain: "file load",
			About: "Every file load: what, when, its hash and counts. Loading the same file again is recorded as skipped.",
			Columns: []Column{{"load_id", "load"}, {"source", "config source"}, {"dataset", "dataset"}, {"path", "file"}, {"size", "bytes"},
				{"sha256", "content hash"}, {"modified_at", "file modification time"}, {"status", "loaded | skipped | failed"},
				{"rows_read", "rows read"}, {"rows_loaded", "rows loaded"}, {"rows_rejected", "rows refused (see rejected_rows)"},
				{"rows_duplicate", "rows already loaded"}, {"started_at", "start"}, {"finished_at", "end"}, {"message", "error or note"}},
			Example: `SELECT path, status, rows_read, rows_loaded, rows_rejected, rows_duplicate FROM ingest_files ORDER BY started_at DESC`},
		{Name: "rejected_rows", Section: "bookkeeping", BuiltBy: "ingest", Grain: "refused row",
			About: "Every row refused at ingest with its reason (e-mail and phone values masked in raw).",
			Columns: []Column{{"load_id", "load"}, {"source", "config source"}, {"path", "file"}, {"line", "line in the file"},
				{"field", "offending field"}, {"reason", "why"}, {"raw", "the raw record, masked"}, {"rejected_at", "when"}},
			Example: `SELECT path, line, field, reason FROM rejected_rows ORDER BY path, line LIMIT 50`},
		{Name: "pipeline_runs", Section: "bookkeeping", BuiltBy: "jobs", Grain: "run",
			About: "Every pipeline run with status, duration and row counts.",
			Columns: []Column{{"run_id", "run"}, {"job", "job name"}, {"trigger", "manual | schedule | backfill | demo"},
				{"started_at", "start"}, {"finished_at", "end"}, {"status", "running | succeeded | failed | cancelled | skipped"},
				{"rows_in", "rows read"}, {"rows_out", "rows written"}, {"error", "error of a failed run"},
				{"steps", "JSON: [{step, seconds, rows}]"}, {"pid", "process"}, {"host", "host"},
				{"attempt", "attempt number (retries)"}, {"range_from", "backfill range start"}, {"range_to", "backfill range end"}},
			Example: `SELECT run_id, job, status, finished_at - started_at AS duration, rows_out FROM pipeline_runs ORDER BY started_at DESC LIMIT 10`},
		{Name: "attrib_migrations", Section: "bookkeeping", BuiltBy: "warehouse", Grain: "schema migration",
			About:   "Applied schema migrations.",
			Columns: []Column{{"version", "migration number"}, {"name", "migration name"}, {"applied_at", "when"}},
			Example: `SELECT * FROM attrib_migrations ORDER BY version`},
	}
}

var sectionTitles = []struct{ key, title string }{
	{"evaluation", "Evaluation tables"},
	{"attribution", "Attribution and identity tables"},
	{"input", "Input tables"},
	{"bookkeeping", "Bookkeeping tables"},
}

// RenderTablesDoc renders docs/tables.md from the Catalogue.
func RenderTablesDoc() string {
	var b strings.Builder
	b.WriteString("<!-- Generated from schema/catalogue.go by `go test -tags duckdb_arrow ./schema -run TestTablesDoc -update`; do not edit by hand. -->\n\n")
	b.WriteString("# Tables\n\n")
	b.WriteString("Every table of the warehouse, its grain, its columns and a query to start from. Evaluation and\n")
	b.WriteString("attribution tables are brought up to date by every run (only what new data changes, when it can:\n")
	b.WriteString("docs/operations.md) and replaced in one transaction: a reader sees the previous complete set or\n")
	b.WriteString("the new complete set, never a mix. Money columns are DECIMAL in the\n")
	b.WriteString("reporting currency; a ratio with a zero or missing divisor is NULL, never 0 or infinity.\n")
	b.WriteString("Conversions are sums of attribution credits. \"as_of\" is the latest touch, conversion or activity\n")
	b.WriteString("event in the warehouse: windows such as \"active in the last 30 days\" end there, not at the clock.\n\n")
	b.WriteString("| table | grain | built by |\n| --- | --- | --- |\n")
	for _, s := range sectionTitles {
		for _, t := range Catalogue {
			if t.Section == s.key {
				fmt.Fprintf(&b, "| [`%s`](#%s) | %s | %s |\n", t.Name, t.Name, t.Grain, t.BuiltBy)
			}
		}
	}
	for _, s := range sectionTitles {
		fmt.Fprintf(&b, "\n## %s\n", s.title)
		for _, t := range Catalogue {
			if t.Section != s.key {
				continue
			}
			fmt.Fprintf(&b, "\n### %s\n\n", t.Name)
			fmt.Fprintf(&b, "Grain: %s. Built by %s.\n\n%s\n\n", t.Grain, t.BuiltBy, t.About)
			b.WriteString("| column | definition |\n| --- | --- |\n")
			for _, c := range t.Columns {
				fmt.Fprintf(&b, "| `%s` | %s |\n", c.Name, strings.ReplaceAll(c.Definition, "|", "\\|"))
			}
			if t.Notes != "" {
				fmt.Fprintf(&b, "\n%s\n", t.Notes)
			}
			fmt.Fprintf(&b, "\n```sql\n%s;\n```\n", t.Example)
		}
	}
	return b.String()
}
