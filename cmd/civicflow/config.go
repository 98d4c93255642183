package main

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/civicflow/civicflow/config"
	"github.com/civicflow/civicflow/ops/storage"
)

// configFlag is the root's persistent flag naming the configuration file.
const configFlag = "config"

// loadConfig loads the configuration for cmd: the file named by --config
// (else $CIVICFLOW_CONFIG, else ./civicflow.yaml if it exists), the
// environment, and those of cmd's flags that the user set, which flagKeys
// maps to configuration keys, e.g. {"db": "store.sqlite.path"}. A
// configuration error is a [usageError] (exit code 2).
func loadConfig(cmd *cobra.Command, flagKeys map[string]string) (config.Config, error) {
	return loadConfigSources(cmd, flagKeys, nil)
}

// loadConfigSources is loadConfig that also records in sources, when not nil, where each chosen
// value came from (see [config.Options.Sources]).
func loadConfigSources(cmd *cobra.Command, flagKeys map[string]string, sources map[string]string) (config.Config, error) {
	env := environ(cmd.Context())
	file, _ := cmd.Flags().GetString(configFlag)
	if !cmd.Flags().Changed(configFlag) {
		file = lookupEnv(env, config.EnvConfigFile)
	}
	flags := make(map[string]*pflag.Flag, len(flagKeys))
	for name, key := range flagKeys {
		f := cmd.Flags().Lookup(name)
		if f == nil {
			return config.Config{}, fmt.Errorf("%s has no flag --%s for %s", cmd.CommandPath(), name, key)
		}
		flags[key] = f
	}
	cfg, err := config.Load(config.Options{File: file, Flags: flags, Environ: env, Sources: sources})
	if err != nil {
		return config.Config{}, &usageError{err}
	}
	if f := flags["store.sqlite.path"]; f != nil && f.Changed {
		// --db PATH names a SQLite file: the command works on it, whatever store.backend says.
		cfg.Store.Backend = storage.SQLite
	}
	return cfg, nil
}

// environKey is the context key of the environment commands see.
type environKey struct{}

// withEnviron returns ctx carrying environ, the KEY=VALUE environment that
// loadConfig reads, so that tests need not change the process environment.
func withEnviron(ctx context.Context, environ []string) context.Context {
	return context.WithValue(ctx, environKey{}, environ)
}

// environ returns the environment carried by ctx, or the process's.
func environ(ctx context.Context) []string {
	if env, ok := ctx.Value(environKey{}).([]string); ok && env != nil {
		return env
	}
	return os.Environ()
}

// lookupEnv returns the value of name in environ, "" if it is not set.
func lookupEnv(environ []string, name string) string {
	value := ""
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok && k == name {
			value = v // the last one wins, as with os.Getenv
		}
	}
	return value
}
