// Package mmm is attrib's media mix model: the incremental outcome of every
// spend channel measured from time series of spend and conversions, not
// from paths, so that channels leaving no touch (TV, outdoor) are measured.
//
// outcome[t] = baseline[t] + sum over channels of Beta * Hill(Adstock(spend)[t])
//
// The baseline has an intercept, a linear trend, yearly Fourier terms,
// weekday indicators (daily grain) and holiday indicators. Each channel has
// a geometric adstock decay and a Hill saturation (shape, half-saturation),
// chosen by out-of-sample error on rolling-origin holdouts; Betas are
// non-negative. Experiments (lift, geo, go-dark tests) calibrate the fit as
// weighted pseudo-observations of a channel's contribution over their
// window. Intervals come from a moving-block bootstrap of the residuals,
// seeded, so a fit is deterministic. Linear algebra and optimisation use
// gonum. The package is pure Go and never touches the warehouse.
package mmm
