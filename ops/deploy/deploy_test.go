package deploy_test

import (
	"encoding/json"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/civicflow/civicflow/ops/metrics"
)

var metricName = regexp.MustCompile(`\bcivicflow_[a-z0-9_]+`)

// exported reports whether name is a series the server exports: a metric of ops/metrics (its
// own or the router's) or a histogram's _bucket, _sum or _count.
func exported(name string) bool {
	names := append(append(append(append(metrics.Names(), metrics.RouterNames()...), metrics.TimerNames()...), metrics.NotifyNames()...), metrics.LeaseNames()...)
	names = append(names, metrics.ClusterNames()...)
	if slices.Contains(names, name) {
		return true
	}
	for _, suffix := range []string{"_bucket", "_sum", "_count"} {
		if base, ok := strings.CutSuffix(name, suffix); ok && slices.Contains(names, base) {
			return true
		}
	}
	return false
}

func checkExprs(t *testing.T, exprs []string) {
	t.Helper()
	if len(exprs) == 0 {
		t.Fatal("no expressions found")
	}
	for _, e := range exprs {
		found := metricName.FindAllString(e, -1)
		if len(found) == 0 {
			t.Errorf("expression queries no civicflow metric: %s", e)
		}
		for _, name := range found {
			if !exported(name) {
				t.Errorf("%s is not exported by the server (ops/metrics.Names): %s", name, e)
			}
		}
	}
}

// exprs collects every "expr" and templating "query" string in a decoded dashboard.
func exprs(v any, out *[]string) {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if s, ok := x.(string); ok && (k == "expr" || (k == "query" && strings.Contains(s, "civicflow_"))) {
				*out = append(*out, s)
			}
			exprs(x, out)
		}
	case []any:
		for _, x := range v {
			exprs(x, out)
		}
	}
}

func TestDashboard_queries_only_exported_metrics(t *testing.T) {
	b, err := os.ReadFile("grafana-dashboard.json")
	if err != nil {
		t.Fatal(err)
	}
	var d map[string]any
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatalf("grafana-dashboard.json: %v", err)
	}
	var es []string
	exprs(d, &es)
	checkExprs(t, es)
}

func TestRules_query_only_exported_metrics(t *testing.T) {
	b, err := os.ReadFile("prometheus-rules.yml")
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Groups []struct {
			Rules []struct {
				Alert, Expr string
			}
		}
	}
	if err := yaml.Unmarshal(b, &f); err != nil {
		t.Fatalf("prometheus-rules.yml: %v", err)
	}
	var es []string
	for _, g := range f.Groups {
		for _, r := range g.Rules {
			es = append(es, r.Expr)
		}
	}
	checkExprs(t, es)
}
