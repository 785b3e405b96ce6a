// Package attribution holds attrib's data-driven attribution kernels in pure Go: path
// transforms, and the data-driven models (Markov chain removal effects, Shapley
// values over channel sets, and Google fractribution's simplified Shapley). It knows nothing of
// DuckDB or channel names; an Arrow boundary moves paths in and results out.
//
// # Data model
//
// Channels are dense ids 0..nChannels-1; the caller maps names to ids. A PathCount is one
// distinct touch sequence with the number of converting (Conversions) and non-converting
// (Nulls) people who took it and their total conversion value (Value). Every model rejects,
// with an error, an empty path (a conversion without touches belongs to the caller's
// "(unattributed)" channel), a channel id out of range, and a negative, NaN or infinite count
// or value, and value on a path without conversions.
//
// Per-path credit comes from a model's Credit method (the Crediter interface) as one weight
// per touch, in touch order, summing to 1; revenue credit is weight x revenue. ChannelTotals
// adds credits up per channel over many paths.
//
// # Determinism
//
// Results are bit-identical whatever the order of the input paths, and never come from random
// simulation. Counts that are whole numbers (with a total below 2^53) are summed exactly in
// input order; fractional counts are summed in a content-defined order; values and credit
// totals are summed exactly and rounded once. Markov states are numbered by their content.
//
// # Path transforms
//
// As in Google fractribution and snowplow's dbt port, on []int32, applied in a chain by
// PathTransformer (attribution.path_transforms): unique (fractribution's identity transform,
// repeats kept), exposure (consecutive repeats collapsed), first (first occurrence of each
// channel), frequency (distinct channels in order of first occurrence with their touch counts,
// fractribution's "D(2) > A(1)", each a state of its own), remove_if_not_all(X),
// remove_if_last_and_not_all(X) and trim_long(N) (last N touches). The rule-based models
// (first touch, last touch, position-based, ...) are not here: they run in SQL
// (package transform's rule credits), checked against a Go reference by a property test.
//
// # Markov
//
// Markov fits an order-k chain (k = 1..3) with ChannelAttribution's state encoding: the states
// of a path are its windows of k consecutive touches (a path shorter than k is one state holding
// all its touches), consecutive equal states collapse (for k = 1: consecutive repeats of a
// channel), and start, conversion and null states are added. Transitions along a path carry
// weight Conversions+Nulls; its last state goes to conversion with weight Conversions and to
// null with weight Nulls. So for k >= 2, A>A>B gives states (A,A),(A,B): repeats are collapsed
// at state level, as ChannelAttribution does, not before windowing.
//
// P(conversion from start) is the absorption probability of the chain, solved by Gauss-Seidel
// sweeps until no state's value changes by more than 1e-15 relative (an error, never a guess,
// if that takes more than 100000 sweeps). Removing channel c sends every transition into a state
// whose tuple contains c to null; RE(c) = 1 - P(without c)/P, in [0,1] (0 for every channel
// when P = 0). MarkovResult.Conversions is the global allocation RE(c)/sum(RE) x total
// conversions, comparable with ChannelAttribution's total_conversions. Value uses the value
// removal effect, ChannelAttribution's definition in expectation: a conversion from a state is
// worth the mean value per conversion of the paths ending there, and the expected value is
// solved like P. A converting path's credit goes to its distinct channels in proportion to RE
// (equal split when all are zero); a channel's touches share its part equally.
//
// # Shapley
//
// FitShapley aggregates paths by their set of distinct channels (a uint64 bitmask, so at most
// 64 channels) with v(S) = conversions/(conversions+nulls) of the paths whose set is exactly S
// (0 when none; v(empty) = 0). A converting path with set N gets the Shapley values of N's
// channels under v, negative values clipped to 0, normalised to sum 1 (equal split when all
// are zero); a channel's touches share its part equally. Shapley values are computed exactly
// for every set size, from phi_i = sum over T subset of N with v(T) != 0 of v(T) w(|T|-1) if
// i is in T else -v(T) w(|T|), w(s) = s!(n-s-1)!/n!: sets of up to 16 channels enumerate
// their subsets; larger ones enumerate whichever is smaller, their subsets or the list of
// observed sets (so a set of more than 16 channels costs O(number of distinct observed sets)).
// Each distinct converting set is computed once, at fit time.
//
// # Fractribution
//
// FitFractribution builds fractribution's path summary from exposure-transformed paths
// (duplicates merged by adding counts). Credit reproduces fractribution's "shapley" model, a
// leave-one-out marginal contribution: P(x) = conversions/(conversions+non-conversions) of path
// x in the summary (0 when absent); a one-channel path gets all credit; otherwise position i
// gets max(P(path) - P(path without position i), 0), the counterfactual taken as is, normalised
// to sum 1, with all credit to the last touch when every contribution is zero. Raw touches
// collapsed by the exposure transform share their position's credit equally.
//
// # Arrow
//
// PathsFromRecord reads steps LIST<INT32>, conversions DOUBLE, nulls DOUBLE and optional
// value DOUBLE columns (nulls in numeric columns read as 0).
package attribution
