package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// result is what one civicflow invocation produced.
type result struct {
	code           int
	stdout, stderr string
}

// invoke runs the civicflow command line args in the environment env, with
// a "probe" command added that loads the configuration (its --db flag is
// bound to store.sqlite.path), prints the database path and fails with
// --fail.
func invoke(t *testing.T, env []string, args ...string) result {
	t.Helper()
	root := newRootCmd()
	probe := &cobra.Command{
		Use: "probe",
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadConfig(cmd, map[string]string{"db": "store.sqlite.path"})
			if err != nil {
				return err
			}
			if fail, _ := cmd.Flags().GetBool("fail"); fail {
				return errors.New("the store is on fire")
			}
			_, err = fmt.Fprintln(cmd.OutOrStdout(), cfg.Store.SQLite.Path)
			return err
		},
	}
	probe.Flags().String("db", "", "database file")
	probe.Flags().Bool("fail", false, "fail after loading the configuration")
	root.AddCommand(probe)
	var stdout, stderr bytes.Buffer
	code := execute(context.Background(), root, args, append([]string{}, env...), &stdout, &stderr)
	return result{code, stdout.String(), stderr.String()}
}

// configFile writes contents to a civicflow.yaml in a new temporary
// directory and returns its path.
func configFile(t *testing.T, contents string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "civicflow.yaml")
	if err := os.WriteFile(path, []byte(contents), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestRun(t *testing.T) {
	good := configFile(t, "store:\n  sqlite:\n    path: from-file.db\n")
	unknown := configFile(t, "store:\n  sqlite:\n    pahth: typo.db\n")
	tests := []struct {
		name       string
		env        []string
		args       []string
		wantCode   int
		wantStdout string // substring
		wantStderr string // substring; "" requires an empty stderr
	}{
		{
			name:       "help_documents_the_exit_codes",
			args:       []string{"--help"},
			wantCode:   exitOK,
			wantStdout: "2  Fehler im Aufruf oder in der Konfiguration / usage or configuration error",
		},
		{
			name:       "store_without_subcommand_prints_its_help",
			args:       []string{"store"},
			wantCode:   exitOK,
			wantStdout: "Commands that work on the event store.",
		},
		{
			name:       "unknown_flag_exits_2",
			args:       []string{"version", "--bogus"},
			wantCode:   exitUsage,
			wantStderr: "civicflow: unknown flag: --bogus\nHilfe / help: civicflow version --help\n",
		},
		{
			name:       "unknown_command_exits_2",
			args:       []string{"bogus"},
			wantCode:   exitUsage,
			wantStderr: `civicflow: unknown command "bogus" for "civicflow"`,
		},
		{
			name:       "unexpected_argument_exits_2",
			args:       []string{"version", "extra"},
			wantCode:   exitUsage,
			wantStderr: `civicflow: unknown command "extra" for "civicflow version"`,
		},
		{
			name:       "config_file_with_unknown_key_exits_2_naming_the_key",
			args:       []string{"--config", unknown, "probe"},
			wantCode:   exitUsage,
			wantStderr: "civicflow: store.sqlite.pahth (from file " + unknown + "): unknown configuration key",
		},
		{
			name:       "missing_config_file_exits_2",
			args:       []string{"probe", "--config", filepath.Join(t.TempDir(), "nope.yaml")},
			wantCode:   exitUsage,
			wantStderr: "nope.yaml: file does not exist",
		},
		{
			name:       "unknown_env_var_exits_2_naming_it",
			env:        []string{"CIVICFLOW_LOG_LEVLE=debug"},
			args:       []string{"probe"},
			wantCode:   exitUsage,
			wantStderr: "civicflow: env CIVICFLOW_LOG_LEVLE: unknown configuration key",
		},
		{
			name:       "reports_every_configuration_problem_on_its_own_line",
			env:        []string{"CIVICFLOW_LOG_LEVEL=loud", "CIVICFLOW_LOG_FORMAT=xml"},
			args:       []string{"probe"},
			wantCode:   exitUsage,
			wantStderr: "civicflow: log.level (from env CIVICFLOW_LOG_LEVEL): \"loud\" is not one of info, debug, warn, error\ncivicflow: log.format",
		},
		{
			name:       "reads_the_file_named_by_config",
			args:       []string{"--config", good, "probe"},
			wantCode:   exitOK,
			wantStdout: "from-file.db\n",
		},
		{
			name:       "reads_the_file_named_by_CIVICFLOW_CONFIG",
			env:        []string{"CIVICFLOW_CONFIG=" + good},
			args:       []string{"probe"},
			wantCode:   exitOK,
			wantStdout: "from-file.db\n",
		},
		{
			name:       "config_flag_overrides_CIVICFLOW_CONFIG",
			env:        []string{"CIVICFLOW_CONFIG=" + unknown},
			args:       []string{"probe", "--config", good},
			wantCode:   exitOK,
			wantStdout: "from-file.db\n",
		},
		{
			name:       "command_flag_overrides_env_and_file",
			env:        []string{"CIVICFLOW_CONFIG=" + good, "CIVICFLOW_STORE_SQLITE_PATH=from-env.db"},
			args:       []string{"probe", "--db", "from-flag.db"},
			wantCode:   exitOK,
			wantStdout: "from-flag.db\n",
		},
		{
			name:       "runtime_failure_exits_1",
			env:        []string{"CIVICFLOW_CONFIG=" + good},
			args:       []string{"probe", "--fail"},
			wantCode:   exitFailure,
			wantStderr: "civicflow: the store is on fire\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := invoke(t, tt.env, tt.args...)
			if got.code != tt.wantCode {
				t.Errorf("exit code = %d, want %d\nstdout:\n%s\nstderr:\n%s", got.code, tt.wantCode, got.stdout, got.stderr)
			}
			if !strings.Contains(got.stdout, tt.wantStdout) {
				t.Errorf("stdout does not contain %q:\n%s", tt.wantStdout, got.stdout)
			}
			if tt.wantStderr == "" && got.stderr != "" || !strings.Contains(got.stderr, tt.wantStderr) {
				t.Errorf("stderr does not contain %q:\n%s", tt.wantStderr, got.stderr)
			}
		})
	}
}

func TestVersion(t *testing.T) {
	t.Run("prints_the_version_and_go_version", func(t *testing.T) {
		old := version
		version = "v1.2.3-test"
		t.Cleanup(func() { version = old })
		got := invoke(t, nil, "version")
		want := "civicflow v1.2.3-test\ngo: " + runtime.Version()
		if got.code != exitOK || !strings.HasPrefix(got.stdout, want) {
			t.Errorf("civicflow version = %d, %q; want 0, output starting with %q", got.code, got.stdout, want)
		}
	})
	tests := []struct {
		name    string
		version string
		info    *debug.BuildInfo
		want    []string
	}{
		{
			name:    "shows_the_vcs_revision_when_recorded",
			version: "v1.2.3",
			info: &debug.BuildInfo{Settings: []debug.BuildSetting{
				{Key: "vcs.revision", Value: "0123abcd"},
				{Key: "vcs.time", Value: "2026-11-23T16:34:00Z"},
				{Key: "vcs.modified", Value: "true"},
			}},
			want: []string{"civicflow v1.2.3\n", "revision: 0123abcd (modified)\n", "time: 2026-11-23T16:34:00Z\n"},
		},
		{
			name:    "uses_the_module_version_for_dev_builds_installed_at_a_version",
			version: "dev",
			info:    &debug.BuildInfo{Main: debug.Module{Version: "v0.4.0"}},
			want:    []string{"civicflow v0.4.0\n"},
		},
		{
			name:    "keeps_dev_for_local_builds",
			version: "dev",
			info:    &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}},
			want:    []string{"civicflow dev\n"},
		},
		{
			name:    "works_without_build_info",
			version: "dev",
			want:    []string{"civicflow dev\n"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := versionText(tt.version, tt.info)
			for _, want := range tt.want {
				if !strings.Contains(got, want) {
					t.Errorf("versionText does not contain %q:\n%s", want, got)
				}
			}
		})
	}
}
