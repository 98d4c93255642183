package deploy_test

import (
	"bufio"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/civicflow/civicflow/config"
)

// unit reads civicflow.service into its sections' keys (a key may repeat).
func unit(t *testing.T) map[string]map[string][]string {
	f, err := os.Open("civicflow.service")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]map[string][]string{}
	section := ""
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
		case strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]"):
			section = line[1 : len(line)-1]
			out[section] = map[string][]string{}
		case section == "":
			t.Fatalf("civicflow.service:%d: %q outside a section", n, line)
		default:
			k, v, ok := strings.Cut(line, "=")
			if !ok {
				t.Fatalf("civicflow.service:%d: %q is not KEY=VALUE", n, line)
			}
			out[section][k] = append(out[section][k], v)
		}
	}
	return out
}

func TestUnit_starts_serve_with_the_config_and_stops_gracefully(t *testing.T) {
	u := unit(t)
	for _, s := range []string{"Unit", "Service", "Install"} {
		if u[s] == nil {
			t.Fatalf("civicflow.service has no [%s] section", s)
		}
	}
	svc := u["Service"]
	exec := strings.Fields(strings.Join(svc["ExecStart"], ""))
	if len(exec) < 4 || exec[1] != "serve" || exec[2] != "--config" || !strings.HasSuffix(exec[3], ".yaml") {
		t.Errorf("ExecStart = %q; want civicflow serve --config FILE.yaml", exec)
	}
	for key, want := range map[string]string{"KillSignal": "SIGTERM", "User": "civicflow", "Restart": "on-failure", "NoNewPrivileges": "yes"} {
		if got := strings.Join(svc[key], ","); got != want {
			t.Errorf("%s=%s; want %s", key, got, want)
		}
	}
	if got := strings.Join(u["Install"]["WantedBy"], ""); got != "multi-user.target" {
		t.Errorf("WantedBy=%s", got)
	}
}

// systemd-analyze checks every directive of the unit (with ExecStart pointing at an executable
// that exists here: this test's own binary).
func TestUnit_passes_systemd_analyze_verify(t *testing.T) {
	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("systemd-analyze is not installed (Debian: apt-get install systemd); the unit's structure is checked by TestUnit_starts_serve_with_the_config_and_stops_gracefully")
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile("civicflow.service")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "civicflow.service")
	if err := os.WriteFile(path, []byte(strings.ReplaceAll(string(b), "/usr/local/bin/civicflow", self)), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(analyze, "verify", path).CombinedOutput()
	// Only complaints about this unit count: verify also reports the host's other units.
	var ours []string
	for _, line := range strings.Split(string(out), "\n") {
		if strings.Contains(line, "civicflow.service") {
			ours = append(ours, line)
		}
	}
	if len(ours) > 0 || (err != nil && len(strings.TrimSpace(string(out))) == 0) {
		t.Fatalf("systemd-analyze verify: %v\n%s", err, strings.Join(ours, "\n"))
	}
}

func TestExampleConfig_loads_with_the_servers_loader_for_postgres(t *testing.T) {
	cfg, err := config.Load(config.Options{File: "civicflow-postgres.example.yaml",
		Environ: []string{"CIVICFLOW_STORE_POSTGRES_URL=postgres://civicflow@db.internal:5432/civicflow"}})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Store.Backend != "postgres" || cfg.Store.Postgres.Schema != "civicflow" || cfg.Server.Addr != ":8080" {
		t.Errorf("loaded backend %q schema %q addr %q", cfg.Store.Backend, cfg.Store.Postgres.Schema, cfg.Server.Addr)
	}
	// Without the URL in the environment the loader refuses it, naming the key: the example
	// keeps the secret out of the file.
	if _, err := config.Load(config.Options{File: "civicflow-postgres.example.yaml", Environ: []string{}}); err == nil || !strings.Contains(err.Error(), "store.postgres.url") {
		t.Errorf("without CIVICFLOW_STORE_POSTGRES_URL: %v; want an error naming store.postgres.url", err)
	}
}

var upstream = regexp.MustCompile(`reverse_proxy((?:\s+[a-z0-9.-]+:\d+)+)\s*\{`)

func TestCaddyfile_balances_three_instances_on_their_readiness(t *testing.T) {
	b, err := os.ReadFile("Caddyfile.example")
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	depth := 0
	for i, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "#") {
			continue
		}
		depth += strings.Count(line, "{") - strings.Count(line, "}")
		if depth < 0 {
			t.Fatalf("Caddyfile.example:%d: a } closes nothing", i+1)
		}
	}
	if depth != 0 {
		t.Fatalf("Caddyfile.example: %d blocks are not closed", depth)
	}
	m := upstream.FindStringSubmatch(text)
	if m == nil {
		t.Fatal("Caddyfile.example has no reverse_proxy with upstreams")
	}
	ups := strings.Fields(m[1])
	cfg, err := config.Load(config.Options{File: "civicflow-postgres.example.yaml",
		Environ: []string{"CIVICFLOW_STORE_POSTGRES_URL=postgres://x@db/civicflow"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range ups {
		if !strings.HasSuffix(u, cfg.Server.Addr) {
			t.Errorf("upstream %s is not on the instances' address %s", u, cfg.Server.Addr)
		}
	}
	if len(ups) != 3 {
		t.Errorf("%d upstreams; the example runs three instances", len(ups))
	}
	for _, want := range []string{"health_uri /readyz", "lb_policy least_conn"} {
		if !strings.Contains(text, want) {
			t.Errorf("Caddyfile.example lacks %q", want)
		}
	}
}

func TestDashboard_repeats_a_row_per_instance(t *testing.T) {
	b, err := os.ReadFile("grafana-dashboard.json")
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		Templating struct {
			List []struct{ Name, Query string }
		}
		Panels []struct {
			Type, Repeat, Title string
			Targets             []struct{ Expr string }
		}
	}
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatal(err)
	}
	hasVar := false
	for _, v := range d.Templating.List {
		hasVar = hasVar || v.Name == "instance" && strings.Contains(v.Query, "instance")
	}
	if !hasVar {
		t.Fatal("no templating variable instance")
	}
	row := -1
	for i, p := range d.Panels {
		if p.Type == "row" && p.Repeat == "instance" {
			row = i
		}
	}
	if row < 0 {
		t.Fatal("no row that repeats per instance")
	}
	panels := d.Panels[row+1:]
	if len(panels) == 0 {
		t.Fatal("the instance row has no panels")
	}
	for _, p := range panels {
		for _, q := range p.Targets {
			if !strings.Contains(q.Expr, `instance=~"$instance"`) {
				t.Errorf("panel %q of the instance row queries all instances: %s", p.Title, q.Expr)
			}
		}
	}
}
