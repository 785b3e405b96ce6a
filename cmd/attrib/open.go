package main

import (
	"context"
	"os"

	"attrib/config"
	"attrib/jobs"
	"attrib/warehouse"
)

func loadConfig(g *globalFlags) (*config.Config, error) {
	return config.Load(config.Find(g.config))
}

func openWarehouse(ctx context.Context, cfg *config.Config, readOnly bool) (*warehouse.Warehouse, error) {
	return warehouse.Open(ctx, warehouse.Options{
		Path:          cfg.WarehousePath(),
		MemoryLimit:   cfg.Warehouse.MemoryLimit,
		Threads:       cfg.Warehouse.Threads,
		TempDirectory: cfg.Resolve(cfg.Warehouse.TempDirectory),
		TimeZone:      cfg.Timezone,
		ReadOnly:      readOnly,
		QueryLog:      os.Getenv("ATTRIB_QUERY_LOG"), // profiling: docs/operations.md
	})
}

// cliRunner opens the warehouse for writing and returns a runner for the
// named job (default: the first) with terminal progress; done closes the warehouse.
func cliRunner(ctx context.Context, cfg *config.Config, jobName string) (r *jobs.Runner, j config.Job, w *warehouse.Warehouse, err error) {
	if j, err = cfg.Job(jobName); err != nil {
		return nil, j, nil, err
	}
	if w, err = openWarehouse(ctx, cfg, false); err != nil {
		return nil, j, nil, err
	}
	if r, err = jobs.NewRunner(ctx, w, cfg); err != nil {
		_ = w.Close()
		return nil, j, nil, err
	}
	r.Hooks = jobs.Hooks{Ingest: newFileProgress(), Step: stepProgress(), Attempt: logRetry(j.Retries)}
	return r, j, w, nil
}
