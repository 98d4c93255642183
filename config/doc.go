// Package config is civicflow's typed configuration, and the only package
// that imports viper.
//
// [Load] builds a [Config] from four sources; a later one overrides an
// earlier one key by key:
//
//  1. the defaults, [Default];
//  2. a YAML file: the one named by [Options.File] (the CLI's --config flag
//     or CIVICFLOW_CONFIG), else civicflow.yaml in the working directory if
//     it exists. civicflow.example.yaml at the repository root lists every
//     key with its default and explains it;
//  3. the environment: each key has a variable, [EnvVar], e.g.
//     CIVICFLOW_STORE_SQLITE_PATH for store.sqlite.path;
//  4. the command-line flags bound in [Options.Flags], where set.
//
// Load is strict, so that a typo cannot silently leave a default in place:
// a key in the file or a CIVICFLOW_ variable that names no key is an error
// wrapping [ErrUnknownKey], and a value that does not parse as its key's
// type is an error. Values are parsed by the same rules whatever their
// source: integers in decimal, booleans as true or false (or 1, 0, t, f),
// durations with a unit ("5s", "250ms"). An empty variable counts as unset.
// Load then runs [Config.Validate], and reports all problems together, each
// as a [*KeyError] naming the dotted key and where its value came from.
//
// These CIVICFLOW_ variables are reserved for other uses and ignored:
// CIVICFLOW_CONFIG (the file, read by the CLI), CIVICFLOW_TEST_* (for
// tests), CIVICFLOW_BENCH_* (for benchmarks), and CIVICFLOW_ESDB_URL and CIVICFLOW_POSTGRES_URL (the servers
// integration tests run against).
//
// A command loads its configuration like this, binding its --db flag to
// store.sqlite.path:
//
//	cfg, err := config.Load(config.Options{
//		File:  configPath, // "" looks for ./civicflow.yaml
//		Flags: map[string]*pflag.Flag{"store.sqlite.path": cmd.Flags().Lookup("db")},
//	})
//	if err != nil {
//		return err // e.g. store.sqlite.busy_timeout (from env CIVICFLOW_STORE_SQLITE_BUSY_TIMEOUT): "soon" is not a duration …
//	}
//	db := cfg.Store.SQLite.Path
//
// Keep components independent of this package: cmd/civicflow, the
// composition root, copies the values each needs into its own Config type.
package config
