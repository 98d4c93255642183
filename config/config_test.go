package config_test

import (
	"errors"
	"math"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/civicflow/civicflow/config"
)

// The example file at the repository root documents every key with its
// default; this keeps it from drifting.
func TestExampleFile(t *testing.T) {
	const path = "../civicflow.example.yaml"
	t.Run("equals_defaults", func(t *testing.T) {
		got, err := config.Load(config.Options{File: path, Environ: []string{}})
		if err != nil {
			t.Fatalf("Load: %v", err)
		}
		if got != config.Default() {
			t.Errorf("Load(%s) =\n%+v\nwant Default()\n%+v", path, got, config.Default())
		}
	})
	t.Run("lists_every_key", func(t *testing.T) {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var doc map[string]any
		if err := yaml.Unmarshal(data, &doc); err != nil {
			t.Fatal(err)
		}
		got := flatten(doc, "")
		slices.Sort(got)
		if want := config.Keys(); !slices.Equal(got, want) {
			t.Errorf("keys in %s = %v, want %v", path, got, want)
		}
	})
}

// flatten returns the dotted keys of the leaves of m.
func flatten(m map[string]any, prefix string) []string {
	var keys []string
	for k, v := range m {
		if sub, ok := v.(map[string]any); ok {
			keys = append(keys, flatten(sub, prefix+k+".")...)
			continue
		}
		keys = append(keys, prefix+k)
	}
	return keys
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(*config.Config)
		want   string // the whole error; "" for none
	}{
		{name: "accepts_defaults", change: func(*config.Config) {}},
		{
			name:   "rejects_unknown_synchronous_naming_the_key",
			change: func(c *config.Config) { c.Store.SQLite.Synchronous = "fast" },
			want:   `store.sqlite.synchronous: "fast" is not one of full, extra, normal, off`,
		},
		{
			name:   "rejects_zero_max_event_bytes",
			change: func(c *config.Config) { c.Store.MaxEventBytes = 0 },
			want:   "store.max_event_bytes: must be between 1 and 67108864, got 0",
		},
		{
			name:   "accepts_64_MiB_events",
			change: func(c *config.Config) { c.Store.MaxEventBytes = 64 << 20 },
		},
		{
			name:   "rejects_events_over_64_MiB",
			change: func(c *config.Config) { c.Store.MaxEventBytes = 64<<20 + 1 },
			want:   "store.max_event_bytes: must be between 1 and 67108864, got 67108865",
		},
		{
			name:   "rejects_blank_path",
			change: func(c *config.Config) { c.Store.SQLite.Path = "  " },
			want:   "store.sqlite.path: must not be empty",
		},
		{
			name:   "accepts_zero_busy_timeout",
			change: func(c *config.Config) { c.Store.SQLite.BusyTimeout = 0 },
		},
		{
			name:   "rejects_negative_busy_timeout",
			change: func(c *config.Config) { c.Store.SQLite.BusyTimeout = -time.Second },
			want:   "store.sqlite.busy_timeout: must be >= 0, got -1s",
		},
		{
			name:   "rejects_max_batch_over_10000",
			change: func(c *config.Config) { c.Store.SQLite.MaxBatch = 10001 },
			want:   "store.sqlite.max_batch: must be between 1 and 10000, got 10001",
		},
		{
			name:   "accepts_extra_synchronous_without_allow_data_loss",
			change: func(c *config.Config) { c.Store.SQLite.Synchronous = "extra" },
		},
		{
			name:   "rejects_off_synchronous_without_allow_data_loss",
			change: func(c *config.Config) { c.Store.SQLite.Synchronous = "off" },
			want: `store.sqlite.synchronous: "off" may lose acknowledged writes on power loss; ` +
				`set store.sqlite.allow_data_loss to true to accept that, or use "full"`,
		},
		{
			name: "accepts_off_synchronous_with_allow_data_loss",
			change: func(c *config.Config) {
				c.Store.SQLite.Synchronous = "off"
				c.Store.SQLite.AllowDataLoss = true
			},
		},
		{
			name:   "rejects_a_seal_key_that_is_not_a_signing_key_without_showing_it",
			change: func(c *config.Config) { c.Audit.SealKey = "vkey+secret" },
			want:   `audit.seal_key: is not a signing key (one starts with "PRIVATE+KEY+"; the value is not shown)`,
		},
		{
			name:   "rejects_unknown_log_format",
			change: func(c *config.Config) { c.Log.Format = "logfmt" },
			want:   `log.format: "logfmt" is not one of text, json`,
		},
		{name: "accepts_an_automatic_memory_limit", change: func(c *config.Config) { c.Server.MemoryLimit = "auto" }},
		{name: "accepts_no_memory_limit", change: func(c *config.Config) { c.Server.MemoryLimit = "off" }},
		{name: "accepts_a_memory_limit_in_mebibytes", change: func(c *config.Config) { c.Server.MemoryLimit = "256MiB" }},
		{name: "accepts_a_memory_limit_in_bytes", change: func(c *config.Config) { c.Server.MemoryLimit = "134217728" }},
		{
			name:   "rejects_a_memory_limit_with_an_unknown_unit",
			change: func(c *config.Config) { c.Server.MemoryLimit = "256MB" },
			want:   `server.memory_limit: "256MB" is not auto, off or a size such as 256MiB or 1GiB`,
		},
		{
			name:   "rejects_a_memory_limit_too_small_to_run",
			change: func(c *config.Config) { c.Server.MemoryLimit = "8MiB" },
			want:   `server.memory_limit: "8MiB" is less than 16MiB (or write auto or off)`,
		},
		{name: "accepts_a_loopback_debug_addr", change: func(c *config.Config) { c.Server.DebugAddr = "127.0.0.1:6060" }},
		{name: "accepts_localhost_debug_addr", change: func(c *config.Config) { c.Server.DebugAddr = "localhost:0" }},
		{name: "accepts_ipv6_loopback_debug_addr", change: func(c *config.Config) { c.Server.DebugAddr = "[::1]:6060" }},
		{
			name:   "rejects_a_debug_addr_on_every_interface",
			change: func(c *config.Config) { c.Server.DebugAddr = ":6060" },
			want:   `server.debug_addr: ":6060": host must be a loopback address (127.0.0.1, ::1 or localhost), the profiles are not for the network`,
		},
		{
			name:   "rejects_a_debug_addr_without_port",
			change: func(c *config.Config) { c.Server.DebugAddr = "127.0.0.1" },
			want:   `server.debug_addr: "127.0.0.1" is not host:port: address 127.0.0.1: missing port in address`,
		},
		{
			name:   "rejects_a_debug_addr_with_a_bad_port",
			change: func(c *config.Config) { c.Server.DebugAddr = "127.0.0.1:http" },
			want:   `server.debug_addr: "127.0.0.1:http": port "http" is not a number from 0 to 65535`,
		},
		{
			name: "accepts_postgres_with_url",
			change: func(c *config.Config) {
				c.Store.Backend, c.Store.Postgres.URL = "postgres", "postgres://civicflow@db:5432/civicflow"
			},
		},
		{
			name: "accepts_postgresql_scheme_and_other_schema",
			change: func(c *config.Config) {
				c.Store.Backend, c.Store.Postgres.URL, c.Store.Postgres.Schema = "postgres", "postgresql://db/x", "city_7"
			},
		},
		{
			name: "accepts_eventstoredb_with_url",
			change: func(c *config.Config) {
				c.Store.Backend, c.Store.EventStoreDB.URL = "eventstoredb", "esdb://127.0.0.1:2113?tls=false"
				c.Audit.SealInterval = 0
			},
		},
		{
			name: "accepts_eventstoredb_discover_url",
			change: func(c *config.Config) {
				c.Store.Backend, c.Store.EventStoreDB.URL = "eventstoredb", "esdb+discover://cluster:2113"
				c.Audit.SealInterval = 0
			},
		},
		{
			name: "accepts_nats_notify_with_a_url_on_postgres",
			change: func(c *config.Config) {
				c.Store.Backend, c.Store.Postgres.URL = "postgres", "postgres://db/x"
				c.Cluster.Notify, c.Cluster.NATS.URL = "nats", "nats://n1:4222, nats://n2:4222"
			},
		},
		{name: "accepts_poll_notify", change: func(c *config.Config) { c.Cluster.Notify = "poll" }},
		{
			name:   "rejects_an_unknown_notify",
			change: func(c *config.Config) { c.Cluster.Notify = "kafka" },
			want:   `cluster.notify: "kafka" is not one of listen, nats, poll`,
		},
		{
			name: "rejects_nats_notify_without_url_on_postgres",
			change: func(c *config.Config) {
				c.Store.Backend, c.Store.Postgres.URL, c.Cluster.Notify = "postgres", "postgres://db/x", "nats"
			},
			want: `cluster.nats.url: must be set when cluster.notify is "nats" (nats://host:4222)`,
		},
		{
			name: "rejects_a_nats_url_of_another_scheme_without_showing_it",
			change: func(c *config.Config) {
				c.Store.Backend, c.Store.Postgres.URL = "postgres", "postgres://db/x"
				c.Cluster.Notify, c.Cluster.NATS.URL = "nats", "nats://n1:4222,http://tok3n@n2"
			},
			want: "cluster.nats.url: server 2 is not nats://host:port or tls://host:port (the value is not shown: it may hold a password)",
		},
		{
			name:   "ignores_nats_notify_without_url_on_sqlite",
			change: func(c *config.Config) { c.Cluster.Notify = "nats" },
		},
		{
			name:   "ignores_postgres_url_of_another_backend",
			change: func(c *config.Config) { c.Store.Postgres.URL = "mysql://x" },
		},
		{
			name: "accepts_an_instance_name_and_a_lease_interval",
			change: func(c *config.Config) {
				c.Cluster.Instance, c.Cluster.LeaseInterval = "web-2.dc1", 500*time.Millisecond
			},
		},
		{
			name:   "rejects_an_instance_name_with_a_space",
			change: func(c *config.Config) { c.Cluster.Instance = "web 2" },
			want:   `cluster.instance: "web 2": only letters, digits, '.', '_' and '-', at most 48`,
		},
		{
			name:   "rejects_a_lease_interval_too_short_to_check_a_session",
			change: func(c *config.Config) { c.Cluster.LeaseInterval = 10 * time.Millisecond },
			want:   `cluster.lease_interval: must be between 100ms and 10s, got 10ms`,
		},
		{
			name:   "rejects_unknown_backend",
			change: func(c *config.Config) { c.Store.Backend = "mysql" },
			want:   `store.backend: "mysql" is not one of sqlite, postgres, eventstoredb`,
		},
		{
			name:   "rejects_empty_backend",
			change: func(c *config.Config) { c.Store.Backend = "" },
			want:   `store.backend: "" is not one of sqlite, postgres, eventstoredb`,
		},
		{
			name:   "rejects_postgres_without_url",
			change: func(c *config.Config) { c.Store.Backend = "postgres" },
			want:   `store.postgres.url: must be set when store.backend is "postgres"`,
		},
		{
			name: "rejects_postgres_url_of_another_scheme_without_showing_it",
			change: func(c *config.Config) {
				c.Store.Backend, c.Store.Postgres.URL = "postgres", "mysql://u:s3cr3t@db/x"
			},
			want: "store.postgres.url: must start with postgres:// or postgresql:// (the value is not shown: it may hold a password)",
		},
		{
			name:   "rejects_postgres_url_without_host",
			change: func(c *config.Config) { c.Store.Backend, c.Store.Postgres.URL = "postgres", "postgres:///x" },
			want:   "store.postgres.url: names no host (postgres://HOST…)",
		},
		{
			name:   "rejects_schema_that_needs_quoting",
			change: func(c *config.Config) { c.Store.Postgres.Schema = "Civic-Flow" },
			want:   `store.postgres.schema: "Civic-Flow" is not a lower-case SQL identifier (letters, digits, _; at most 63, not starting with a digit)`,
		},
		{
			name:   "rejects_schema_of_64_characters",
			change: func(c *config.Config) { c.Store.Postgres.Schema = strings.Repeat("s", 64) },
			want:   `store.postgres.schema: "` + strings.Repeat("s", 64) + `" is not a lower-case SQL identifier (letters, digits, _; at most 63, not starting with a digit)`,
		},
		{
			name: "rejects_eventstoredb_with_seals",
			change: func(c *config.Config) {
				c.Store.Backend, c.Store.EventStoreDB.URL, c.Audit.SealInterval = "eventstoredb", "esdb://es:2113", time.Minute
			},
			want: `audit.seal_interval: must be 0 when store.backend is "eventstoredb", got 1m0s: the seals number the log's events 1, 2, 3, … ` +
				"by their positions, and EventStoreDB's $all positions are byte offsets; every stream's hash chain is kept and verified " +
				"(see the README, The EventStoreDB store)",
		},
		{
			name:   "rejects_eventstoredb_without_url",
			change: func(c *config.Config) { c.Store.Backend, c.Audit.SealInterval = "eventstoredb", 0 },
			want:   `store.eventstoredb.url: must be set when store.backend is "eventstoredb"`,
		},
		{
			name: "rejects_eventstoredb_url_of_another_scheme",
			change: func(c *config.Config) {
				c.Store.Backend, c.Store.EventStoreDB.URL, c.Audit.SealInterval = "eventstoredb", "http://127.0.0.1:2113", 0
			},
			want: "store.eventstoredb.url: must start with esdb:// or esdb+discover:// (the value is not shown: it may hold a password)",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := config.Default()
			tt.change(&c)
			err := c.Validate()
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("Validate = %v, want nil", err)
			case tt.want != "" && (err == nil || err.Error() != tt.want):
				t.Errorf("Validate = %v, want %s", err, tt.want)
			}
		})
	}
}

func TestValidate_reports_every_problem_of_the_zero_config(t *testing.T) {
	err := config.Config{}.Validate()
	var keys []string
	for _, e := range problems(err) {
		var ke *config.KeyError
		if !errors.As(e, &ke) {
			t.Fatalf("problem %v is not a *KeyError", e)
		}
		keys = append(keys, ke.Key)
	}
	want := []string{
		"store.backend", "store.postgres.schema", "store.max_event_bytes", "store.sqlite.path", "store.sqlite.synchronous",
		"store.sqlite.max_batch", "log.level", "log.format",
		"server.addr", "server.shutdown_timeout", "server.max_body_bytes", "server.demo_tokens_file",
		"client.server", "client.timeout", "audit.seal_key_file", "audit.seal_pass_percent", "cluster.lease_interval", "cluster.notify",
	}
	if !slices.Equal(keys, want) {
		t.Errorf("Validate reported problems with %v, want %v\n%v", keys, want, err)
	}
}

// problems returns the errors joined in err.
func problems(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

func TestKeys(t *testing.T) {
	want := []string{
		"audit.heads_file",
		"audit.seal_interval",
		"audit.seal_key",
		"audit.seal_key_file",
		"audit.seal_pass_percent",
		"auth.oidc.client_id",
		"auth.oidc.client_secret",
		"auth.oidc.issuer",
		"auth.oidc.redirect_url",
		"auth.oidc.role_claim",
		"auth.oidc.scopes",
		"auth.oidc.tenant_claim",
		"auth.oidc.user_claim",
		"client.server",
		"client.timeout",
		"client.token",
		"cluster.instance",
		"cluster.lease_interval",
		"cluster.nats.url",
		"cluster.notify",
		"log.format",
		"log.level",
		"notify.mail_file",
		"notify.webhooks_file",
		"server.accessibility_contact",
		"server.addr",
		"server.debug_addr",
		"server.demo_tokens_file",
		"server.max_body_bytes",
		"server.memory_limit",
		"server.ready_max_lag",
		"server.shutdown_timeout",
		"store.backend",
		"store.eventstoredb.companion", "store.eventstoredb.url",
		"store.max_event_bytes",
		"store.postgres.schema",
		"store.postgres.url",
		"store.sqlite.allow_data_loss",
		"store.sqlite.busy_timeout",
		"store.sqlite.max_batch",
		"store.sqlite.path",
		"store.sqlite.synchronous",
	}
	if got := config.Keys(); !slices.Equal(got, want) {
		t.Errorf("Keys = %v, want %v", got, want)
	}
}

func TestEnvVar(t *testing.T) {
	tests := []struct{ key, want string }{
		{"store.sqlite.path", "CIVICFLOW_STORE_SQLITE_PATH"},
		{"store.max_event_bytes", "CIVICFLOW_STORE_MAX_EVENT_BYTES"},
		{"store.sqlite.allow_data_loss", "CIVICFLOW_STORE_SQLITE_ALLOW_DATA_LOSS"},
	}
	for _, tt := range tests {
		t.Run("maps_"+tt.key, func(t *testing.T) {
			if got := config.EnvVar(tt.key); got != tt.want {
				t.Errorf("EnvVar(%q) = %s, want %s", tt.key, got, tt.want)
			}
		})
	}
	t.Run("gives_every_key_its_own_variable", func(t *testing.T) {
		seen := map[string]string{}
		for _, key := range config.Keys() {
			v := config.EnvVar(key)
			if other, dup := seen[v]; dup {
				t.Errorf("keys %s and %s share %s", other, key, v)
			}
			seen[v] = key
		}
	})
}

func TestServer_MemoryLimitBytes(t *testing.T) {
	cases := []struct {
		name      string
		value     string
		processes int
		want      int64
	}{
		{"auto_grows_with_the_processes", "auto", 10_000, config.MemoryLimitBase + 10_000*config.MemoryLimitPerProcess},
		{"auto_on_an_empty_list", "auto", 0, config.MemoryLimitBase},
		{"empty_is_auto", "", 100, config.MemoryLimitBase + 100*config.MemoryLimitPerProcess},
		{"off_is_no_limit", "off", 10_000, math.MaxInt64},
		{"a_size_ignores_the_processes", "1GiB", 10_000, 1 << 30},
		{"kibibytes", "20480KiB", 0, 20 << 20},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := config.Server{MemoryLimit: c.value}.MemoryLimitBytes(c.processes)
			if err != nil || got != c.want {
				t.Errorf("MemoryLimitBytes(%d) of %q = %d, %v; want %d", c.processes, c.value, got, err, c.want)
			}
		})
	}
}
