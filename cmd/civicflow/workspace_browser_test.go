package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// shortTemplate is a three-stage template whose gates a browser test can meet in minutes: a task,
// an approval (four-eyes: an administrator's) and a participant; a session held and a
// contribution; a decision, a result and a measure done.
const shortTemplate = `id: web-kurzverfahren
title: {de: Kurzverfahren (Browsertest), en: Short process (browser test)}
stakeholder_groups: [citizens, administration]
formats: [workshop]
stages:
  - key: preparation
    title: {de: Vorbereitung, en: Preparation}
    tasks:
      - key: plan
        title: {de: Ablauf planen, en: Plan the process}
        required: true
        evidence: {de: Ablaufplan, en: Schedule}
    approvals:
      - key: department_head
        title: {de: Amtsleitung, en: Head of department}
        roles: [administrator]
    gates:
      - key: participants_registered
        title: {de: Mindestens eine Person registriert, en: At least one participant registered}
        expr: 'participants.count >= 1'
  - key: execution
    title: {de: Durchführung, en: Execution}
    back_to: [preparation]
    gates:
      - key: held
        title: {de: Veranstaltung durchgeführt und Beitrag erfasst, en: A session held and a contribution recorded}
        expr: 'sessions.held >= 1 && contributions.count >= 1'
  - key: implementation
    title: {de: Umsetzung, en: Implementation}
    gates:
      - key: done
        title: {de: "Entscheidung, Ergebnis und erledigte Maßnahmen", en: "Decision, result and measures done"}
        expr: 'decisions.count >= 1 && results.count >= 1 && measures.count >= 1 && measures.done == measures.count'
`

// tab is one person's browser session (a browser context of its own: its own cookies).
type tab struct {
	t     *testing.T
	ctx   context.Context
	r     *running
	axe   string
	shots string
	name  string
	n     int
}

func (b *tab) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 2*time.Minute) // one step: not the whole test's time
	defer cancel()
	if err := browserDo(ctx, steps...); err != nil {
		b.t.Fatalf("%s: %s: %v\n%s", b.name, what, err, b.r.logs)
	}
}

func (b *tab) text(sel string) string {
	b.t.Helper()
	s, err := browserRun(b.ctx, chromedp.TextContent(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("%s: text of %s: %v", b.name, sel, err)
	}
	return strings.Join(strings.Fields(s), " ")
}

// submit fills a form's fields (CSS selector → value) and sends it with its button, then waits
// for the next page.
func (b *tab) submit(form string, fields map[string]string) {
	b.t.Helper()
	steps := []chromedp.Action[chromedp.Void]{}
	for sel, v := range fields {
		steps = append(steps, chromedp.SetValue(chromedp.CSS("#"+form+"-"+sel), v))
	}
	steps = append(steps, chromedp.Evaluate[chromedp.Void](`document.body.dataset.stale = "1"`, chromedp.EvalIgnoreExceptions),
		chromedp.Click(chromedp.CSS("#"+form+" button[type=submit]")),
		chromedp.WaitReady(chromedp.CSS("body:not([data-stale])")))
	b.do("submit "+form, steps...)
}

// check runs axe-core, the SVG text contrast check and the width check on the page as it is, and
// keeps a screenshot (artifactDir).
func (b *tab) check(state string) {
	b.t.Helper()
	vs, err := axeRun(b.ctx, b.axe)
	if err != nil {
		b.t.Fatalf("%s: axe on %s: %v", b.name, state, err)
	}
	if len(vs) > 0 {
		b.t.Errorf("%s: %s: %d serious or critical axe violations:%s", b.name, state, len(vs), describeViolations(vs))
	}
	low, err := svgContrast(b.ctx) // svgcontrast_test.go: the SVG text axe does not judge
	if err != nil {
		b.t.Fatalf("%s: SVG contrast on %s: %v", b.name, state, err)
	}
	if len(low) > 0 {
		b.t.Errorf("%s: %s: SVG text below 4.5:1: %v", b.name, state, low)
	}
	b.fits(state)
}

// fits checks that the page is not wider than the window, and keeps a screenshot (artifactDir).
func (b *tab) fits(state string) {
	b.t.Helper()
	w, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]int](`[document.documentElement.scrollWidth, window.innerWidth]`))
	if err != nil {
		b.t.Fatal(err)
	}
	if w[0] > w[1] {
		b.t.Errorf("%s: %s is %d px wide in a %d px window", b.name, state, w[0], w[1])
	}
	if b.shots == "" { // artifactDir: no screenshots kept
		return
	}
	shot, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Fatal(err)
	}
	b.n++
	name := fmt.Sprintf("%s-%02d-%s-%d.png", b.name, b.n, strings.NewReplacer(" ", "_", "/", "_").Replace(state), w[1])
	if err := os.WriteFile(filepath.Join(b.shots, name), shot, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

func (b *tab) signIn(who string) {
	b.t.Helper()
	b.do("sign in as "+who, chromedp.Navigate(b.r.url+"/signin"),
		chromedp.SendKeys(chromedp.CSS("#token"), b.r.tokens[who]),
		chromedp.Click(chromedp.CSS("form.signin button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("form.signout")))
}

// newTab opens a browser context of its own in the browser of parent.
func newTab(t *testing.T, parent context.Context, r *running, axe, shots, name string) *tab {
	ctx, cancel := chromedp.NewContext(parent, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	b := &tab{t: t, ctx: ctx, r: r, axe: axe, shots: shots, name: name}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900)); err != nil { // the first run: no timeout of its own
		t.Fatal(err)
	}
	return b
}

func (b *tab) has(sel, want string) {
	b.t.Helper()
	if got := b.text(sel); !strings.Contains(got, want) {
		b.t.Fatalf("%s: %s says %q, want %q", b.name, sel, got, want)
	}
}
