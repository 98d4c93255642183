package main

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowser_staff_walk_a_process_through_the_web_forms drives headless Chromium against the real
// binary: a lead opens a process from a template and, with a member and an administrator, takes
// it to completion through the web forms only — a refused advance whose reason stands next to the
// gate, a 412 after another session's change, a double submit that writes once. axe-core runs on
// every page and form state (no serious or critical violation), and no page is wider than the
// window at 1280 and at 375 px. Screenshots go to CIVICFLOW_TEST_ARTIFACTS if it is set.
func TestBrowser_staff_walk_a_process_through_the_web_forms(t *testing.T) {
	t.Parallel()
	needChromium(t)
	axe := axeScript(t)
	r := startServer(t, "--demo")
	demoTokens(t, r)
	if rep := r.raw("POST", "/api/v1/templates", "administrator@leipzig", "application/yaml", []byte(shortTemplate)); rep.status != 201 {
		t.Fatalf("publish the template: %d %s", rep.status, rep.raw)
	}
	browser := headless(t, 10*time.Minute)
	if err := chromedp.Do(browser); err != nil { // starts the browser, whose contexts the tabs get
		t.Fatal(err)
	}
	shots := artifactDir(t)
	if shots != "" {
		t.Logf("screenshots: %s", shots)
	}
	lead, member, admin := newTab(t, browser, r, axe, shots, "lead"), newTab(t, browser, r, axe, shots, "member"), newTab(t, browser, r, axe, shots, "admin")

	lead.signIn("lead@leipzig")
	lead.has("h2#needs", "Was braucht mich?")
	lead.check("first screen")
	lead.do("choose the template", chromedp.SetValue(chromedp.CSS("#f-open-template"), "leipzig:web-kurzverfahren"))
	lead.submit("f-open", map[string]string{"title": "Bürgerwerkstatt im Browser"})
	lead.has("h1", "Bürgerwerkstatt im Browser")
	lead.has("p.done", "Das Verfahren ist eröffnet.")
	process, err := chromedp.Run(lead.ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	process = strings.SplitN(process, "?", 2)[0]
	lead.check("process opened")

	// Advancing now is refused: the reason stands next to each unmet condition.
	lead.submit("f-advance", nil)
	lead.has("#f-advance .error", "Nicht weitergeschaltet")
	lead.has("#cond-gate-participants_registered.unmet.refused", "Grund der Ablehnung")
	lead.has("#cond-approval-department_head.unmet.refused", "die Freigabe fehlt noch")
	lead.check("advance refused")
	lead.submit("f-complete_task-plan", map[string]string{"evidence": "Ablaufplan vom Montag"})
	lead.has("#cond-task-plan", "erfüllt")

	// The lead's page is now stale: the member registers a participant meanwhile.
	member.signIn("member@leipzig")
	member.do("open the process", chromedp.Navigate(process))
	member.check("process as member")
	member.do("group", chromedp.SetValue(chromedp.CSS("#f-register_participant-group"), "citizens"))
	member.submit("f-register_participant", map[string]string{"name": "Erika Musterfrau"})
	member.has("p.done", "registriert")

	held := time.Now().Add(-26 * time.Hour).In(berlinTZ(t)).Format("2006-01-02T15:04")
	lead.do("format", chromedp.SetValue(chromedp.CSS("#f-schedule_session-format"), "workshop"))
	lead.submit("f-schedule_session", map[string]string{"title": "Auftaktwerkstatt", "date": held, "place": "Rathaus"})
	lead.has(".conflict", "Das Verfahren wurde inzwischen geändert.")
	lead.has(".conflict", "Beteiligte:r angemeldet")
	lead.has("#f-schedule_session .error", "Nicht gespeichert")
	if v, _ := browserRun(lead.ctx, chromedp.Value(chromedp.CSS("#f-schedule_session-title"))); v != "Auftaktwerkstatt" {
		t.Fatalf("the conflicting form lost its input: title %q", v)
	}
	lead.check("conflict 412")
	lead.submit("f-schedule_session", nil) // sent again from the page that shows the changes
	lead.has("p.done", "Die Veranstaltung ist geplant.")

	admin.signIn("administrator@leipzig")
	admin.do("open the process", chromedp.Navigate(process))
	admin.submit("f-grant_approval-department_head", map[string]string{"note": "Freigegeben"})
	admin.has("p.done", "Die Freigabe ist erteilt.")

	lead.do("reload", chromedp.Navigate(process))
	lead.has("#cond-gate-participants_registered", "✓ erfüllt")
	lead.submit("f-advance", nil)
	lead.has("p.done", "nächsten Phase")
	lead.has("dl.facts", "Durchführung")

	member.do("reload", chromedp.Navigate(process))
	member.submit("f-hold_session-"+sessionID(t, member), map[string]string{"attendance": "14", "notes": "gut besucht"})
	member.has("p.done", "durchgeführt")
	doubleSubmit(t, member)

	lead.do("reload", chromedp.Navigate(process))
	lead.submit("f-advance", nil)
	lead.has("dl.facts", "Umsetzung")
	lead.do("model", chromedp.SetValue(chromedp.CSS("#f-record_decision-model"), "consent"))
	lead.submit("f-record_decision", map[string]string{"subject": "Spielplatzgestaltung", "outcome": "Variante B"})
	lead.submit("f-publish_result", map[string]string{"title": "Dokumentation", "summary": "Alle Beiträge"})
	lead.submit("f-define_measure", map[string]string{"title": "Schaukel aufstellen", "owner": "Grünflächenamt"})
	lead.check("implementation with forms")

	member.do("reload", chromedp.Navigate(process))
	measure := attr(t, member, `form[id^="f-report_progress-"]`, "id")
	member.do("status", chromedp.SetValue(chromedp.CSS("#"+measure+"-status"), "done"))
	member.submit(measure, map[string]string{"progress": "100"})
	member.has("p.done", "Der Fortschritt ist gemeldet.")

	lead.do("reload", chromedp.Navigate(process))
	lead.has("#cond-gate-done", "✓ erfüllt")
	lead.submit("f-complete", nil)
	lead.has("p.done", "Das Verfahren ist abgeschlossen.")
	lead.has("dl.facts", "abgeschlossen")
	if n, _ := chromedp.Run(lead.ctx, chromedp.Evaluate[int](`document.querySelectorAll("form.act").length`)); n != 0 {
		t.Errorf("a completed process still has %d forms", n)
	}
	lead.check("completed")

	// The administrator marks the completed process public for the open data.
	admin.do("reload", chromedp.Navigate(process))
	admin.submit("f-set_open_data-true", nil)
	admin.has("p.done", "Die Freigabe für offene Daten ist geändert.")
	admin.has("#opendata + p", "stehen in den offenen Daten der Kommune")
	admin.check("open data marked public")

	// The administration reads a participant's attendance record in Leipzig's solution team of
	// the demo and prints the certificate of the six-module series it links.
	var series string
	for _, it := range list(r.must("GET", "/api/v1/processes?limit=500&tenant=leipzig", "administrator@leipzig", nil).body["items"]) {
		if strings.Contains(it["title"].(string), "Lösungsteam Stadtgrün") {
			series = it["id"].(string)
		}
	}
	if series == "" {
		t.Fatal("the demo has no Lösungsteam Stadtgrün")
	}
	admin.do("attendance record", chromedp.Navigate(r.url+"/processes/"+series+"/participants/p01/attendance"))
	admin.has("h1", "Teilnahmenachweis")
	admin.has("main", "Besuchte Termine")
	admin.check("attendance record")
	admin.do("certificate", chromedp.Click(chromedp.CSS(`a[href$="/certificates/weiterbildungsreihe"]`)))
	admin.has("h1", "Teilnahmebescheinigung")

	admin.do("templates", chromedp.Navigate(r.url+"/templates"))
	admin.submit("f-publish", map[string]string{"yaml": "id: kaputt\ntitle: {de: K, en: B}\nstages:\n  - key: Zwei Wörter\n"})
	admin.has("#problems + ul", "Zeile 4")
	admin.check("template problems")

	t.Run("no_page_is_wider_than_the_window_at_1280_and_375_px", func(t *testing.T) {
		for _, width := range []int64{1280, 375} {
			for _, who := range []*tab{lead, member, admin} {
				who.do("resize", chromedp.EmulateViewport(width, 800))
				for _, path := range []string{"/", "/measures", "/activity", strings.TrimPrefix(process, r.url), "/templates/leipzig:web-kurzverfahren/stats", "/templates", "/templates/leipzig:web-kurzverfahren", "/barrierefreiheit", "/programmes", "/signin"} {
					who.do("open "+path, chromedp.Navigate(r.url+path))
					who.check(path)
					if path == "/" && width == 1280 {
						cut, _ := chromedp.Run(who.ctx, chromedp.Evaluate[bool](`(e => e.scrollWidth > e.clientWidth)(document.querySelector("table.processes").parentElement)`))
						if cut {
							t.Errorf("%s: the process table does not fit at 1280 px", who.name)
						}
					}
				}
			}
		}
		anon := newTab(t, browser, r, axe, shots, "signed-out")
		anon.do("narrow", chromedp.EmulateViewport(375, 800), chromedp.Navigate(r.url+"/signin"))
		anon.check("/signin")
		anon.do("statement", chromedp.Navigate(r.url+"/barrierefreiheit"))
		anon.check("/barrierefreiheit")
	})
	t.Run("signin_while_signed_in_says_as_whom", func(t *testing.T) {
		member.do("open /signin", chromedp.Navigate(r.url+"/signin"))
		member.has("main", "Sie sind bereits angemeldet als")
		member.do("still signed in", chromedp.Navigate(r.url+"/"), chromedp.WaitVisible(chromedp.CSS("form.signout")))
	})
	r.stop()
}

// doubleSubmit sends the contribution form, then the same form (its key and version) once more,
// as a second click would: the process gets one contribution.
func doubleSubmit(t *testing.T, b *tab) {
	t.Helper()
	b.do("copy the form", chromedp.Evaluate[chromedp.Void](`window.name = document.querySelector("#f-record_contribution").outerHTML`))
	b.submit("f-record_contribution", map[string]string{"text": "Mehr Schatten am Sandkasten", "topic": "Schatten"})
	b.has("p.done", "Der Beitrag ist gespeichert.")
	b.do("the same form again", chromedp.Evaluate[chromedp.Void](`(function(){
		const old = document.querySelector("#f-record_contribution"); old.id = "f-old";
		old.insertAdjacentHTML("afterend", window.name);
		document.querySelector("#f-record_contribution [name=text]").value = "Mehr Schatten am Sandkasten";
	})()`))
	b.submit("f-record_contribution", nil)
	b.has("p.done", "Der Beitrag ist gespeichert.")
	b.has("section[aria-labelledby=sessions]", "Beiträge: 1")
}

func sessionID(t *testing.T, b *tab) string {
	t.Helper()
	return strings.TrimPrefix(attr(t, b, `form[id^="f-hold_session-"]`, "id"), "f-hold_session-")
}

func attr(t *testing.T, b *tab, sel, name string) string {
	t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.querySelector(`+"`"+sel+"`"+`).getAttribute("`+name+`")`))
	if err != nil {
		t.Fatalf("%s %s: %v", sel, name, err)
	}
	return v
}

func berlinTZ(t *testing.T) *time.Location {
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skipf("no time zone data: %v", err)
	}
	return loc
}
