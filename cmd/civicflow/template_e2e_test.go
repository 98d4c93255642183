package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestE2E_template_commands_keep_each_tenants_templates_apart runs "civicflow template" against
// the real binary as two tenants' administrators: each publishes and derives into its own tenant,
// and neither lists, shows or retires the other's.
func TestE2E_template_commands_keep_each_tenants_templates_apart(t *testing.T) {
	t.Parallel()
	r := startServer(t)
	for _, tenant := range []string{"leipzig", "menden"} {
		r.token(tenant, "admin-"+tenant, "administrator")
	}
	cli := func(who string, args ...string) (string, int) {
		c := exec.Command(r.bin, append(args, "--server", r.url, "--token", r.tokens[who])...)
		out, err := c.CombinedOutput()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		}
		return string(out), code
	}
	file := filepath.Join(t.TempDir(), "zwei.yaml")
	if err := os.WriteFile(file, []byte(twoStages), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, code := cli("administrator@leipzig", "template", "publish", file); code != 0 || !strings.Contains(out, "leipzig:zwei-phasen v1") || !strings.Contains(out, "owner leipzig") {
		t.Fatalf("publish: exit %d\n%s", code, out)
	}
	out, code := cli("administrator@menden", "template", "derive", "beteiligung-standard", "--id", "standard-menden")
	if code != 0 || !strings.Contains(out, "menden:standard-menden v1") || !strings.Contains(out, "derived from beteiligung-standard v1 (hash ") {
		t.Fatalf("derive: exit %d\n%s", code, out)
	}
	for who, wants := range map[string][2]string{
		"administrator@leipzig": {"leipzig:zwei-phasen", "menden:standard-menden"},
		"administrator@menden":  {"menden:standard-menden", "leipzig:zwei-phasen"},
	} {
		out, code := cli(who, "template", "list")
		if code != 0 || !strings.Contains(out, wants[0]) || strings.Contains(out, wants[1]) || !strings.Contains(out, "Installation") {
			t.Fatalf("%s lists: exit %d, want %s and not %s\n%s", who, code, wants[0], wants[1], out)
		}
	}
	if out, code := cli("administrator@menden", "template", "show", "leipzig:zwei-phasen"); code != exitFailure || !strings.Contains(out, "404") {
		t.Fatalf("menden shows leipzig's template: exit %d\n%s", code, out)
	}
	if out, code := cli("administrator@menden", "template", "retire", "leipzig:zwei-phasen", "1", "--reason", "weg"); code != exitFailure || !strings.Contains(out, "404") {
		t.Fatalf("menden retires leipzig's template: exit %d\n%s", code, out)
	}
	if out, code := cli("administrator@leipzig", "template", "retire", "beteiligung-standard", "1", "--reason", "weg"); code == 0 || !strings.Contains(out, "403") {
		t.Fatalf("leipzig retires an installation template: exit %d\n%s", code, out)
	}
	if out, code := cli("administrator@leipzig", "template", "retire", "zwei-phasen", "1", "--reason", "ersetzt"); code != 0 || !strings.Contains(out, "retired") {
		t.Fatalf("leipzig retires its own: exit %d\n%s", code, out)
	}
}
