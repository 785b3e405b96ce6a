// Package mmm is attrib's media mix model: the incremental outcome of every
// spend channel measured from time series of spend and conversions, not
// from paths, so that channels leaving no touch (TV, outdoor) are measured.
//
//	outcome[t] = baseline[t] + sum over channels of Beta * Hill(Adstock(spend)[t]) + e[t]
//
// The package is pure Go (gonum for the linear algebra and statistics) and
// never touches the warehouse. The parts, each in its own file:
//
//   - Adstock (adstock.go): normalised geometric carry-over; the level
//     before the data starts is the mean spend of the first
//     ceil(1/(1-decay)) periods. Hill and HillDeriv (hill.go).
//   - Baseline (baseline.go): intercept, linear trend, yearly Fourier
//     pairs, weekday indicators (daily grain) and one indicator per holiday.
//     The regressors but the intercept are centred and have free
//     coefficients; the intercept, which is then the baseline's mean over
//     the series, is constrained to be >= 0. So the baseline's mean is
//     never negative (the channels' summed contribution cannot exceed the
//     fitted outcome); per period it can dip below 0 only through the
//     season, weekday, trend or holiday terms. The yearly terms are left out, with
//     a warning, when the shortest training part of the holdout folds spans
//     less than 365 days.
//   - Identification (fit.go): a channel with spend in fewer than
//     MinSpendPeriods periods (default 8 daily, 6 weekly: a few pulses
//     with carry-over identify a channel), or whose spend has a coefficient
//     of variation below 0.05, is not identified (zero contribution, Why in
//     plain words), unless an experiment measures it (calibrate.go).
//   - Regression (design.go, nnls.go): least squares with the channel
//     coefficients and the intercept >= 0 and the other baseline
//     coefficients free, those partialled out of the normal equations and
//     the channels and the intercept solved by a Lawson-Hanson NNLS on
//     standardised columns (gonum Cholesky sub-solves, a 1e-6 ridge on the
//     standardised equations). Shrinkage: a ridge penalty on each channel's
//     mean contribution (a half-normal prior with scale kappa x mean
//     outcome), which pulls channels, always-on ones most, towards 0.
//   - Hyperparameters (search.go): decay, shape and half-saturation per
//     channel, and the shrinkage's kappa (from 0 = none, 1, 0.3, 0.1),
//     chosen by rolling-origin holdout error plus the experiments' misfit
//     and a weak prior, by coordinate descent over channels (grid, then
//     gonum Nelder-Mead) and kappa; the model is then refitted on all
//     periods. A channel keeps an effect only as far as it predicts the
//     holdouts better than the intercept.
//   - Experiments (calibrate.go): weighted pseudo-observations of a
//     channel's contribution over their window.
//   - Revenue (final.go): Input.Revenue fitted with the outcome's
//     hyperparameters (own baseline, own NNLS).
//   - Intervals (bootstrap.go): moving-block bootstrap of the residuals of
//     the unshrunk fit, with the selection rerun cheaply in every replicate
//     (kappa from its grid, each channel's hyperparameters moved to a
//     better neighbour); experiments' lifts redrawn from their standard
//     errors; channels whose spend moves in lockstep (their split carries
//     no information) get intervals spanning the possible splits. An
//     interval always contains its point value.
//   - Allocate (allocate.go): a fixed budget moved along response curves
//     towards equal marginal return, S-shaped curves included.
//
// Fit statistics: R2 and NRMSE (RMSE over the range of the outcome) in
// sample; HoldoutMAPE over the holdout periods with outcome > 0 at the
// chosen hyperparameters; BaselineShare = sum(Baseline)/sum(Fitted), in
// [0, 1] (sum(Baseline) is periods x intercept).
//
// Too little data is an error, not a degraded fit: FitModel needs one
// holdout fold after a training part of max(HoldoutPeriods, regressors+10)
// periods (112 days with the daily defaults, so one month of data is
// rejected); with fewer periods than the requested folds need it uses
// fewer folds and says so in Warnings.
//
// Determinism: nothing depends on map order or goroutine scheduling. The
// search and the bootstrap use up to GOMAXPROCS goroutines; each candidate
// and each bootstrap replicate (its own PCG generator seeded with Seed and
// its index) is computed independently and stored by index. Two fits of the
// same input with the same seed are identical; the point fit does not
// depend on the seed.
package mmm
