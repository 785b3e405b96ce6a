package main

import (
	"context"
	"fmt"

	"attrib/config"
	"attrib/warehouse"
)

func loadConfig(g *globalFlags) (*config.Config, error) {
	return config.Load(config.Find(g.config))
}

func openWarehouse(ctx context.Context, cfg *config.Config, readOnly bool) (*warehouse.Warehouse, error) {
	w, err := warehouse.Open(ctx, warehouse.Options{
		Path:          cfg.WarehousePath(),
		MemoryLimit:   cfg.Warehouse.MemoryLimit,
		Threads:       cfg.Warehouse.Threads,
		TempDirectory: cfg.Resolve(cfg.Warehouse.TempDirectory),
		TimeZone:      cfg.Timezone,
		ReadOnly:      readOnly,
	})
	if err != nil {
		return nil, err
	}
	return w, nil
}

func plural(n int64, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}
