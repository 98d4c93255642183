package engine_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/workflows/engine"
)

var coordinator = process.Actor{User: "kora", Tenant: "ews", Role: "coordinator"}

func siteLead(tenant string) process.Actor {
	return process.Actor{User: "lead-" + tenant, Tenant: tenant, Role: "lead"}
}

// programmeWithSites opens a programme of at most max sites and n site processes in n tenants,
// each joined, each with a registered participant.
func programmeWithSites(t *testing.T, h *harness, max, n int) (uuid.UUID, []uuid.UUID) {
	t.Helper()
	res, err := h.engine.OpenProgramme(h.ctx, h.meta(coordinator), engine.OpenProgramme{Title: "EWS Runde 3", Coordinator: "Landesnetzwerk",
		Start: h.clock.Now(), End: h.clock.Now().AddDate(1, 0, 0), MaxSites: max})
	if err != nil {
		t.Fatal(err)
	}
	var sites []uuid.UUID
	for i := range n {
		tenant := fmt.Sprintf("site-%d", i)
		sites = append(sites, openAndJoin(t, h, res.Programme, tenant))
	}
	return res.Programme, sites
}

func openAndJoin(t *testing.T, h *harness, prog uuid.UUID, tenant string) uuid.UUID {
	t.Helper()
	opened, err := h.engine.Open(h.ctx, h.meta(siteLead(tenant)), engine.OpenProcess{Template: "ews-engagementstrategie", Title: "EWS " + tenant})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.engine.Do(h.ctx, h.meta(siteLead(tenant)), opened.Process, engine.NoExpectation,
		engine.RegisterParticipant{Group: "administration", Name: "Erika Geheim " + tenant, Email: "erika@" + tenant + ".de"}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.engine.DoProgramme(h.ctx, h.meta(siteLead(tenant)), prog, engine.NoExpectation, engine.JoinProgramme{Process: opened.Process.String()}); err != nil {
		t.Fatalf("%s joins: %v", tenant, err)
	}
	return opened.Process
}

func TestProgramme_ten_sites_in_ten_tenants(t *testing.T) {
	h := newHarness(t)
	prog, _ := programmeWithSites(t, h, 10, 10)
	t.Run("refuses_the_eleventh_site_and_writes_nothing", func(t *testing.T) {
		opened, err := h.engine.Open(h.ctx, h.meta(siteLead("hagen")), engine.OpenProcess{Template: "ews-engagementstrategie", Title: "EWS Hagen"})
		if err != nil {
			t.Fatal(err)
		}
		before, _ := h.engine.LoadProgramme(h.ctx, coordinator, prog)
		_, err = h.engine.DoProgramme(h.ctx, h.meta(siteLead("hagen")), prog, engine.NoExpectation, engine.JoinProgramme{Process: opened.Process.String()})
		var refused *process.RefusedError
		if !errors.As(err, &refused) || refused.Rule != "max_sites" || !strings.Contains(err.Error(), "höchstens 10") {
			t.Fatalf("%v, want refused by max_sites", err)
		}
		after, _ := h.engine.LoadProgramme(h.ctx, coordinator, prog)
		if after.Version != before.Version {
			t.Fatalf("version %d → %d", before.Version, after.Version)
		}
	})
	t.Run("a_lead_cannot_join_another_tenants_process", func(t *testing.T) {
		opened, _ := h.engine.Open(h.ctx, h.meta(siteLead("olpe")), engine.OpenProcess{Template: "ews-engagementstrategie", Title: "Olpe"})
		_, err := h.engine.DoProgramme(h.ctx, h.meta(siteLead("hagen")), prog, engine.NoExpectation, engine.JoinProgramme{Process: opened.Process.String()})
		if !errors.Is(err, process.ErrNotFound) {
			t.Fatalf("%v, want not found", err)
		}
	})
	t.Run("the_coordinator_sees_every_sites_stage_and_figures_but_no_personal_data", func(t *testing.T) {
		v, err := h.engine.ProgrammeView(h.ctx, coordinator, prog)
		if err != nil {
			t.Fatal(err)
		}
		if len(v.Sites) != 10 || v.Aggregate.Participants != 10 || v.ByStage["tender"]+v.ByStage[v.Sites[0].Stage] < 10 {
			t.Fatalf("sites %d, participants %d, by stage %v", len(v.Sites), v.Aggregate.Participants, v.ByStage)
		}
		for _, s := range v.Sites {
			if s.Figures == nil || s.Figures.Participants != 1 {
				t.Fatalf("site %s: figures %+v", s.Site, s.Figures)
			}
		}
		b, _ := json.Marshal(v)
		for _, secret := range []string{"Erika", "erika@", "lead-site"} {
			if strings.Contains(string(b), secret) {
				t.Fatalf("the coordinator's view shows %q: %s", secret, b)
			}
		}
	})
	t.Run("a_member_tenant_sees_its_own_figures_and_the_others_stages", func(t *testing.T) {
		v, err := h.engine.ProgrammeView(h.ctx, siteLead("site-3"), prog)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range v.Sites {
			if (s.Figures != nil) != (s.Tenant == "site-3") || s.Stage == "" {
				t.Fatalf("site %s: figures %v, stage %q", s.Tenant, s.Figures != nil, s.Stage)
			}
		}
	})
	t.Run("another_tenant_does_not_find_the_programme", func(t *testing.T) {
		if _, err := h.engine.ProgrammeView(h.ctx, lead, prog); !errors.Is(err, process.ErrNotFound) {
			t.Fatalf("%v, want not found", err)
		}
		list, err := h.engine.Programmes(h.ctx, lead)
		if err != nil || len(list) != 0 {
			t.Fatalf("%d programmes listed, %v", len(list), err)
		}
	})
	t.Run("shared_session_attendance_counts_per_site", func(t *testing.T) {
		_, err := h.engine.DoProgramme(h.ctx, h.meta(coordinator), prog, engine.NoExpectation, engine.ScheduleProgrammeSession{Session: "fachtagung",
			Title: "Fachtagung", Format: "conference", Date: h.clock.Now(), DurationMinutes: 360, Place: "Dortmund"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := h.engine.DoProgramme(h.ctx, h.meta(coordinator), prog, engine.NoExpectation, engine.HoldProgrammeSession{Session: "fachtagung"}); err != nil {
			t.Fatal(err)
		}
		if _, err := h.engine.DoProgramme(h.ctx, h.meta(siteLead("site-1")), prog, engine.NoExpectation,
			engine.RecordProgrammeAttendance{Session: "fachtagung", Persons: []string{"p-1", "p-2"}}); err != nil {
			t.Fatal(err)
		}
		v, _ := h.engine.ProgrammeView(h.ctx, coordinator, prog)
		if v.Sessions[0].Attendees != 2 || v.Sessions[0].BySite["site-1"] != 2 || v.Aggregate.ProgrammeAttendance != 2 {
			t.Fatalf("session %+v, aggregate attendance %d", v.Sessions[0], v.Aggregate.ProgrammeAttendance)
		}
	})
	t.Run("opening_again_with_the_same_command_id_is_a_duplicate", func(t *testing.T) {
		m := h.meta(coordinator)
		in := engine.OpenProgramme{Title: "KoCoP", Coordinator: "Netzwerk", Start: h.clock.Now(), End: h.clock.Now().Add(time.Hour), MaxSites: 3}
		first, err := h.engine.OpenProgramme(h.ctx, m, in)
		if err != nil {
			t.Fatal(err)
		}
		again, err := h.engine.OpenProgramme(h.ctx, m, in)
		if err != nil || !again.Duplicate || again.Programme != first.Programme {
			t.Fatalf("%+v %v", again, err)
		}
	})
}
