package web_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/workflows/engine"
	"github.com/civicflow/civicflow/workflows/gate"
	"github.com/civicflow/civicflow/workflows/templates"
)

func TestProcessPage_shows_its_periods_with_exact_ends(t *testing.T) {
	s := newSite(t)
	b := s.browser()
	b.signIn("viewer@leipzig")
	for lang, want := range map[string][]string{
		"de": {"<h2 id=\"periods\">Fristen</h2>", "Veröffentlichung des Aufrufs", "Mindestfrist", "endet am 01.10.2025, 24:00 Uhr", "nur dokumentiert"},
		"en": {"<h2 id=\"periods\">Periods</h2>", "Publication of the call", "minimum period", "ends on 1 Oct 2025, 24:00", "documented only"},
	} {
		p := b.get("/processes/" + s.leipzig.String() + "?lang=" + lang)
		for _, w := range want {
			if !strings.Contains(p.body, w) {
				t.Errorf("%s: the process page lacks %q", lang, w)
			}
		}
	}
}

// firstScreenTemplate has a maximum period of one day and a minimum period of fourteen, both from
// the named date announced_at.
const firstScreenTemplate = `id: fristen-web
title: {de: Fristen, en: Periods}
calendar: DE-SN
dates:
  - {key: announced_at, title: {de: Bekanntmachung, en: Announcement}}
stages:
  - key: collect
    title: {de: Sammeln, en: Collect}
  - key: done
    title: {de: Fertig, en: Done}
deadlines:
  - {key: quick, title: {de: Rückmeldung binnen eines Tages, en: Answer within a day}, stage: collect, kind: maximum, days: 1, anchor: {date: announced_at}}
  - {key: objections, title: {de: Einwendungsfrist, en: Period for objections}, stage: collect, kind: minimum, days: 14, anchor: {date: announced_at}}
`

func TestFirstScreen_lists_periods_ending_soon_and_missed(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	g, _ := gate.New()
	announced := now.AddDate(0, 0, -10) // Friday 22 August 2025
	eng, err := engine.New(engine.Config{Store: s.store, Vault: s.store.Vault(), Gates: g, Clock: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	tpl, err := templates.Parse([]byte(firstScreenTemplate))
	if err != nil {
		t.Fatal(err)
	}
	admin := process.Meta{Actor: process.Actor{User: "administrator-leipzig", Tenant: "leipzig", Role: "administrator"}, CommandID: "tpl"}
	if _, err := eng.PublishTemplate(ctx, admin, tpl); err != nil {
		t.Fatal(err)
	}
	lead := process.Meta{Actor: process.Actor{User: "lead-leipzig", Tenant: "leipzig", Role: "lead"}, CommandID: "open-fristen"}
	res, err := eng.Open(ctx, lead, engine.OpenProcess{Template: "fristen-web", Title: "Planfeststellung Radweg"})
	if err != nil {
		t.Fatal(err)
	}
	lead.CommandID = "announced"
	if _, err := eng.Do(ctx, lead, res.Process, engine.NoExpectation, engine.SetDate{Date: "announced_at", Value: announced}); err != nil {
		t.Fatal(err)
	}
	b := s.browser()
	b.signIn("lead@leipzig")
	want := []string{"Fristen: bald endend oder verfehlt", "Rückmeldung binnen eines Tages", "<strong>verfehlt</strong>",
		"Einwendungsfrist", "endet am 05.09.2025, 24:00 Uhr"} // 22 August + 14 days: Friday 5 September
	var body string
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if body = b.get("/").body; strings.Contains(body, "Einwendungsfrist") {
			break
		}
	}
	for _, w := range want {
		if !strings.Contains(body, w) {
			t.Errorf("the first screen lacks %q", w)
		}
	}
}
