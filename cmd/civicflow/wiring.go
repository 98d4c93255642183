package main

import (
	"github.com/civicflow/civicflow/config"
	"github.com/civicflow/civicflow/ops/sqlite"
)

// sqliteConfig maps the configuration to the embedded store's settings.
func sqliteConfig(cfg config.Config) sqlite.Config {
	busy := cfg.Store.SQLite.BusyTimeout
	if busy == 0 {
		busy = -1 // configured "0": fail at once (sqlite.Config reads 0 as its default)
	}
	return sqlite.Config{
		Path:          cfg.Store.SQLite.Path,
		Synchronous:   cfg.Store.SQLite.Synchronous,
		AllowDataLoss: cfg.Store.SQLite.AllowDataLoss,
		BusyTimeout:   busy,
		MaxBatch:      cfg.Store.SQLite.MaxBatch,
		MaxEventBytes: cfg.Store.MaxEventBytes,
	}
}
