// Package domain_test checks the architecture's import rules: the domain is pure.
package domain_test

import (
	"encoding/json"
	"errors"
	"io"
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/civicflow/civicflow"

type listedPackage struct {
	ImportPath string
	Imports    []string // direct imports
	Deps       []string // everything reached, directly or not
}

// goList lists the packages matching pattern, test files included.
func goList(t *testing.T, pattern string) []listedPackage {
	t.Helper()
	out, err := exec.Command("go", "list", "-test", "-json=ImportPath,Imports,Deps", pattern).Output()
	if err != nil {
		t.Fatalf("go list %s: %v", pattern, err)
	}
	var pkgs []listedPackage
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for {
		var p listedPackage
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			return pkgs
		} else if err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, p)
	}
}

// Standard packages the domain must not import itself (a library it uses may).
var forbiddenStd = []string{"database/sql", "net", "net/http", "net/rpc", "os/exec"}

// Module prefixes the domain must not reach at all, directly or through another package.
var forbiddenModules = []string{
	"modernc.org/", "github.com/jackc/", "github.com/lib/pq", "github.com/EventStore/",
	"github.com/ThreeDotsLabs/", "github.com/nats-io/", "github.com/prometheus/",
	"github.com/spf13/", "google.golang.org/grpc",
	module + "/ops", module + "/cmd", module + "/config", module + "/workflows", module + "/projections",
}

func TestDomain_imports_no_storage_messaging_http_or_metrics(t *testing.T) {
	for _, p := range goList(t, module+"/domain/...") {
		if strings.HasPrefix(p.ImportPath, module+"/domain.test") || strings.HasPrefix(p.ImportPath, module+"/domain_test") {
			continue // this test itself runs go list
		}
		for _, imp := range p.Imports {
			for _, bad := range forbiddenStd {
				if imp == bad {
					t.Errorf("%s imports %s: the domain must stay pure", p.ImportPath, imp)
				}
			}
		}
		for _, dep := range p.Deps {
			for _, bad := range forbiddenModules {
				if strings.HasPrefix(dep, bad) {
					t.Errorf("%s depends on %s: the domain must stay pure", p.ImportPath, dep)
				}
			}
		}
	}
}

func TestOnly_config_imports_viper(t *testing.T) {
	for _, p := range goList(t, module+"/...") {
		for _, imp := range p.Imports {
			if strings.HasPrefix(imp, "github.com/spf13/viper") && !strings.HasPrefix(p.ImportPath, module+"/config") {
				t.Errorf("%s imports viper: only config may", p.ImportPath)
			}
		}
	}
}

func TestWorkflows_do_not_reach_into_ops_or_cmd(t *testing.T) {
	for _, p := range goList(t, module+"/workflows/...") {
		for _, dep := range p.Deps {
			if strings.HasPrefix(dep, module+"/ops") || strings.HasPrefix(dep, module+"/cmd") || strings.HasPrefix(dep, module+"/config") {
				if strings.HasSuffix(p.ImportPath, ".test") || strings.Contains(p.ImportPath, "_test ") {
					continue // tests wire real adapters
				}
				t.Errorf("%s depends on %s: workflows see the outside world only through ports", p.ImportPath, dep)
			}
		}
	}
}
