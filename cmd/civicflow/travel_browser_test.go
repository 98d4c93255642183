package main

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// apiState is what the API's ?at= answers that the time-travel page shows too.
type apiState struct {
	version, templateVersion int
	stage, status            string
	tasks, approvals         map[string]bool // key → done / granted
}

// apiPast asks the API for the process at an instant, as the auditor.
func apiPast(t *testing.T, r *running, id string, at time.Time) apiState {
	t.Helper()
	rep := r.must("GET", "/api/v1/processes/"+id+"?at="+url.QueryEscape(at.Format(time.RFC3339)), "auditor@leipzig", nil)
	s := apiState{version: int(rep.body["version"].(float64)), stage: rep.body["stage"].(string), status: rep.body["status"].(string),
		templateVersion: int(rep.body["template"].(map[string]any)["version"].(float64)), tasks: map[string]bool{}, approvals: map[string]bool{}}
	for _, x := range rep.body["tasks"].([]any) {
		m := x.(map[string]any)
		s.tasks[m["key"].(string)] = m["done"].(bool)
	}
	for _, x := range rep.body["approvals"].([]any) {
		m := x.(map[string]any)
		s.approvals[m["key"].(string)] = m["granted"].(bool)
	}
	return s
}

// pageState reads the state the page shows in its section sel.
func pageState(t *testing.T, b *tab, sel string) apiState {
	t.Helper()
	s := apiState{tasks: map[string]bool{}, approvals: map[string]bool{}}
	var err error
	if s.version, err = strconv.Atoi(b.text(sel + " .past-version")); err != nil {
		t.Fatal(err)
	}
	if s.templateVersion, err = strconv.Atoi(b.text(sel + " .past-template-version")); err != nil {
		t.Fatal(err)
	}
	s.stage = b.text(sel + " .past-stage code")
	items, err := chromedp.Run(b.ctx, chromedp.Evaluate[[][]string](`[...document.querySelectorAll(`+strconv.Quote(sel+" li[data-key]")+`)].map(li => [li.className, li.dataset.key, li.dataset.done])`))
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		if strings.Contains(it[0], "past-task") {
			s.tasks[it[1]] = it[2] == "true"
		} else {
			s.approvals[it[1]] = it[2] == "true"
		}
	}
	return s
}

func sameState(a, b apiState) bool {
	return a.version == b.version && a.templateVersion == b.templateVersion && a.stage == b.stage &&
		fmt.Sprint(a.tasks) == fmt.Sprint(b.tasks) && fmt.Sprint(a.approvals) == fmt.Sprint(b.approvals)
}

// TestBrowser_an_auditor_travels_in_time_as_the_API_answers signs in as the demo's auditor,
// chooses instants between a process's events on its time-travel page and compares what the page
// shows (version, template version, stage, tasks, approvals) with the API's ?at= answer; then
// compares two instants side by side, filters the history and verifies the process, with axe-core
// and the width check on every page; and an administrator's tokens and dead-letters pages under axe-core.
func TestBrowser_an_auditor_travels_in_time_as_the_API_answers(t *testing.T) {
	t.Parallel()
	needChromium(t)
	axe := axeScript(t)
	r := startServer(t, "--demo")
	demoTokens(t, r)
	id, instants := demoInstants(t, r)
	browser := headless(t, 8*time.Minute)
	if err := chromedp.Do(browser); err != nil {
		t.Fatal(err)
	}
	shots := artifactDir(t)
	b := newTab(t, browser, r, axe, shots, "auditor")
	b.signIn("auditor@leipzig")
	base := r.url + "/processes/" + id
	for i, at := range instants {
		b.do("open the time travel", chromedp.Navigate(base+"/past"), chromedp.WaitVisible(chromedp.CSS("form#travel")))
		b.travel(map[string]string{"#at": at.UTC().Format("2006-01-02T15:04:05")})
		got, want := pageState(t, b, "section[aria-labelledby=state]"), apiPast(t, r, id, at)
		if !sameState(got, want) {
			t.Fatalf("at %s the page shows %+v, the API %+v", at, got, want)
		}
		if i == 0 {
			b.check("past state")
		}
	}
	first, last := instants[0], instants[len(instants)-1]
	b.do("open the comparison", chromedp.Navigate(base+"/compare"), chromedp.WaitVisible(chromedp.CSS("form#travel")))
	b.travel(map[string]string{"#at": first.UTC().Format("2006-01-02T15:04:05"), "#at2": last.UTC().Format("2006-01-02T15:04:05")})
	a, z := apiPast(t, r, id, first), apiPast(t, r, id, last)
	if got := pageState(t, b, "section[aria-labelledby=side-a]"); !sameState(got, a) {
		t.Fatalf("side A shows %+v, the API %+v", got, a)
	}
	if got := pageState(t, b, "section[aria-labelledby=side-b]"); !sameState(got, z) {
		t.Fatalf("side B shows %+v, the API %+v", got, z)
	}
	rows, err := chromedp.Run(b.ctx, chromedp.Evaluate[[][]string](`[...document.querySelectorAll("table.diff tbody tr")].map(tr => [tr.className, ...[...tr.cells].map(c => c.textContent.trim())])`))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) < 4 || rows[0][2] != strconv.Itoa(a.version) || rows[0][3] != strconv.Itoa(z.version) || rows[0][0] != "changed" {
		t.Fatalf("the comparison's version row %v, want %d → %d marked changed", rows, a.version, z.version)
	}
	if stageChanged := rows[2][0] == "changed"; stageChanged != (a.stage != z.stage) {
		t.Fatalf("the stage row %v, the API's stages %s and %s", rows[2], a.stage, z.stage)
	}
	b.check("comparison")
	b.do("filter the history", chromedp.Navigate(base+"/history?type=process.opened"), chromedp.WaitVisible(chromedp.CSS("form#history-filter")))
	b.has("p.history-count", "1 von")
	b.check("history filtered")
	b.do("verify", chromedp.Navigate(base+"/verify"), chromedp.WaitVisible(chromedp.CSS("p.verify-outcome")))
	b.has("p.verify-outcome", "Alle Prüfungen bestanden")
	b.check("verification")
	b.do("narrow window", chromedp.EmulateViewport(375, 800), chromedp.Navigate(base+"/compare?version=1&version2=3"), chromedp.WaitVisible(chromedp.CSS("table.diff")))
	b.check("comparison at 375 px")
	b.svgContrastCanFail()
	admin := newTab(t, browser, r, axe, shots, "admin")
	admin.signIn("administrator@leipzig")
	admin.do("open the tokens", chromedp.Navigate(r.url+"/tokens"), chromedp.WaitVisible(chromedp.CSS("table.tokens")))
	admin.check("tokens")
	admin.do("open the dead letters", chromedp.Navigate(r.url+"/notifications/dead-letters"), chromedp.WaitVisible(chromedp.CSS("main h1")))
	admin.check("dead letters")
}

// travel fills the time-travel form's fields and sends it.
func (b *tab) travel(fields map[string]string) {
	b.t.Helper()
	steps := []chromedp.Action[chromedp.Void]{}
	for sel, v := range fields {
		// A datetime-local field takes its value as typed, "2025-03-01T12:00:00".
		js := fmt.Sprintf(`(() => { const f = document.querySelector(%q); f.value = %q; return f.value })()`, sel, v)
		steps = append(steps, chromedp.Evaluate[chromedp.Void](js))
	}
	steps = append(steps, chromedp.Evaluate[chromedp.Void](`document.body.dataset.stale = "1"`, chromedp.EvalIgnoreExceptions),
		chromedp.Click(chromedp.CSS("form#travel button[type=submit]")),
		chromedp.WaitReady(chromedp.CSS("body:not([data-stale])")), chromedp.WaitVisible(chromedp.CSS("dl.past")))
	b.do("travel", steps...)
}

// demoInstants picks a Leipzig demo process with a stage change and three instants strictly
// between its events: before the first stage change, just after it, and after the last event.
func demoInstants(t *testing.T, r *running) (string, []time.Time) {
	t.Helper()
	list := r.must("GET", "/api/v1/processes?tenant=leipzig&limit=100", "auditor@leipzig", nil)
	for _, x := range list.body["items"].([]any) {
		id := x.(map[string]any)["id"].(string)
		h := r.must("GET", "/api/v1/processes/"+id+"/history?limit=1000", "auditor@leipzig", nil)
		var times []time.Time
		change := -1
		for i, e := range h.body["items"].([]any) {
			ev := e.(map[string]any)
			at, _ := time.Parse(time.RFC3339Nano, ev["recorded_at"].(string))
			times = append(times, at)
			if ev["type"] == "process.stage_completed" && change < 0 {
				change = i
			}
		}
		if change < 2 || change+1 >= len(times) {
			continue
		}
		mid := func(i int) (time.Time, bool) { // a whole second strictly between event i and i+1
			m := times[i].Add(times[i+1].Sub(times[i]) / 2).Truncate(time.Second)
			return m, m.After(times[i]) && m.Before(times[i+1])
		}
		before, ok1 := mid(change - 1)
		after, ok2 := mid(change)
		if !ok1 || !ok2 {
			continue
		}
		return id, []time.Time{before, after, times[len(times)-1].Add(time.Second).Truncate(time.Second)}
	}
	t.Fatal("no demo process with a stage change between events seconds apart")
	return "", nil
}

// svgContrastCanFail shows that the SVG contrast check judges the charts: the overview's charts
// and the stage timeline pass; with their text drawn light grey (#aaa on white, 2.3:1) they fail.
func (b *tab) svgContrastCanFail() {
	b.t.Helper()
	b.do("open the overview", chromedp.EmulateViewport(1280, 900), chromedp.Navigate(b.r.url+"/"), chromedp.WaitVisible(chromedp.CSS("figure.chart svg")))
	n, err := chromedp.Run(b.ctx, chromedp.Evaluate[int](`document.querySelectorAll("svg text").length`))
	if err != nil || n == 0 {
		b.t.Fatalf("no SVG text on the overview (%v)", err)
	}
	if low, err := svgContrast(b.ctx); err != nil || len(low) > 0 {
		b.t.Fatalf("the overview's charts: %v %v", low, err)
	}
	// Through the CSSOM: the Content-Security-Policy refuses a <style> element.
	b.do("draw the chart text light grey", chromedp.Evaluate[chromedp.Void](`document.querySelectorAll("svg text").forEach(t => t.style.setProperty("fill", "#aaa", "important"))`))
	low, err := svgContrast(b.ctx)
	if err != nil || len(low) != n {
		b.t.Fatalf("light grey chart text: %d of %d texts found (%v): %v", len(low), n, err, low)
	}
}
