package config_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"

	"github.com/civicflow/civicflow/config"
)

// source is the input of one Load: a file, an environment and the
// arguments parsed by the test flag set (see testFlags).
type source struct {
	file string // contents of civicflow.yaml in a temporary directory; "" for no file
	env  []string
	args []string
}

// load writes src.file, parses src.args and calls config.Load.
func load(t *testing.T, src source) (config.Config, error) {
	t.Helper()
	opts := config.Options{Environ: append([]string{}, src.env...), Flags: testFlags(t, src.args)}
	if src.file != "" {
		opts.File = writeFile(t, "civicflow.yaml", src.file)
	}
	return config.Load(opts)
}

// writeFile writes contents to name in a new temporary directory.
func writeFile(t *testing.T, name, contents string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(contents), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// testFlags parses args with flags bound to some keys, with flag defaults
// that differ from the configuration defaults: they must never apply.
func testFlags(t *testing.T, args []string) map[string]*pflag.Flag {
	t.Helper()
	flags := pflag.NewFlagSet("test", pflag.ContinueOnError)
	flags.String("db", "flag-default.db", "")
	flags.String("sync", "off", "")
	flags.Bool("allow-loss", true, "")
	flags.Duration("busy", time.Hour, "")
	flags.Int("batch", 9, "")
	if err := flags.Parse(args); err != nil {
		t.Fatal(err)
	}
	return map[string]*pflag.Flag{
		"store.sqlite.path":            flags.Lookup("db"),
		"store.sqlite.synchronous":     flags.Lookup("sync"),
		"store.sqlite.allow_data_loss": flags.Lookup("allow-loss"),
		"store.sqlite.busy_timeout":    flags.Lookup("busy"),
		"store.sqlite.max_batch":       flags.Lookup("batch"),
	}
}

func TestLoad(t *testing.T) {
	tests := []struct {
		name string
		src  source
		want func(*config.Config)
	}{
		{
			name: "uses_defaults_without_file_env_or_flags",
			want: func(*config.Config) {},
		},
		{
			name: "file_overrides_defaults",
			src: source{file: `
store:
  max_event_bytes: 2048
  sqlite:
    path: /srv/civicflow/events.db
    busy_timeout: 250ms
log:
  format: json
`},
			want: func(c *config.Config) {
				c.Store.MaxEventBytes = 2048
				c.Store.SQLite.Path = "/srv/civicflow/events.db"
				c.Store.SQLite.BusyTimeout = 250 * time.Millisecond
				c.Log.Format = "json"
			},
		},
		{
			name: "env_overrides_file",
			src: source{
				file: "store:\n  sqlite:\n    path: from-file.db\n    max_batch: 10\n",
				env:  []string{"CIVICFLOW_STORE_SQLITE_PATH=from-env.db"},
			},
			want: func(c *config.Config) {
				c.Store.SQLite.Path = "from-env.db"
				c.Store.SQLite.MaxBatch = 10
			},
		},
		{
			name: "flag_overrides_env",
			src: source{
				file: "store:\n  sqlite:\n    path: from-file.db\n",
				env:  []string{"CIVICFLOW_STORE_SQLITE_PATH=from-env.db", "CIVICFLOW_STORE_SQLITE_MAX_BATCH=20"},
				args: []string{"--db", "from-flag.db"},
			},
			want: func(c *config.Config) {
				c.Store.SQLite.Path = "from-flag.db"
				c.Store.SQLite.MaxBatch = 20
			},
		},
		{
			name: "ignores_flags_the_user_did_not_set",
			src:  source{file: "store:\n  sqlite:\n    path: from-file.db\n"},
			want: func(c *config.Config) { c.Store.SQLite.Path = "from-file.db" },
		},
		{
			name: "parses_typed_flags",
			src:  source{args: []string{"--busy=2s", "--batch=100", "--sync=normal", "--allow-loss"}},
			want: func(c *config.Config) {
				c.Store.SQLite.BusyTimeout = 2 * time.Second
				c.Store.SQLite.MaxBatch = 100
				c.Store.SQLite.Synchronous = "normal"
				c.Store.SQLite.AllowDataLoss = true
			},
		},
		{
			name: "parses_env_values_like_file_values",
			src: source{env: []string{
				"CIVICFLOW_STORE_MAX_EVENT_BYTES=4096",
				"CIVICFLOW_STORE_SQLITE_BUSY_TIMEOUT=1m30s",
				"CIVICFLOW_STORE_SQLITE_SYNCHRONOUS=off",
				"CIVICFLOW_STORE_SQLITE_ALLOW_DATA_LOSS=true",
				"CIVICFLOW_LOG_LEVEL=debug",
			}},
			want: func(c *config.Config) {
				c.Store.MaxEventBytes = 4096
				c.Store.SQLite.BusyTimeout = 90 * time.Second
				c.Store.SQLite.Synchronous = "off"
				c.Store.SQLite.AllowDataLoss = true
				c.Log.Level = "debug"
			},
		},
		{
			name: "accepts_normal_sync_with_allow_data_loss",
			src:  source{file: "store:\n  sqlite:\n    synchronous: normal\n    allow_data_loss: true\n"},
			want: func(c *config.Config) {
				c.Store.SQLite.Synchronous = "normal"
				c.Store.SQLite.AllowDataLoss = true
			},
		},
		{
			name: "ignores_reserved_env_vars",
			src: source{env: []string{
				"CIVICFLOW_CONFIG=/elsewhere.yaml",
				"CIVICFLOW_TEST_ANYTHING=1",
				"CIVICFLOW_BENCH_HISTORY_EVENTS=1000",
				"CIVICFLOW_ESDB_URL=esdb://localhost:2113",
				"CIVICFLOW_POSTGRES_URL=postgres://localhost/civicflow",
				"HOME=/root",
			}},
			want: func(*config.Config) {},
		},
		{
			name: "treats_empty_env_var_as_unset",
			src:  source{env: []string{"CIVICFLOW_STORE_SQLITE_PATH="}},
			want: func(*config.Config) {},
		},
		{
			name: "treats_empty_section_as_defaults",
			src:  source{file: "store:\nlog:\n  level: warn\n"},
			want: func(c *config.Config) { c.Log.Level = "warn" },
		},
		{
			name: "accepts_whole_numbers_and_zero_duration",
			src:  source{file: "store:\n  max_event_bytes: 1e6\n  sqlite:\n    busy_timeout: 0\n"},
			want: func(c *config.Config) {
				c.Store.MaxEventBytes = 1000000
				c.Store.SQLite.BusyTimeout = 0
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := load(t, tt.src)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			want := config.Default()
			tt.want(&want)
			if got != want {
				t.Errorf("Load =\n%+v\nwant\n%+v", got, want)
			}
		})
	}
}

func TestLoad_rejects(t *testing.T) {
	tests := []struct {
		name string
		src  source
		want []string // substrings of the error, one per problem
	}{
		{
			name: "rejects_unknown_key_in_file",
			src:  source{file: "store:\n  sqlite:\n    pahth: x.db\n"},
			want: []string{"store.sqlite.pahth (from file ", "unknown configuration key (did you mean store.sqlite.path?)"},
		},
		{
			name: "rejects_unknown_section_in_file",
			src:  source{file: "metrics:\n  listen: :9090\n"},
			want: []string{"metrics.listen (from file ", "unknown configuration key"},
		},
		{
			name: "rejects_unknown_env_var",
			src:  source{env: []string{"CIVICFLOW_STORE_SQLITE_PAHT=x.db"}},
			want: []string{"env CIVICFLOW_STORE_SQLITE_PAHT: unknown configuration key (did you mean CIVICFLOW_STORE_SQLITE_PATH?)"},
		},
		{
			name: "rejects_unknown_env_var_even_when_empty",
			src:  source{env: []string{"CIVICFLOW_LOG_LEVLE="}},
			want: []string{"env CIVICFLOW_LOG_LEVLE: unknown configuration key"},
		},
		{
			name: "rejects_bad_int_in_file",
			src:  source{file: "store:\n  max_event_bytes: lots\n"},
			want: []string{`store.max_event_bytes (from file `, `"lots" is not an integer`},
		},
		{
			name: "rejects_fractional_int_in_file",
			src:  source{file: "store:\n  sqlite:\n    max_batch: 1.5\n"},
			want: []string{"store.sqlite.max_batch (from file ", "1.5 is not an integer"},
		},
		{
			name: "rejects_bad_duration_in_file",
			src:  source{file: "store:\n  sqlite:\n    busy_timeout: soon\n"},
			want: []string{"store.sqlite.busy_timeout (from file ", `"soon" is not a duration`},
		},
		{
			name: "rejects_duration_without_unit_in_file",
			src:  source{file: "store:\n  sqlite:\n    busy_timeout: 5000\n"},
			want: []string{"store.sqlite.busy_timeout (from file ", "5000 is not a duration: give a unit"},
		},
		{
			name: "rejects_bad_bool_in_file",
			src:  source{file: "store:\n  sqlite:\n    allow_data_loss: maybe\n"},
			want: []string{"store.sqlite.allow_data_loss (from file ", `"maybe" is not a boolean`},
		},
		{
			name: "rejects_number_for_string_in_file",
			src:  source{file: "store:\n  sqlite:\n    path: 2024\n"},
			want: []string{"store.sqlite.path (from file ", "expected a string, got 2024"},
		},
		{
			name: "rejects_bad_enum_in_file",
			src:  source{file: "log:\n  level: verbose\n"},
			want: []string{`log.level (from file `, `"verbose" is not one of info, debug, warn, error`},
		},
		{
			name: "rejects_bad_int_in_env",
			src:  source{env: []string{"CIVICFLOW_STORE_MAX_EVENT_BYTES=1MiB"}},
			want: []string{`store.max_event_bytes (from env CIVICFLOW_STORE_MAX_EVENT_BYTES): "1MiB" is not an integer`},
		},
		{
			name: "rejects_bad_duration_in_env",
			src:  source{env: []string{"CIVICFLOW_STORE_SQLITE_BUSY_TIMEOUT=soon"}},
			want: []string{`store.sqlite.busy_timeout (from env CIVICFLOW_STORE_SQLITE_BUSY_TIMEOUT): "soon" is not a duration`},
		},
		{
			name: "rejects_bad_bool_in_env",
			src:  source{env: []string{"CIVICFLOW_STORE_SQLITE_ALLOW_DATA_LOSS=yes"}},
			want: []string{`store.sqlite.allow_data_loss (from env CIVICFLOW_STORE_SQLITE_ALLOW_DATA_LOSS): "yes" is not a boolean`},
		},
		{
			name: "rejects_bad_enum_in_env",
			src:  source{env: []string{"CIVICFLOW_LOG_FORMAT=xml"}},
			want: []string{`log.format (from env CIVICFLOW_LOG_FORMAT): "xml" is not one of text, json`},
		},
		{
			name: "rejects_bad_enum_from_flag",
			src:  source{args: []string{"--sync", "fast"}},
			want: []string{`store.sqlite.synchronous (from flag --sync): "fast" is not one of full, extra, normal, off`},
		},
		{
			name: "rejects_out_of_range_from_flag",
			src:  source{args: []string{"--batch", "0"}},
			want: []string{"store.sqlite.max_batch (from flag --batch): must be between 1 and 10000, got 0"},
		},
		{
			name: "rejects_normal_sync_without_allow_data_loss",
			src:  source{file: "store:\n  sqlite:\n    synchronous: normal\n"},
			want: []string{`store.sqlite.synchronous (from file `, `"normal" may lose acknowledged writes on power loss; set store.sqlite.allow_data_loss to true`},
		},
		{
			name: "rejects_off_sync_without_allow_data_loss",
			src:  source{env: []string{"CIVICFLOW_STORE_SQLITE_SYNCHRONOUS=off"}},
			want: []string{`store.sqlite.synchronous (from env CIVICFLOW_STORE_SQLITE_SYNCHRONOUS): "off" may lose`, "store.sqlite.allow_data_loss"},
		},
		{
			name: "rejects_value_for_section",
			src:  source{file: "store: sqlite\n"},
			want: []string{`store (from file `, `expected a section of keys, got "sqlite"`},
		},
		{
			name: "rejects_value_for_section_even_when_env_sets_keys_below",
			src:  source{file: "store: 5\n", env: []string{"CIVICFLOW_STORE_BACKEND=sqlite"}},
			want: []string{`store (from file `, `expected a section of keys, got 5`},
		},
		{
			name: "rejects_value_for_nested_section_even_when_flags_set_keys_below",
			src:  source{file: "store:\n  sqlite: fast\n", args: []string{"--db=x.db"}},
			want: []string{`store.sqlite (from file `, `expected a section of keys, got "fast"`},
		},
		{
			name: "rejects_section_for_value",
			src:  source{file: "store:\n  sqlite:\n    path:\n      dir: /srv\n"},
			want: []string{"store.sqlite.path (from file ", "expected a string, got a section of keys"},
		},
		{
			name: "rejects_malformed_yaml",
			src:  source{file: "store:\n  backend: [sqlite\n"},
			want: []string{"config file ", "yaml:"},
		},
		{
			name: "reports_all_problems",
			src: source{
				file: `
store:
  backend: mysql
  max_event_bytes: 0
  sqlite:
    path: ""
    busy_timeout: soon
    colour: blue
log:
  level: loud
`,
				env:  []string{"CIVICFLOW_NOPE=1", "CIVICFLOW_STORE_SQLITE_MAX_BATCH=-1"},
				args: []string{"--sync=normal", "--allow-loss=false"},
			},
			want: []string{
				"env CIVICFLOW_NOPE: unknown configuration key",
				"store.sqlite.colour (from file ",
				"store.sqlite.busy_timeout (from file ",
				`store.backend (from file `,
				"store.max_event_bytes (from file ",
				"store.sqlite.path (from file ",
				"store.sqlite.max_batch (from env CIVICFLOW_STORE_SQLITE_MAX_BATCH): must be between 1 and 10000, got -1",
				`store.sqlite.synchronous (from flag --sync): "normal" may lose`,
				`log.level (from file `,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := load(t, tt.src)
			if err == nil {
				t.Fatalf("Load = %+v, want an error", got)
			}
			if got != (config.Config{}) {
				t.Errorf("Load returned %+v with its error, want the zero Config", got)
			}
			for _, want := range tt.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error does not contain %q:\n%v", want, err)
				}
			}
		})
	}
}

func TestLoad_unknown_keys_wrap_ErrUnknownKey(t *testing.T) {
	tests := []struct {
		name string
		src  source
	}{
		{name: "in_file", src: source{file: "log:\n  colour: red\n"}},
		{name: "in_env", src: source{env: []string{"CIVICFLOW_LOG_COLOUR=red"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := load(t, tt.src)
			if !errors.Is(err, config.ErrUnknownKey) {
				t.Errorf("Load error = %v, want one wrapping ErrUnknownKey", err)
			}
		})
	}
}

func TestLoad_reports_KeyError_with_key_and_source(t *testing.T) {
	_, err := load(t, source{env: []string{"CIVICFLOW_STORE_SQLITE_BUSY_TIMEOUT=-1s"}})
	var ke *config.KeyError
	if !errors.As(err, &ke) {
		t.Fatalf("Load error = %v, want a *KeyError", err)
	}
	if ke.Key != "store.sqlite.busy_timeout" || ke.Source != "env CIVICFLOW_STORE_SQLITE_BUSY_TIMEOUT" {
		t.Errorf("KeyError{Key: %q, Source: %q}, want store.sqlite.busy_timeout from env CIVICFLOW_STORE_SQLITE_BUSY_TIMEOUT", ke.Key, ke.Source)
	}
}

func TestLoad_file(t *testing.T) {
	t.Run("rejects_missing_explicit_file", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "missing.yaml")
		_, err := config.Load(config.Options{File: path, Environ: []string{}})
		if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), path) {
			t.Errorf("Load error = %v, want fs.ErrNotExist naming %s", err, path)
		}
	})
	t.Run("rejects_unsupported_extension", func(t *testing.T) {
		path := writeFile(t, "civicflow.json", `{"log": {"level": "debug"}}`)
		_, err := config.Load(config.Options{File: path, Environ: []string{}})
		if err == nil || !strings.Contains(err.Error(), `unsupported format ".json"`) {
			t.Errorf("Load error = %v, want unsupported format", err)
		}
	})
	t.Run("accepts_yml_extension", func(t *testing.T) {
		path := writeFile(t, "civicflow.yml", "log:\n  level: debug\n")
		got, err := config.Load(config.Options{File: path, Environ: []string{}})
		if err != nil || got.Log.Level != "debug" {
			t.Errorf("Load = %+v, %v; want log.level debug", got, err)
		}
	})
	t.Run("reads_civicflow_yaml_in_working_directory", func(t *testing.T) {
		path := writeFile(t, "civicflow.yaml", "log:\n  level: error\n")
		t.Chdir(filepath.Dir(path))
		got, err := config.Load(config.Options{Environ: []string{}})
		if err != nil || got.Log.Level != "error" {
			t.Errorf("Load = %+v, %v; want log.level error", got, err)
		}
	})
	t.Run("uses_defaults_without_civicflow_yaml_in_working_directory", func(t *testing.T) {
		t.Chdir(t.TempDir())
		got, err := config.Load(config.Options{Environ: []string{}})
		if err != nil || got != config.Default() {
			t.Errorf("Load = %+v, %v; want Default()", got, err)
		}
	})
	t.Run("rejects_flag_bound_to_unknown_key", func(t *testing.T) {
		flags := pflag.NewFlagSet("test", pflag.ContinueOnError)
		flags.String("db", "", "")
		_, err := config.Load(config.Options{
			Flags:   map[string]*pflag.Flag{"store.path": flags.Lookup("db")},
			Environ: []string{},
		})
		if !errors.Is(err, config.ErrUnknownKey) || !strings.Contains(err.Error(), "store.path") {
			t.Errorf("Load error = %v, want ErrUnknownKey naming store.path", err)
		}
	})
}
