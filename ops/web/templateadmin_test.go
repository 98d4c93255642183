package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

const uploadOK = `id: spielplatz-kurz
title: {de: Spielplatzbeteiligung kurz, en: Short playground participation}
stages:
  - key: plan
    title: {de: Planen, en: Plan}
    tasks:
      - key: invite
        title: {de: Einladen, en: Invite}
        required: true
    gates:
      - key: enough
        title: {de: Genug Beteiligte, en: Enough participants}
        expr: 'participants.count >= 3'
`

// uploadBad has a bad stage key on line 5 and a gate expression on line 9 that is not boolean.
const uploadBad = `id: kaputt
title: {de: Kaputt, en: Broken}
stages:
  - key: plan
  - key: Zwei Wörter
    title: {de: Zwei, en: Two}
    gates:
      - key: g
        expr: 'participants.count + 1'
        title: {de: G, en: G}
`

func TestTemplates_in_the_browser(t *testing.T) {
	s := newSite(t)
	admin := s.browser()
	admin.signIn("administrator@leipzig")
	publish := func(doc string) page {
		f := formOf(t, admin.get("/templates").body, "f-publish")
		f.Set("yaml", doc)
		return admin.post("/templates", f)
	}

	t.Run("lists_the_templates_and_offers_the_upload_to_administrators_only", func(t *testing.T) {
		if p := admin.get("/templates"); !strings.Contains(p.body, "Beteiligungsverfahren (Standard)") || !strings.Contains(p.body, `id="f-publish"`) {
			t.Fatal("the administrator's list lacks the default template or the upload")
		}
		member := s.browser()
		member.signIn("member@leipzig")
		if p := member.get("/templates"); p.status != http.StatusOK || strings.Contains(p.body, `id="f-publish"`) {
			t.Fatalf("%d, or the member gets the upload form", p.status)
		}
		if got := member.post("/templates", url.Values{"csrf": {member.csrf}, "yaml": {uploadOK}}); got.status != http.StatusForbidden {
			t.Fatalf("a member's upload: %d", got.status)
		}
	})
	t.Run("shows_every_problem_of_an_upload_with_its_line_and_publishes_nothing", func(t *testing.T) {
		got := publish(uploadBad)
		if got.status != http.StatusUnprocessableEntity {
			t.Fatalf("%d", got.status)
		}
		for _, want := range []string{"<strong>Zeile 4</strong> <code>stages[0].title</code>", "<strong>Zeile 5</strong> <code>stages[1].key</code>",
			"<strong>Zeile 9</strong> <code>stages[1].gates[0].expr</code>", "Nicht veröffentlicht: "} {
			if !strings.Contains(got.body, want) {
				t.Errorf("the problems lack %s", want)
			}
		}
		if !strings.Contains(got.body, "Zwei Wörter") {
			t.Error("the upload's text is not kept")
		}
		if p := admin.get("/templates/kaputt"); p.status != http.StatusNotFound {
			t.Fatalf("a refused upload was published: %d", p.status)
		}
	})
	t.Run("names_the_line_of_a_yaml_syntax_error", func(t *testing.T) {
		got := publish("id: x\ntitle: {de: X\nstages: []\n")
		if got.status != http.StatusUnprocessableEntity || !strings.Contains(got.body, "<strong>Zeile ") {
			t.Fatalf("%d", got.status)
		}
	})
	t.Run("publishes_the_tenants_template_and_shows_its_stages", func(t *testing.T) {
		got := publish(uploadOK)
		if got.status != http.StatusSeeOther || got.header.Get("Location") != "/templates/leipzig:spielplatz-kurz?done=publish" {
			t.Fatalf("%d %q", got.status, got.header.Get("Location"))
		}
		p := admin.get(got.header.Get("Location"))
		for _, want := range []string{"Die Vorlage ist veröffentlicht.", "Version 1", "Einladen (Pflichtfeld)", "participants.count &gt;= 3"} {
			if !strings.Contains(p.body, want) {
				t.Errorf("the template page lacks %q", want)
			}
		}
		other := s.browser()
		other.signIn("administrator@menden")
		if p := other.get("/templates/leipzig:spielplatz-kurz"); p.status != http.StatusNotFound {
			t.Fatalf("another tenant sees it: %d", p.status)
		}
	})
	t.Run("retires_a_version_only_with_a_reason", func(t *testing.T) {
		path := "/templates/leipzig:spielplatz-kurz"
		f := formOf(t, admin.get(path).body, "f-retire-1")
		if got := admin.post(path+"/versions/1/retire", f); got.status != http.StatusUnprocessableEntity ||
			!strings.Contains(got.body, `id="f-retire-1-reason-error"`) {
			t.Fatalf("without a reason: %d", got.status)
		}
		f = formOf(t, admin.get(path).body, "f-retire-1")
		f.Set("reason", "ersetzt durch die Standardvorlage")
		if got := admin.post(path+"/versions/1/retire", f); got.status != http.StatusSeeOther {
			t.Fatalf("%d %s", got.status, got.body)
		}
		if p := admin.get(path); !strings.Contains(p.body, "Version 1 – zurückgezogen") || strings.Contains(p.body, `id="f-retire-1"`) {
			t.Fatal("the version is not shown as retired")
		}
	})
}
