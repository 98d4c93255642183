package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/workflows/engine"
	"github.com/civicflow/civicflow/workflows/gate"
	"github.com/civicflow/civicflow/workflows/tokens"
)

// withProgramme opens a programme coordinated by ews with the Leipzig process as its site, one
// held shared session with one Leipzig person, and signs in tokens for ews's coordinator.
func (s *site) withProgramme() string {
	s.t.Helper()
	ctx := context.Background()
	clock := func() time.Time { return now }
	eng := s.programmeEngine()
	secret, _, err := tokens.New(s.store, clock).Create(ctx, "ews", "kora", "coordinator")
	if err != nil {
		s.t.Fatal(err)
	}
	s.tokens["coordinator@ews"] = secret
	coord := process.Meta{Actor: process.Actor{User: "kora", Tenant: "ews", Role: "coordinator"}}
	res, err := eng.OpenProgramme(ctx, coord, engine.OpenProgramme{Title: "EWS Runde 3", Coordinator: "Landesnetzwerk Bürgerschaftliches Engagement",
		Start: now.AddDate(0, -6, 0), End: now.AddDate(0, 6, 0), MaxSites: 10})
	if err != nil {
		s.t.Fatal(err)
	}
	leipzig := process.Meta{Actor: process.Actor{User: "lead-leipzig", Tenant: "leipzig", Role: "lead"}}
	for _, step := range []struct {
		m   process.Meta
		cmd engine.ProgrammeCommand
	}{
		{leipzig, engine.JoinProgramme{Process: s.leipzig.String(), Site: "Leipzig"}},
		{coord, engine.ScheduleProgrammeSession{Session: "fachtagung", Title: "Fachtagung Engagementstrategien", Format: "conference", Date: now, DurationMinutes: 360, Place: "Dortmund"}},
		{coord, engine.HoldProgrammeSession{Session: "fachtagung"}},
		{leipzig, engine.RecordProgrammeAttendance{Session: "fachtagung", Persons: []string{"p-1"}}},
		{leipzig, engine.GiveProgrammeFeedback{Session: "fachtagung", Person: "p-1", Text: "Vertraulich: zu lange Pausen"}},
		{coord, engine.DeclareProgrammeIndicator{DeclareIndicator: engine.DeclareIndicator{Indicator: "strategien", NameDe: "Beschlossene Engagementstrategien",
			NameEn: "strategies adopted", Unit: "Standorte", Direction: "increase", BaselineDate: now.AddDate(0, -6, 0), TargetValue: 10, TargetDate: now.AddDate(0, 6, 0)}}},
		{leipzig, engine.RecordProgrammeIndicatorValue{RecordIndicatorValue: engine.RecordIndicatorValue{Indicator: "strategien", Value: 3, Date: now, Source: "Ratsbeschlüsse"}}},
	} {
		if _, err := eng.DoProgramme(ctx, step.m, res.Programme, engine.NoExpectation, step.cmd); err != nil {
			s.t.Fatalf("%s: %v", step.cmd.Name(), err)
		}
	}
	return res.Programme.String()
}

// programmeEngine is an engine on the site's store, for setting up programmes.
func (s *site) programmeEngine() *engine.Engine {
	s.t.Helper()
	g, _ := gate.New()
	eng, err := engine.New(engine.Config{Store: s.store, Vault: s.store.Vault(), Gates: g, Clock: func() time.Time { return now }})
	if err != nil {
		s.t.Fatal(err)
	}
	return eng
}

func TestProgrammePages(t *testing.T) {
	s := newSite(t)
	id := s.withProgramme()
	t.Run("the_coordinator_sees_each_sites_stage_and_figures_without_names", func(t *testing.T) {
		b := s.browser()
		b.signIn("coordinator@ews")
		list := b.get("/programmes")
		if !strings.Contains(list.body, "EWS Runde 3") || !strings.Contains(list.body, "1 / 10") {
			t.Fatalf("programme list:\n%s", list.body)
		}
		p := b.get("/programmes/" + id)
		for _, want := range []string{"<h1>EWS Runde 3</h1>", "Leipzig", "Ausschreibung", `role="img"`, "Fachtagung Engagementstrategien", "leipzig: 1", "360",
			`class="indicator"`, "Beschlossene Engagementstrategien: Ausgangswert 0 Standorte", "zuletzt 3 Standorte", "Ratsbeschlüsse (leipzig)",
			"Rückmeldungen (Mittelwert je Frage)"} {
			if !strings.Contains(p.body, want) {
				t.Errorf("programme page lacks %s", want)
			}
		}
		for _, secret := range []string{"Erika", "erika@example.org", "lead-leipzig", "Vertraulich", "p-1"} {
			if strings.Contains(p.body, secret) {
				t.Errorf("programme page shows %s", secret)
			}
		}
		if p := b.get("/processes/" + s.leipzig.String()); p.status != http.StatusNotFound {
			t.Errorf("the coordinator opens the site's process page: %d", p.status)
		}
	})
	t.Run("the_site_sees_the_programme_and_an_outsider_does_not", func(t *testing.T) {
		b := s.browser()
		b.signIn("member@leipzig")
		if p := b.get("/programmes/" + id); p.status != http.StatusOK || !strings.Contains(p.body, "EWS Runde 3") {
			t.Fatalf("leipzig: %d", p.status)
		}
		o := s.browser()
		o.signIn("lead@menden")
		if p := o.get("/programmes/" + id); p.status != http.StatusNotFound {
			t.Fatalf("menden: %d", p.status)
		}
		if p := o.get("/programmes"); strings.Contains(p.body, "EWS Runde 3") {
			t.Fatal("menden lists the programme")
		}
	})
}

// programmePages are the programme pages an auditor of Leipzig reads: the list, a programme
// Leipzig takes part in and the report of a programme Leipzig coordinates.
func programmePages(s *site) []auditedPage {
	path := "/programmes/" + s.withProgramme()
	report := "/programmes/" + s.leipzigProgramme() + "/report"
	return []auditedPage{
		{"programmes", "GET /programmes", "/programmes", "/programmes", "", ""},
		{"programme", "GET /programmes/{id}", path, path, "", ""},
		{"programme report", "GET /programmes/{id}/report", report, report, "", ""},
	}
}
