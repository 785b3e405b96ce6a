package jobs

import (
	"context"

	"attrib/config"
	"attrib/ingest"
)

// ingestStage loads the configured sources' new files into the input
// datasets, committing file by file on connections of its own. It reads no
// table another stage builds and hands none on: the transform reads the
// datasets from the warehouse.
func ingestStage() Stage {
	return Stage{
		Name:   "ingest",
		Writes: append(config.DatasetNames(), "ingest_files", "rejected_rows"),
		Run:    runIngest,
	}
}

func runIngest(ctx context.Context, s *Session) (int64, string, error) {
	rep, err := ingest.Run(ctx, s.W, s.Cfg, ingest.Options{Progress: s.Hooks.Ingest})
	s.Ingest = rep
	read, loaded, _, _ := rep.Totals()
	s.RowsIn += read
	return loaded, "", err
}
