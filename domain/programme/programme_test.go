package programme_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/domain/programme"
)

var day = time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)

func meta(user, tenant, role string) process.Meta {
	return process.Meta{CommandID: uuid.NewString(), Actor: process.Actor{User: user, Tenant: tenant, Role: role}, Now: day}
}

func ews(t *testing.T, maxSites int) *programme.Programme {
	t.Helper()
	p, err := programme.Open(meta("kora", "ews", "coordinator"), programme.OpenInput{ID: uuid.New(), Title: "EWS Runde 3",
		Coordinator: "Landesnetzwerk", Start: day, End: day.AddDate(1, 0, 0), MaxSites: maxSites})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func join(p *programme.Programme, tenant string) error {
	return p.Join(meta("lead-"+tenant, tenant, "lead"), programme.Member{Process: uuid.NewString(), Tenant: tenant, Site: tenant})
}

func rule(err error) string {
	var r *process.RefusedError
	if errors.As(err, &r) {
		return r.Rule
	}
	return ""
}

func TestProgramme_membership(t *testing.T) {
	t.Run("refuses_the_eleventh_site_naming_the_rule", func(t *testing.T) {
		p := ews(t, 10)
		for i := range 10 {
			if err := join(p, fmt.Sprintf("site-%d", i)); err != nil {
				t.Fatalf("site %d: %v", i, err)
			}
		}
		before := p.Version
		err := join(p, "site-10")
		if rule(err) != "max_sites" || p.Version != before {
			t.Fatalf("eleventh site: %v (version %d → %d), want refused by max_sites and nothing recorded", err, before, p.Version)
		}
	})
	t.Run("a_site_that_left_frees_its_place", func(t *testing.T) {
		p := ews(t, 1)
		if err := join(p, "menden"); err != nil {
			t.Fatal(err)
		}
		first := p.ActiveMembers()[0].Process
		if err := p.Leave(meta("kora", "ews", "coordinator"), first, "Ratsbeschluss fehlt"); err != nil {
			t.Fatal(err)
		}
		if err := join(p, "senden"); err != nil {
			t.Fatalf("after a site left: %v", err)
		}
	})
	t.Run("refuses_a_second_process_of_the_same_tenant", func(t *testing.T) {
		p := ews(t, 10)
		if err := join(p, "menden"); err != nil {
			t.Fatal(err)
		}
		if err := join(p, "menden"); rule(err) != "site_already_member" {
			t.Fatalf("%v, want site_already_member", err)
		}
	})
	t.Run("takes_only_processes_of_its_template", func(t *testing.T) {
		p, err := programme.Open(meta("kora", "ews", "coordinator"), programme.OpenInput{ID: uuid.New(), Title: "EWS", Coordinator: "KSI",
			Template: "ews-engagementstrategie", Start: day, End: day.AddDate(1, 0, 0), MaxSites: 10})
		if err != nil {
			t.Fatal(err)
		}
		m := meta("l", "menden", "lead")
		if err := p.Join(m, programme.Member{Process: "x", Tenant: "menden", Site: "Menden", Template: "beteiligung-standard"}); rule(err) != "wrong_template" {
			t.Fatalf("another template: %v", err)
		}
		if err := p.Join(m, programme.Member{Process: "x", Tenant: "menden", Site: "Menden", Template: "menden:ews-engagementstrategie"}); err != nil {
			t.Fatalf("the tenant's own version of the template: %v", err)
		}
	})
	t.Run("refuses_joining_after_the_end", func(t *testing.T) {
		p := ews(t, 10)
		m := meta("l", "menden", "lead")
		m.Now = day.AddDate(1, 0, 2)
		if err := p.Join(m, programme.Member{Process: "x", Tenant: "menden", Site: "Menden"}); rule(err) != "programme_ended" {
			t.Fatalf("%v, want programme_ended", err)
		}
	})
	t.Run("members_and_viewers_may_not_join", func(t *testing.T) {
		p := ews(t, 10)
		for _, role := range []string{"member", "viewer", "auditor", "coordinator"} {
			err := p.Join(meta("x", "ews", role), programme.Member{Process: "x", Tenant: "ews", Site: "x"})
			if !errors.Is(err, process.ErrForbidden) {
				t.Fatalf("%s joins: %v", role, err)
			}
		}
	})
	t.Run("another_tenant_does_not_see_the_programme", func(t *testing.T) {
		p := ews(t, 10)
		if err := p.ScheduleSession(meta("x", "bergkamen", "administrator"), programme.SessionScheduled{Session: "s", Title: "T", Format: "conference", Date: day, Online: true}); !errors.Is(err, process.ErrNotFound) {
			t.Fatalf("%v, want not found", err)
		}
	})
}

func TestProgramme_open_rejects_bad_input_naming_the_field(t *testing.T) {
	good := programme.OpenInput{ID: uuid.New(), Title: "EWS", Coordinator: "Netzwerk", Start: day, End: day.AddDate(1, 0, 0), MaxSites: 10}
	cases := []struct {
		name, field string
		change      func(*programme.OpenInput)
	}{
		{"no_title", "title", func(in *programme.OpenInput) { in.Title = " " }},
		{"no_coordinator", "coordinator", func(in *programme.OpenInput) { in.Coordinator = "" }},
		{"end_before_start", "end", func(in *programme.OpenInput) { in.End = day.AddDate(0, 0, -1) }},
		{"no_limit", "max_sites", func(in *programme.OpenInput) { in.MaxSites = 0 }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := good
			c.change(&in)
			_, err := programme.Open(meta("k", "ews", "coordinator"), in)
			var inv *process.InvalidError
			if !errors.As(err, &inv) || inv.Field != c.field {
				t.Fatalf("%v, want invalid %s", err, c.field)
			}
		})
	}
	if _, err := programme.Open(meta("k", "ews", "lead"), good); !errors.Is(err, process.ErrForbidden) {
		t.Fatalf("a lead opens a programme: %v", err)
	}
}

func TestProgramme_shared_sessions_count_attendance_per_site_and_person(t *testing.T) {
	p := ews(t, 10)
	for _, s := range []string{"menden", "senden"} {
		if err := join(p, s); err != nil {
			t.Fatal(err)
		}
	}
	coord := meta("kora", "ews", "coordinator")
	if err := p.ScheduleSession(coord, programme.SessionScheduled{Session: "fachtagung", Title: "Fachtagung", Format: "conference",
		Date: day, DurationMinutes: 360, Place: "Dortmund"}); err != nil {
		t.Fatal(err)
	}
	if err := p.RecordAttendance(meta("l", "menden", "lead"), "fachtagung", []string{"menden:a"}); rule(err) != "session_not_held" {
		t.Fatalf("attendance before the session was held: %v", err)
	}
	if err := p.HoldSession(coord, "fachtagung", ""); err != nil {
		t.Fatal(err)
	}
	t.Run("each_site_records_its_own_persons", func(t *testing.T) {
		if err := p.RecordAttendance(meta("l", "menden", "member"), "fachtagung", []string{"menden:a", "menden:b"}); err != nil {
			t.Fatal(err)
		}
		if err := p.RecordAttendance(meta("l", "senden", "lead"), "fachtagung", []string{"senden:c"}); err != nil {
			t.Fatal(err)
		}
		if got := p.Sessions["fachtagung"].Attendees(); got != 3 {
			t.Fatalf("attendees %d, want 3", got)
		}
	})
	t.Run("recording_again_replaces_the_sites_list", func(t *testing.T) {
		if err := p.RecordAttendance(meta("l", "menden", "lead"), "fachtagung", []string{"menden:a"}); err != nil {
			t.Fatal(err)
		}
		if got := p.Sessions["fachtagung"].Attendees(); got != 2 {
			t.Fatalf("attendees %d, want 2", got)
		}
	})
	t.Run("refuses_persons_of_another_tenant", func(t *testing.T) {
		err := p.RecordAttendance(meta("l", "menden", "lead"), "fachtagung", []string{"senden:c"})
		var inv *process.InvalidError
		if !errors.As(err, &inv) || inv.Field != "persons" {
			t.Fatalf("%v, want invalid persons", err)
		}
	})
	t.Run("refuses_a_tenant_that_is_not_a_member", func(t *testing.T) {
		err := p.RecordAttendance(meta("k", "ews", "administrator"), "fachtagung", []string{"ews:k"})
		if rule(err) != "not_a_member" {
			t.Fatalf("%v, want not_a_member", err)
		}
	})
	t.Run("replay_gives_the_same_state", func(t *testing.T) {
		var recs []programme.Recorded
		for i, e := range p.Pending() {
			recs = append(recs, programme.Recorded{Payload: e, Version: int64(i + 1)})
		}
		r := programme.Replay(p.ID, recs)
		if r.Version != p.Version || r.Sessions["fachtagung"].Attendees() != 2 || len(r.ActiveMembers()) != 2 {
			t.Fatalf("replayed %+v", r)
		}
	})
}

func TestProgramme_sessions_recur_with_a_valid_rrule(t *testing.T) {
	coord := meta("kora", "ews", "coordinator")
	cases := []struct {
		name, rrule, field string
	}{
		{"every_four_weeks_on_thursdays", "FREQ=WEEKLY;INTERVAL=4;BYDAY=TH;COUNT=12", ""},
		{"first_thursday_monthly_until", "FREQ=MONTHLY;BYDAY=1TH;UNTIL=20251231T000000Z", ""},
		{"no_end", "FREQ=WEEKLY", "rrule"},
		{"yearly_is_not_in_the_subset", "FREQ=YEARLY;COUNT=2", "rrule"},
		{"garbage", "jeden Donnerstag", "rrule"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := ews(t, 10)
			before := p.Version
			err := p.ScheduleSession(coord, programme.SessionScheduled{Session: "cop", Title: "Community of Practice", Format: "community_of_practice",
				Date: day, DurationMinutes: 90, RRule: c.rrule, Online: true})
			if c.field == "" {
				if err != nil || p.Sessions["cop"].RRule != c.rrule || p.Sessions["cop"].DurationMinutes != 90 {
					t.Fatalf("%v, session %+v", err, p.Sessions["cop"])
				}
				return
			}
			var inv *process.InvalidError
			if !errors.As(err, &inv) || inv.Field != c.field || p.Version != before {
				t.Fatalf("%v (version %d → %d), want invalid %s and nothing recorded", err, before, p.Version, c.field)
			}
		})
	}
}
