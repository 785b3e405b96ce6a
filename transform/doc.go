// Package transform turns loaded datasets into attribution results:
// channel classification (package channel), identity stitching (union-find
// over identifiers seen together), conversion paths within each conversion
// type's lookback window, and credits per conversion, touch and model
// (rule-based models in SQL, data-driven kernels in package attribution).
//
// Working tables are temporary tables on one connection; results are built
// under _next_ names and published together by Publish in one transaction,
// so a reader sees the previous complete results or the new ones, never a mix.
//
// Runs are incremental when they can be (incremental.go): identities are
// stitched only for the rows of loads the published results do not include,
// and paths are rebuilt only for the people those rows touch; what depends on
// everyone (data-driven fits, credits, evaluation) is rebuilt in full. The
// state that makes this possible lives in schema attrib_state and commits
// with the published results (Result.Commit). Whoever changes what the
// transform builds must bump stateVersion, so that the first run of the new
// version rebuilds everything instead of mixing old and new rows.
package transform
