package config_test

import (
	"fmt"

	"github.com/civicflow/civicflow/config"
)

func ExampleLoad() {
	cfg, err := config.Load(config.Options{
		File:    "../civicflow.example.yaml",
		Environ: []string{"CIVICFLOW_STORE_SQLITE_PATH=/var/lib/civicflow/events.db"},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(cfg.Store.SQLite.Path, cfg.Store.SQLite.BusyTimeout)
	// Output: /var/lib/civicflow/events.db 5s
}

func ExampleLoad_errors() {
	_, err := config.Load(config.Options{
		File: "../civicflow.example.yaml",
		Environ: []string{
			"CIVICFLOW_STORE_SQLITE_BUSY_TIMEOUT=soon",
			"CIVICFLOW_STORE_SQLITE_PAHT=/tmp/x.db",
		},
	})
	fmt.Println(err)
	// Output:
	// env CIVICFLOW_STORE_SQLITE_PAHT: unknown configuration key (did you mean CIVICFLOW_STORE_SQLITE_PATH?)
	// store.sqlite.busy_timeout (from env CIVICFLOW_STORE_SQLITE_BUSY_TIMEOUT): "soon" is not a duration (write e.g. "5s" or "250ms")
}
