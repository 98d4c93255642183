package main

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

const chromiumPath = "/usr/bin/chromium"

// demoTokens reads the tokens serve --demo wrote ("role@tenant" → secret).
func demoTokens(t testing.TB, r *running) {
	t.Helper()
	var file string
	sc := bufio.NewScanner(strings.NewReader(r.logs.String()))
	for sc.Scan() {
		if i := strings.Index(sc.Text(), "tokens_file="); i >= 0 {
			file = strings.Fields(sc.Text()[i+len("tokens_file="):])[0]
		}
	}
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("demo tokens file %q: %v\n%s", file, err, r.logs)
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Split(line, "\t")
		if len(f) == 5 && !strings.HasPrefix(line, "#") {
			r.tokens[f[2]+"@"+f[0]] = f[4]
		}
	}
}

// needChromium skips the test without /usr/bin/chromium, and fails it in CI (CI=true).
func needChromium(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is missing: CI must install it (apt-get install chromium)", chromiumPath)
		}
		t.Skipf("%s is missing; install it with: apt-get install chromium", chromiumPath)
	}
}

// headless starts headless Chromium (a 1280×1600 window) for the test; it ends with the test or
// after timeout, a bound against a hang: the browser tests run in parallel with the package's
// other tests, and on a busy 2-core machine they have taken four times as long as alone.
func headless(t *testing.T, timeout time.Duration) context.Context {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("headless", true), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true), chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.WindowSize(1280, 1600),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	t.Cleanup(func() {
		cancel()
		cancelCtx()
		cancelAlloc()
	})
	return ctx
}

// browserRun is chromedp.Run that runs a again when the browser did not know a node ID the
// action used: chromedp fetches a page's document anew (DOM.getDocument, which renumbers every
// node) when the browser reports it updated, and an action between its query and its use of the
// node then fails with "No node with given id found" before it did anything. The busier the
// machine, the later chromedp handles that report.
func browserRun[T any](ctx context.Context, a chromedp.Action[T]) (T, error) {
	for {
		v, err := chromedp.Run(ctx, a)
		if err == nil || !strings.Contains(err.Error(), "No node with given id found") || ctx.Err() != nil {
			return v, err
		}
		select {
		case <-ctx.Done():
			return v, err
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// browserDo is chromedp.Do with each step run by browserRun.
func browserDo(ctx context.Context, steps ...chromedp.Action[chromedp.Void]) error {
	for _, step := range steps {
		if _, err := browserRun(ctx, step); err != nil {
			return err
		}
	}
	return nil
}

// TestBrowser_a_lead_signs_in_and_reads_a_process drives headless Chromium against the real
// binary with --demo: sign in with a demo token, the overview, a process page, English, and a
// screenshot (kept in CIVICFLOW_TEST_ARTIFACTS if it is set).
func TestBrowser_a_lead_signs_in_and_reads_a_process(t *testing.T) {
	t.Parallel()
	needChromium(t)
	r := startServer(t, "--demo")
	demoTokens(t, r)
	ctx := headless(t, 5*time.Minute)

	do := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := browserDo(ctx, steps...); err != nil {
			t.Fatalf("%s: %v\n%s", what, err, r.logs)
		}
	}
	text := func(sel chromedp.CSS) string { // textContent: SVG <title> and <desc> have no innerText
		t.Helper()
		s, err := browserRun(ctx, chromedp.TextContent(sel))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return strings.TrimSpace(s)
	}
	htmlLang := func() string {
		t.Helper()
		a, err := browserRun(ctx, chromedp.AttributeValue(chromedp.CSS("html"), "lang"))
		if err != nil {
			t.Fatal(err)
		}
		return a.Value
	}

	do("open the sign-in form", chromedp.Navigate(r.url+"/"), chromedp.WaitVisible(chromedp.CSS("#token")))
	if h := text("h1"); h != "Anmelden" || htmlLang() != "de" {
		t.Fatalf("sign-in page heading %q, lang %q", h, htmlLang())
	}
	do("sign in",
		chromedp.SendKeys(chromedp.CSS("#token"), r.tokens["lead@leipzig"]),
		chromedp.Click(chromedp.CSS("form.signin button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("table.processes")))
	overview := text("main")
	screenshot(t, ctx, "overview.png")
	for _, want := range []string{"Verfahren je Phase", "Beteiligung Spielplatz Lindenauer Markt", "Tage in Phase"} {
		if !strings.Contains(overview, want) {
			t.Errorf("the overview does not show %q:\n%s", want, overview)
		}
	}

	do("open a process",
		chromedp.Click(chromedp.Search(`//a[normalize-space()="Beteiligung Spielplatz Lindenauer Markt"]`)),
		chromedp.WaitVisible(chromedp.CSS("svg.timeline")))
	if title := text("h1"); title != "Beteiligung Spielplatz Lindenauer Markt" {
		t.Errorf("process page title %q", title)
	}
	if tl := text("svg.timeline > title"); tl != "Phasenverlauf" {
		t.Errorf("timeline title %q", tl)
	}
	if n := len(text("svg.timeline > desc")); n < 50 {
		t.Errorf("the timeline has no description for screen readers")
	}
	if tasks := text("section[aria-labelledby=tasks]"); !strings.Contains(tasks, "Aufgaben der aktuellen Phase") || !strings.Contains(tasks, "Pflicht") {
		t.Errorf("tasks: %q", tasks)
	}
	if history := text("table.history"); !strings.Contains(history, "Verfahren eröffnet") {
		t.Errorf("history: %.300q", history)
	}

	do("switch to English",
		chromedp.Click(chromedp.CSS(`a[hreflang="en"]`)),
		chromedp.WaitVisible(chromedp.Search(`//h2[normalize-space()="Stage timeline"]`)))
	english := text("main")
	if htmlLang() != "en" || !strings.Contains(english, "Process opened") || !strings.Contains(english, "Tasks of the current stage") {
		t.Errorf("English page: lang %q\n%.400s", htmlLang(), english)
	}
	screenshot(t, ctx, "dashboard.png")
	r.stop()
}

// saveScreenshot writes a PNG (or another artifact) into artifactDir, CIVICFLOW_TEST_ARTIFACTS,
// never elsewhere; without it, nothing.
func saveScreenshot(t *testing.T, name string, png []byte) {
	t.Helper()
	dir := artifactDir(t)
	if dir == "" {
		return
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("%s: %s", name, path)
}

// screenshot takes a full-page screenshot (a PNG) and saves it as name, if artifactDir keeps any.
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	if artifactDir(t) == "" {
		return
	}
	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)) // quality 100 gives a PNG, below a JPEG
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	saveScreenshot(t, name, shot)
}
