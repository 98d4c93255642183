package main

import (
	"github.com/spf13/cobra"

	"github.com/civicflow/civicflow/config"
)

// demoAddr is where "serve --demo" listens unless an address is chosen (flag, environment or
// file): loopback only, since the demo's tokens lie in a file.
const demoAddr = "127.0.0.1:8080"

// serveConfig loads the configuration of "serve" and says whether --demo is set. With --demo and
// no address chosen, the server listens on demoAddr.
func serveConfig(cmd *cobra.Command) (config.Config, bool, error) {
	sources := map[string]string{}
	cfg, err := loadConfigSources(cmd, map[string]string{"addr": "server.addr", "db": "store.sqlite.path"}, sources)
	if err != nil {
		return cfg, false, err
	}
	demo, _ := cmd.Flags().GetBool("demo")
	if _, chosen := sources["server.addr"]; demo && !chosen {
		cfg.Server.Addr = demoAddr
	}
	return cfg, demo, nil
}
