// Package transform turns loaded datasets into attribution results:
// channel classification (package channel), identity stitching (union-find
// over identifiers seen together), conversion paths within each conversion
// type's lookback window, and credits per conversion, touch and model
// (rule-based models in SQL, data-driven kernels in package attribution).
//
// Working tables are temporary tables on one connection; results are built
// under _next_ names and published together by Publish in one transaction,
// so a reader sees the previous complete results or the new ones, never a mix.
package transform
