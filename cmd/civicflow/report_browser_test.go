package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// TestBrowser_the_audit_report_reads_and_prints_well exports a process's audit report as HTML
// through the real binary (a long timeline, a participant erased, the log sealed), opens the
// file in headless Chromium, checks what a person sees — title, verification result, every
// timeline row, the erasure notice — and that the print rules hold (rows are not split across
// pages, table headers repeat on every page), prints it on A4 and keeps the PDF and a screenshot
// (report.pdf, report.png in CIVICFLOW_TEST_ARTIFACTS if it is set).
func TestBrowser_the_audit_report_reads_and_prints_well(t *testing.T) {
	t.Parallel()
	needChromium(t)
	r := startServer(t)
	for _, role := range []string{"lead", "member", "administrator", "auditor"} {
		r.token("leipzig", role+"-user", role)
	}
	const title = "Bürgerhaushalt Grünau – Beteiligung zur Neugestaltung des Stadtteilparks am Kranichweiher"
	id := r.must("POST", "/api/v1/processes", "lead@leipzig", map[string]any{"template": "beteiligung-standard", "title": title}).body["process"].(string)
	base := "/api/v1/processes/" + id
	for _, task := range []string{"define_subject", "choose_facilitation", "publish_call", "select_team"} {
		r.must("POST", base+"/complete_task", "member@leipzig", map[string]any{"task": task, "evidence": "Aktenzeichen 4711/2025, Beschlussvorlage VI-DS-08154 des Stadtbezirksbeirats"})
	}
	r.must("POST", base+"/register_participant", "member@leipzig", map[string]any{"participant": "t1", "person": "7f3c1a2e-0000-4000-8000-000000000815", "group": "citizens",
		"name": "Hildegard Kranichfeld", "email": "hildegard.kranichfeld@example.org"})
	for i := range 40 {
		r.must("POST", base+"/record_contribution", "member@leipzig", map[string]any{"participant": "t1", "text": fmt.Sprintf("Vorschlag %d", i+1)})
	}
	r.must("POST", base+"/record_decision", "lead@leipzig", map[string]any{"subject": "Trinkbrunnen", "model": "consent", "outcome": "angenommen"})
	r.must("POST", "/api/v1/persons/7f3c1a2e-0000-4000-8000-000000000815/erase", "administrator@leipzig", nil)
	const events = 1 + 4 + 1 + 40 + 1 // the process's; the erasure is recorded in the person's stream

	dir := filepath.Dir(r.db)
	html := filepath.Join(dir, "report.html")
	env := append(os.Environ(), "CIVICFLOW_AUDIT_SEAL_KEY_FILE="+filepath.Join(dir, "seal.key"))
	for _, args := range [][]string{
		{"audit", "seal", "--db", r.db},
		{"audit", "export", id, "--format", "html", "--out", html, "--server", r.url, "--token", r.tokens["auditor@leipzig"]},
	} {
		c := exec.Command(r.bin, args...)
		c.Env = env
		if out, err := c.CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", strings.Join(args[:2], " "), err, out)
		}
	}
	r.stop()

	ctx := headless(t, 2*time.Minute)
	do := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := browserDo(ctx, steps...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	text := func(sel string) string {
		t.Helper()
		s, err := browserRun(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return strings.Join(strings.Fields(s), " ")
	}
	do("open the report", chromedp.Navigate("file://"+html), chromedp.WaitVisible(chromedp.CSS("h1")))

	if h := text("h1"); h != "Prüfbericht / Audit report: "+title {
		t.Errorf("heading %q", h)
	}
	if v := text("p.ok"); !strings.Contains(v, "Geprüft: keine Abweichung gefunden") || !strings.Contains(v, "Verified: nothing wrong found.") ||
		!strings.Contains(v, "proven in the seal") || strings.Contains(v, "after the seal") {
		t.Errorf("verification result %q", v)
	}
	rows, err := chromedp.Run(ctx, chromedp.Nodes(chromedp.CSSAll("table.timeline > tbody > tr")))
	if err != nil || len(rows) != events {
		t.Errorf("%d timeline rows (%v), want %d", len(rows), err, events)
	}
	if tl := text("table.timeline"); !strings.Contains(tl, "hat das Verfahren „"+title+"“ eröffnet") || !strings.Contains(tl, "recorded the decision") {
		t.Errorf("timeline: %.300q", tl)
	}
	if e := text("table.erasures td.erased"); !strings.Contains(e, "erased on") && !strings.Contains(e, "gelöscht am") {
		t.Errorf("erasure notice %q", e)
	}
	if body := text("body"); strings.Contains(body, "Hildegard") || strings.Contains(body, "Kranichfeld@") {
		t.Errorf("the report shows the erased person")
	}

	// The print rules, as Chromium applies them to print media.
	if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"}); err != nil {
		t.Fatal(err)
	}
	style := func(sel, prop string) string {
		t.Helper()
		props, err := browserRun(ctx, chromedp.ComputedStyle(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("style of %s: %v", sel, err)
		}
		for _, p := range props {
			if p.Name == prop {
				return p.Value
			}
		}
		return ""
	}
	for _, c := range []struct{ sel, prop, want string }{
		{"table.timeline > thead", "display", "table-header-group"},
		{"table.timeline > tbody > tr", "break-inside", "avoid"},
		{"table.erasures > tbody > tr", "break-inside", "avoid"},
		{"h2", "break-after", "avoid"},
	} {
		if got := style(c.sel, c.prop); got != c.want {
			t.Errorf("print: %s { %s: %s }, want %s", c.sel, c.prop, got, c.want)
		}
	}
	pdf, err := chromedp.Run(ctx, chromedp.PrintToPDF(chromedp.PDFPaper(chromedp.PaperA4), chromedp.PDFPreferCSSPageSize()))
	if err != nil {
		t.Fatalf("print: %v", err)
	}
	saveScreenshot(t, "report.pdf", pdf)
	pages := len(regexp.MustCompile(`/Type\s*/Page\b`).FindAll(pdf, -1))
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) || len(pdf) < 20_000 || pages < 2 || pages > 12 {
		t.Errorf("the PDF has %d bytes and %d pages; want a real document of 2 to 12 A4 pages", len(pdf), pages)
	}

	// What a printed page looks like: A4's width within the margins (180 mm = 680 CSS px).
	do("narrow to a printed page", chromedp.EmulateViewport(680, 1000))
	screenshot(t, ctx, "report-print.png")

	if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{}); err != nil {
		t.Fatal(err)
	}
	do("back to the screen", chromedp.EmulateViewport(1280, 1600))
	screenshot(t, ctx, "report.png")
}
