package main

import (
	"context"
	"errors"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestServeConfig_binds_the_demo_to_loopback_unless_an_address_is_chosen(t *testing.T) {
	tests := []struct {
		name string
		env  []string
		file string
		args []string
		want string
	}{
		{"serves_on_all_interfaces_without_demo", nil, "", nil, ":8080"},
		{"binds_the_demo_to_loopback", nil, "", []string{"--demo"}, "127.0.0.1:8080"},
		{"keeps_a_demo_address_given_by_flag", nil, "", []string{"--demo", "--addr", ":9090"}, ":9090"},
		{"keeps_the_default_address_when_given_explicitly", nil, "", []string{"--demo", "--addr", ":8080"}, ":8080"},
		{"keeps_a_demo_address_from_the_environment", []string{"CIVICFLOW_SERVER_ADDR=0.0.0.0:8081"}, "", []string{"--demo"}, "0.0.0.0:8081"},
		{"keeps_a_demo_address_from_the_file", nil, "server:\n  addr: \":8080\"\n", []string{"--demo"}, ":8080"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := tt.args
			if tt.file != "" {
				args = append([]string{"--config", configFile(t, tt.file)}, args...)
			}
			root := newRootCmd()
			serve, _, err := root.Find([]string{"serve"})
			if err != nil {
				t.Fatal(err)
			}
			if err := serve.ParseFlags(args); err != nil { // with the root's --config
				t.Fatal(err)
			}
			serve.SetContext(withEnviron(context.Background(), append([]string{}, tt.env...)))
			cfg, _, err := serveConfig(serve)
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Server.Addr != tt.want {
				t.Errorf("serve %s listens on %q, want %q", strings.Join(tt.args, " "), cfg.Server.Addr, tt.want)
			}
		})
	}
}

func TestServe_demo_on_a_taken_port_fails_before_writing_anything(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	dir := t.TempDir()
	db, tokens := filepath.Join(dir, "civicflow.db"), filepath.Join(dir, "demo-tokens.txt")
	env := []string{"CIVICFLOW_SERVER_DEMO_TOKENS_FILE=" + tokens, "CIVICFLOW_AUDIT_SEAL_KEY_FILE=" + filepath.Join(dir, "seal.key")}
	var out, errOut strings.Builder
	code := run(context.Background(), []string{"serve", "--demo", "--addr", taken.Addr().String(), "--db", db}, env, &out, &errOut)
	if code == exitOK {
		t.Fatalf("serve on a taken port succeeded")
	}
	if !strings.Contains(errOut.String(), taken.Addr().String()) {
		t.Errorf("the error does not name the address %s: %s", taken.Addr(), errOut.String())
	}
	for _, f := range []string{db, db + "-wal", tokens, filepath.Join(dir, "seal.key")} {
		if _, err := os.Stat(f); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s exists after the failed start (%v)", filepath.Base(f), err)
		}
	}
}
