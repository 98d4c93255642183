package config_test

import (
	"maps"
	"testing"

	"github.com/civicflow/civicflow/config"
)

func TestLoad_records_where_chosen_values_came_from(t *testing.T) {
	tests := []struct {
		name string
		src  source
		want map[string]string
	}{
		{"records_nothing_for_defaults", source{}, map[string]string{}},
		{"records_a_flag", source{args: []string{"--db", "x.db"}}, map[string]string{"store.sqlite.path": "flag --db"}},
		{"records_an_environment_variable", source{env: []string{"CIVICFLOW_SERVER_ADDR=:9090"}},
			map[string]string{"server.addr": "env CIVICFLOW_SERVER_ADDR"}},
		{"records_a_file_key_even_when_it_repeats_the_default", source{file: "server:\n  addr: \":8080\"\n"},
			map[string]string{"server.addr": "file "}},
		{"records_the_flag_over_the_environment", source{env: []string{"CIVICFLOW_STORE_SQLITE_PATH=e.db"}, args: []string{"--db", "f.db"}},
			map[string]string{"store.sqlite.path": "flag --db"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := map[string]string{}
			opts := config.Options{Environ: append([]string{}, tt.src.env...), Flags: testFlags(t, tt.src.args), Sources: got}
			if tt.src.file != "" {
				opts.File = writeFile(t, "civicflow.yaml", tt.src.file)
				for k, v := range tt.want {
					if v == "file " {
						tt.want[k] = "file " + opts.File
					}
				}
			}
			if _, err := config.Load(opts); err != nil {
				t.Fatal(err)
			}
			if !maps.Equal(got, tt.want) {
				t.Errorf("Sources = %v, want %v", got, tt.want)
			}
		})
	}
}
