package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/workflows/engine"
	"github.com/civicflow/civicflow/workflows/tokens"
)

// leipzigProgramme opens a programme Leipzig coordinates (its auditors read its report).
func (s *site) leipzigProgramme() string {
	s.t.Helper()
	admin := process.Meta{Actor: process.Actor{User: "admin-leipzig", Tenant: "leipzig", Role: "administrator"}}
	res, err := s.programmeEngine().OpenProgramme(context.Background(), admin, engine.OpenProgramme{Title: "Leipziger Reihe",
		Coordinator: "Stadt Leipzig", Start: now.AddDate(0, -1, 0), End: now.AddDate(0, 11, 0), MaxSites: 3})
	if err != nil {
		s.t.Fatal(err)
	}
	return res.Programme.String()
}

func TestProgrammeReportPage(t *testing.T) {
	s := newSite(t)
	id := s.withProgramme()
	secret, _, err := tokens.New(s.store, func() time.Time { return now }).Create(context.Background(), "ews", "ada", "auditor")
	if err != nil {
		t.Fatal(err)
	}
	s.tokens["auditor@ews"] = secret
	link := `href="/programmes/` + id + `/report?format=html"`
	for _, who := range []string{"coordinator@ews", "auditor@ews"} {
		t.Run(strings.ReplaceAll(who, "@", "_of_")+"_follows_the_link_to_a_report_without_personal_data", func(t *testing.T) {
			b := s.browser()
			b.signIn(who)
			if p := b.get("/programmes/" + id); !strings.Contains(p.body, link) {
				t.Fatalf("no link to the report:\n%s", p.body)
			}
			p := b.get("/programmes/" + id + "/report?format=html")
			if p.status != http.StatusOK || !strings.Contains(p.body, "Programmbericht") || !strings.Contains(p.body, "Fachtagung Engagementstrategien") {
				t.Fatalf("%d\n%s", p.status, p.body)
			}
			for _, secret := range []string{"Erika", "erika@example.org", `"p-1"`, ">p-1<", "lead-leipzig"} {
				if strings.Contains(p.body, secret) {
					t.Errorf("the report shows %s", secret)
				}
			}
		})
	}
	t.Run("a_member_site_sees_no_link_and_is_refused", func(t *testing.T) {
		b := s.browser()
		b.signIn("member@leipzig")
		if p := b.get("/programmes/" + id); p.status != http.StatusOK || strings.Contains(p.body, link) {
			t.Fatalf("%d, link shown: %v", p.status, strings.Contains(p.body, link))
		}
		if p := b.get("/programmes/" + id + "/report"); p.status != http.StatusForbidden {
			t.Fatalf("%d", p.status)
		}
	})
	t.Run("an_outsider_does_not_find_it", func(t *testing.T) {
		b := s.browser()
		b.signIn("lead@menden")
		if p := b.get("/programmes/" + id + "/report"); p.status != http.StatusNotFound {
			t.Fatalf("%d", p.status)
		}
	})
}
