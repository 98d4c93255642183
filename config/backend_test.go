package config_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/civicflow/civicflow/config"
)

func TestLoad_backend(t *testing.T) {
	tests := []struct {
		name string
		src  source
		want config.Store // compared: Backend, Postgres, EventStoreDB
		err  []string     // parts of the error; none: no error
	}{
		{
			name: "postgres_from_file",
			src:  source{file: "store:\n  backend: postgres\n  postgres:\n    url: postgres://db/civicflow\n    schema: town\n"},
			want: config.Store{Backend: "postgres", Postgres: config.Postgres{URL: "postgres://db/civicflow", Schema: "town"}, EventStoreDB: config.EventStoreDB{Companion: "sqlite"}},
		},
		{
			name: "postgres_from_environment",
			src:  source{env: []string{"CIVICFLOW_STORE_BACKEND=postgres", "CIVICFLOW_STORE_POSTGRES_URL=postgres://db/x"}},
			want: config.Store{Backend: "postgres", Postgres: config.Postgres{URL: "postgres://db/x", Schema: "civicflow"}, EventStoreDB: config.EventStoreDB{Companion: "sqlite"}},
		},
		{
			name: "eventstoredb_from_environment_over_file",
			src: source{file: "store:\n  backend: postgres\n",
				env: []string{"CIVICFLOW_STORE_BACKEND=eventstoredb", "CIVICFLOW_STORE_EVENTSTOREDB_URL=esdb://es:2113", "CIVICFLOW_AUDIT_SEAL_INTERVAL=0"}},
			want: config.Store{Backend: "eventstoredb", Postgres: config.Postgres{Schema: "civicflow"}, EventStoreDB: config.EventStoreDB{URL: "esdb://es:2113", Companion: "sqlite"}},
		},
		{
			name: "eventstoredb_companion_postgres_from_file",
			src: source{file: "store:\n  backend: eventstoredb\n  eventstoredb:\n    url: esdb://es:2113?tls=false\n    companion: postgres\n" +
				"  postgres:\n    url: postgres://db/civicflow\n    schema: town\naudit:\n  seal_interval: 0s\n"},
			want: config.Store{Backend: "eventstoredb", Postgres: config.Postgres{URL: "postgres://db/civicflow", Schema: "town"},
				EventStoreDB: config.EventStoreDB{URL: "esdb://es:2113?tls=false", Companion: "postgres"}},
		},
		{
			name: "eventstoredb_companion_sqlite_from_environment",
			src: source{env: []string{"CIVICFLOW_STORE_BACKEND=eventstoredb", "CIVICFLOW_STORE_EVENTSTOREDB_URL=esdb+discover://es:2113",
				"CIVICFLOW_STORE_EVENTSTOREDB_COMPANION=sqlite", "CIVICFLOW_AUDIT_SEAL_INTERVAL=0"}},
			want: config.Store{Backend: "eventstoredb", Postgres: config.Postgres{Schema: "civicflow"},
				EventStoreDB: config.EventStoreDB{URL: "esdb+discover://es:2113", Companion: "sqlite"}},
		},
		{
			name: "companion_is_not_read_on_another_backend",
			src:  source{env: []string{"CIVICFLOW_STORE_EVENTSTOREDB_COMPANION=mysql"}},
			want: config.Store{Backend: "sqlite", Postgres: config.Postgres{Schema: "civicflow"}, EventStoreDB: config.EventStoreDB{Companion: "mysql"}},
		},
		{
			name: "refuses_unknown_companion_naming_the_variable",
			src: source{env: []string{"CIVICFLOW_STORE_BACKEND=eventstoredb", "CIVICFLOW_STORE_EVENTSTOREDB_URL=esdb://es:2113",
				"CIVICFLOW_STORE_EVENTSTOREDB_COMPANION=mysql"}},
			err: []string{`store.eventstoredb.companion (from env CIVICFLOW_STORE_EVENTSTOREDB_COMPANION): "mysql" is not one of sqlite, postgres`},
		},
		{
			name: "refuses_unknown_companion_in_file_naming_the_file",
			src:  source{file: "store:\n  backend: eventstoredb\n  eventstoredb:\n    url: esdb://es:2113\n    companion: eventstoredb\n"},
			err:  []string{"store.eventstoredb.companion (from file ", `"eventstoredb" is not one of sqlite, postgres`},
		},
		{
			name: "refuses_empty_companion",
			src:  source{file: "store:\n  backend: eventstoredb\n  eventstoredb:\n    url: esdb://es:2113\n    companion: \"\"\n"},
			err:  []string{`store.eventstoredb.companion (from file `, `"" is not one of sqlite, postgres`},
		},
		{
			name: "refuses_postgres_companion_without_url",
			src: source{env: []string{"CIVICFLOW_STORE_BACKEND=eventstoredb", "CIVICFLOW_STORE_EVENTSTOREDB_URL=esdb://es:2113",
				"CIVICFLOW_STORE_EVENTSTOREDB_COMPANION=postgres"}},
			err: []string{`store.postgres.url: must be set when store.eventstoredb.companion is "postgres"`},
		},
		{
			name: "refuses_postgres_companion_with_an_esdb_url",
			src: source{env: []string{"CIVICFLOW_STORE_BACKEND=eventstoredb", "CIVICFLOW_STORE_EVENTSTOREDB_URL=esdb://es:2113",
				"CIVICFLOW_STORE_EVENTSTOREDB_COMPANION=postgres", "CIVICFLOW_STORE_POSTGRES_URL=esdb://es:2113"}},
			err: []string{"store.postgres.url (from env CIVICFLOW_STORE_POSTGRES_URL): must start with postgres:// or postgresql://"},
		},
		{
			name: "refuses_postgres_companion_with_a_bad_schema",
			src: source{env: []string{"CIVICFLOW_STORE_BACKEND=eventstoredb", "CIVICFLOW_STORE_EVENTSTOREDB_URL=esdb://es:2113",
				"CIVICFLOW_STORE_EVENTSTOREDB_COMPANION=postgres", "CIVICFLOW_STORE_POSTGRES_URL=postgres://db/x", "CIVICFLOW_STORE_POSTGRES_SCHEMA=Town"}},
			err: []string{`store.postgres.schema (from env CIVICFLOW_STORE_POSTGRES_SCHEMA): "Town" is not a lower-case SQL identifier`},
		},
		{
			name: "refuses_eventstoredb_without_url_and_a_bad_companion_naming_both",
			src:  source{env: []string{"CIVICFLOW_STORE_BACKEND=eventstoredb", "CIVICFLOW_STORE_EVENTSTOREDB_COMPANION=nats"}},
			err: []string{`store.eventstoredb.url: must be set when store.backend is "eventstoredb"`,
				`store.eventstoredb.companion (from env CIVICFLOW_STORE_EVENTSTOREDB_COMPANION): "nats" is not one of sqlite, postgres`},
		},
		{
			name: "refuses_eventstoredb_with_seals_naming_the_key_and_why",
			src:  source{env: []string{"CIVICFLOW_STORE_BACKEND=eventstoredb", "CIVICFLOW_STORE_EVENTSTOREDB_URL=esdb://es:2113"}},
			err:  []string{`audit.seal_interval: must be 0 when store.backend is "eventstoredb", got 1h0m0s`, "positions are byte offsets"},
		},
		{
			name: "refuses_store_driver_in_file_naming_the_new_key",
			src:  source{file: "store:\n  driver: sqlite\n"},
			err:  []string{"store.driver (from file ", "was renamed to store.backend (CIVICFLOW_STORE_BACKEND)"},
		},
		{
			name: "refuses_store_driver_in_environment_naming_the_new_key",
			src:  source{env: []string{"CIVICFLOW_STORE_DRIVER=postgres"}},
			err:  []string{"store.driver (from env CIVICFLOW_STORE_DRIVER): was renamed to store.backend"},
		},
		{
			name: "refuses_postgres_without_url_naming_source_of_backend",
			src:  source{env: []string{"CIVICFLOW_STORE_BACKEND=postgres"}},
			err:  []string{`store.postgres.url: must be set when store.backend is "postgres"`},
		},
		{
			name: "refuses_unknown_backend_naming_the_variable",
			src:  source{env: []string{"CIVICFLOW_STORE_BACKEND=oracle"}},
			err:  []string{`store.backend (from env CIVICFLOW_STORE_BACKEND): "oracle" is not one of sqlite, postgres, eventstoredb`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := load(t, tt.src)
			if len(tt.err) == 0 {
				if err != nil {
					t.Fatalf("Load: %v", err)
				}
				if got.Store.Backend != tt.want.Backend || got.Store.Postgres != tt.want.Postgres || got.Store.EventStoreDB != tt.want.EventStoreDB {
					t.Fatalf("Load = %+v, want %+v", got.Store, tt.want)
				}
				return
			}
			if err == nil {
				t.Fatalf("Load = %+v, want an error", got.Store)
			}
			if errors.Is(err, config.ErrUnknownKey) {
				t.Errorf("error wraps ErrUnknownKey, want the rename named: %v", err)
			}
			for _, want := range tt.err {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error does not contain %q:\n%v", want, err)
				}
			}
		})
	}
}
