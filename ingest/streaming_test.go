package ingest

import "testing"

// TestStreamingPath runs the loading tests again with every file taken through
// the path that files of smallFileBytes and more take: one scan of the file per
// step and the good rows inserted straight from it, no temp table of the file.
// (Test files are small, so the other tests cover the small-file path.)
func TestStreamingPath(t *testing.T) {
	// Not parallel: it switches the package variable smallFileBytes.
	defer func(n int64) { smallFileBytes = n }(smallFileBytes)
	smallFileBytes = 0
	for _, tc := range []struct {
		name string
		test func(*testing.T)
	}{
		{"BadInput", TestBadInput},
		{"BrokenStructuredFilesFail", TestBrokenStructuredFilesFail},
		{"CSVRejectLinesArePhysical", TestCSVRejectLinesArePhysical},
		{"MalformedNDJSONLines", TestMalformedNDJSONLines},
		{"MalformedNDJSONOverThreshold", TestMalformedNDJSONOverThreshold},
		{"SameContentSkipped", TestSameContentSkipped},
		{"ChangedFileLoadsNewRowsOnly", TestChangedFileLoadsNewRowsOnly},
		{"LateReExportNotLoadedTwice", TestLateReExportNotLoadedTwice},
		{"FileChangedBeforeCommitNotLoaded", TestFileChangedBeforeCommitNotLoaded},
		{"RejectThreshold", TestRejectThreshold},
		{"FxConversion", TestFxConversion},
		{"RowIDKeepsNullPositions", TestRowIDKeepsNullPositions},
		{"Formats", TestFormats},
		{"ArrowLeavesNoView", TestArrowLeavesNoView},
		{"Parquet", TestParquet},
		{"ArrowUnmappedColumns", TestArrowUnmappedColumns},
		{"NativeTypesKeepRowIDs", TestNativeTypesKeepRowIDs},
		{"PIINeverReachesTheFile", TestPIINeverReachesTheFile},
		{"ExperimentsLoad", TestExperimentsLoad},
		{"ExperimentsRejects", TestExperimentsRejects},
		{"ExperimentsExactlyOnce", TestExperimentsExactlyOnce},
		{"ExperimentsMapped", TestExperimentsMapped},
		{"ExperimentsFormats", TestExperimentsFormats},
	} {
		t.Run(tc.name, tc.test)
	}
}
