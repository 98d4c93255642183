package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// axeVersion is the axe-core release .ci/run installs.
const axeVersion = "4.14.1"

// axeScript returns axe-core's axe.min.js: from CIVICFLOW_TEST_AXE_JS, or where .ci/run installs it
// (npm install --prefix "$XDG_CACHE_HOME/civicflow/axe-core", default ~/.cache). Without it the
// test fails in CI (CI=true) and is skipped elsewhere with how to install it.
func axeScript(t *testing.T) string {
	t.Helper()
	path := os.Getenv("CIVICFLOW_TEST_AXE_JS")
	if path == "" {
		cache, err := os.UserCacheDir()
		if err == nil {
			path = filepath.Join(cache, "civicflow", "axe-core", "node_modules", "axe-core", "axe.min.js")
		}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		install := fmt.Sprintf(`npm install --prefix "${XDG_CACHE_HOME:-$HOME/.cache}/civicflow/axe-core" axe-core@%s (or set CIVICFLOW_TEST_AXE_JS to axe.min.js)`, axeVersion)
		if os.Getenv("CI") == "true" {
			t.Fatalf("axe-core is missing (%v): CI must install it: %s", err, install)
		}
		t.Skipf("axe-core is missing (%v); install it with: %s", err, install)
	}
	return string(b)
}

// artifactDir is where browser tests keep screenshots: CIVICFLOW_TEST_ARTIFACTS (created), or ""
// when it is not set, and then they take none. A screenshot kept in the test's temporary
// directory would be deleted with it when the test ends, unseen, and a full-page PNG costs the
// browser up to seconds on a busy machine: the walk through the web forms takes 70 of them.
func artifactDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("CIVICFLOW_TEST_ARTIFACTS")
	if dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

type axeViolation struct {
	ID, Impact, Help string
	Nodes            []struct {
		Target []any
		HTML   string
	}
}

// axeRun runs axe-core's WCAG 2.0/2.1 A and AA rules on the page and returns the violations of
// impact serious or critical. The script is injected through DevTools, which the page's
// script-free CSP does not govern.
func axeRun(ctx context.Context, script string) ([]axeViolation, error) {
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool]("typeof axe !== 'undefined' || (function(){"+script+"\n; return true})()")); err != nil {
		return nil, fmt.Errorf("inject axe: %w", err)
	}
	all, err := chromedp.Run(ctx, chromedp.Evaluate[[]axeViolation](
		`axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}}).then(r => r.violations)`,
		chromedp.EvalAwaitPromise))
	if err != nil {
		return nil, err
	}
	var bad []axeViolation
	for _, v := range all {
		if v.Impact == "serious" || v.Impact == "critical" {
			bad = append(bad, v)
		}
	}
	return bad, nil
}

func describeViolations(vs []axeViolation) string {
	var b strings.Builder
	for _, v := range vs {
		fmt.Fprintf(&b, "\n  %s (%s): %s", v.ID, v.Impact, v.Help)
		for i, n := range v.Nodes {
			if i == 3 {
				fmt.Fprintf(&b, "\n    … %d more", len(v.Nodes)-3)
				break
			}
			fmt.Fprintf(&b, "\n    %v %.160s", n.Target, n.HTML)
		}
	}
	return b.String()
}
