package demo_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/workflows/engine"
)

// The demo runs the seed programmes with their new structure: the EWS round as a programme of
// ten site processes in ten tenants with shared sessions and two-person teams whose councils
// adopted the strategy; Leipzig's Lösungsteam with its coach, six modules with attendance and the
// certificate; Gemeinsam wirken's partner organisations, roles and indicator values; Kommune
// 360°'s goal system as indicators with values.
func TestLoad_runs_the_seed_programmes_with_teams_programme_and_indicators(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.load(h.clock.Advance)
	byTitle := map[string]*process.Process{}
	for _, p := range h.processes() {
		byTitle[p.Title] = p
	}
	coordinator := process.Actor{User: "ruth.hagedorn", Tenant: "ksi", Role: "coordinator"}
	list, err := h.engine.Programmes(h.ctx, coordinator)
	if err != nil || len(list) != 1 {
		t.Fatalf("programmes of the KSI: %d, %v", len(list), err)
	}
	prog := list[0]
	t.Run("ews_is_a_programme_of_ten_sites_in_ten_tenants_with_shared_sessions", func(t *testing.T) {
		v, err := h.engine.ProgrammeView(h.ctx, coordinator, prog.ID)
		if err != nil {
			t.Fatal(err)
		}
		tenants := map[string]bool{}
		for _, s := range v.Sites {
			tenants[s.Tenant] = true
			if s.Figures == nil {
				t.Errorf("no figures of %s for the coordinator", s.Site)
			}
		}
		if len(v.Sites) != 10 || len(tenants) != 10 || v.MaxSites != 10 || len(v.Sessions) != 7 {
			t.Fatalf("%d sites in %d tenants, %d sessions", len(v.Sites), len(tenants), len(v.Sessions))
		}
		if v.Sessions[0].Format != "conference" || v.Sessions[0].Attendees != 20 || v.Sessions[0].BySite["menden"] != 2 {
			t.Fatalf("Fachtagung %+v", v.Sessions[0])
		}
		adopted := 0
		for _, p := range byTitle {
			for _, d := range p.Decisions {
				if p.TemplateID == "ews-engagementstrategie" && d.Body == "council" && d.Adopted {
					adopted++
				}
			}
		}
		if len(v.Indicators) != 1 || v.Indicators[0].Latest.Value != 3 || len(v.Indicators[0].Values) != 2 ||
			v.Indicators[0].Values[0].Tenant != "kreis-siegen-wittgenstein" || adopted < 3 {
			t.Fatalf("shared indicator %+v with %d councils adopting", v.Indicators, adopted)
		}
		for _, s := range v.Sessions[1:] {
			if !s.Held || s.Attendees < 18 {
				t.Errorf("workshop %s: held %v, %d attendees", s.Title, s.Held, s.Attendees)
			}
		}
	})
	t.Run("the_sites_hold_no_copies_of_the_shared_sessions_and_their_gates_read_the_programme", func(t *testing.T) {
		sites := 0
		for _, p := range byTitle {
			if p.TemplateID != "ews-engagementstrategie" {
				continue
			}
			sites++
			for _, x := range p.Sessions {
				if x.Format == "conference" || strings.HasPrefix(x.Session, "w") || x.Session == "fachtagung" {
					t.Errorf("%s holds a copy of the programme's session %s", p.Title, x.Title)
				}
			}
			f, err := h.engine.ProgrammeFacts(h.ctx, p)
			if err != nil {
				t.Fatal(err)
			}
			if !f.Member || f.AttendedByFormat["conference"] != 1 {
				t.Errorf("%s: programme facts %+v", p.Title, f)
			}
			if p.Stage == "strategy_decision" || p.Stage == "implementation" || p.Status == process.StatusCompleted {
				if f.AttendedByFormat["workshop"] < 4 { // the workshops_held gate let it leave the series
					t.Errorf("%s left the series after %d of the programme's workshops", p.Title, f.AttendedByFormat["workshop"])
				}
			}
		}
		if sites != 10 {
			t.Fatalf("%d EWS sites", sites)
		}
	})
	t.Run("an_eleventh_site_is_refused", func(t *testing.T) {
		leipzig := process.Actor{User: "anna.schubert", Tenant: "leipzig", Role: "lead"}
		opened, err := h.engine.Open(h.ctx, process.Meta{Actor: leipzig}, engine.OpenProcess{Template: "ews-engagementstrategie", Title: "Engagementstrategie Leipzig"})
		if err != nil {
			t.Fatal(err)
		}
		_, err = h.engine.DoProgramme(h.ctx, process.Meta{Actor: leipzig}, prog.ID, engine.NoExpectation, engine.JoinProgramme{Process: opened.Process.String()})
		var r *process.RefusedError
		if !errors.As(err, &r) || r.Rule != "max_sites" {
			t.Fatalf("%v", err)
		}
	})
	t.Run("ews_sites_have_two_person_teams_and_councils_adopted_the_strategy", func(t *testing.T) {
		ahlen := byTitle["Engagementstrategie Ahlen"]
		if ahlen.Stage != "implementation" || len(ahlen.Collab.Teams["et"].Members) != 2 {
			t.Fatalf("Ahlen in %s with team %+v", ahlen.Stage, ahlen.Collab.Teams["et"])
		}
		adopted := false
		for _, d := range ahlen.Decisions {
			adopted = adopted || d.Body == "council" && d.Adopted
		}
		if !adopted {
			t.Fatal("no adopted council decision in Ahlen")
		}
	})
	t.Run("leipzig_solution_team_with_coach_attendance_and_certificate", func(t *testing.T) {
		var lt *process.Process
		for title, p := range byTitle {
			if strings.Contains(title, "Lösungsteam Stadtgrün") {
				lt = p
			}
		}
		tpl, _ := h.engine.Template(h.ctx, lt.TemplateID, lt.TemplateVersion)
		team := lt.Collab.Teams["stadtgruen"]
		if len(team.Members) != 5 || team.Coach != "p06" || len(lt.Collab.Roles["coach"]) != 3 {
			t.Fatalf("team %+v, coaches %v", team, lt.Collab.Roles["coach"])
		}
		if _, err := lt.Certificate(tpl.Template, "weiterbildungsreihe", "p01"); err != nil {
			t.Fatalf("p01: %v", err)
		}
		if _, err := lt.Certificate(tpl.Template, "weiterbildungsreihe", "p04"); err == nil {
			t.Fatal("p04 attended four modules and got a certificate")
		}
		if f := lt.Facts(tpl.Template, h.clock.Now()); f.Feedback.Count != 6 || f.Attendance.Persons != 5 {
			t.Fatalf("feedback %+v, attendance %+v", f.Feedback, f.Attendance)
		}
	})
	t.Run("gemeinsam_wirken_partners_roles_and_shared_indicators", func(t *testing.T) {
		p := byTitle["Bündnis für Ausbildung Menden"]
		tpl, _ := h.engine.Template(h.ctx, p.TemplateID, p.TemplateVersion)
		f := p.Facts(tpl.Template, h.clock.Now())
		if f.Organisations.Count != 5 || f.Roles.Holders["backbone"] != 1 || f.Indicators.Latest["unbesetzte_stellen"] != 81 ||
			f.Indicators.Values["praktika_je_klasse"] != 2 || f.Indicators.Reached["unbesetzte_stellen"] {
			t.Fatalf("organisations %+v, roles %+v, indicators %+v", f.Organisations, f.Roles, f.Indicators)
		}
	})
	t.Run("kommune_360_goal_system_has_values", func(t *testing.T) {
		p := byTitle["Wirkungsorientiertes Zielsystem im Jugendhilfeausschuss"]
		tpl, _ := h.engine.Template(h.ctx, p.TemplateID, p.TemplateVersion)
		if f := p.Facts(tpl.Template, h.clock.Now()); len(f.Indicators.Latest) != 3 || f.Indicators.Latest["inobhutnahmen"] != 29.4 {
			t.Fatalf("indicators %+v", f.Indicators)
		}
	})
}
