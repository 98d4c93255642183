package engine_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/workflows/engine"
)

var otherAdmin = process.Actor{User: "olga", Tenant: "menden", Role: "administrator"}

func TestDo_answers_not_found_when_another_tenant_replays_a_command_id(t *testing.T) {
	h := newHarness(t)
	id := h.open(standard, "Spielplatz")
	m := h.meta(lead)
	if _, err := h.engine.Do(h.ctx, m, id, engine.NoExpectation, engine.CompleteTask{Task: "define_subject", Evidence: "Vermerk"}); err != nil {
		t.Fatal(err)
	}
	before := headOf(t, h)
	for _, who := range []process.Actor{otherLead, otherAdmin} {
		replay := process.Meta{Actor: who, CommandID: m.CommandID}
		res, err := h.engine.Do(h.ctx, replay, id, engine.NoExpectation, engine.CompleteTask{Task: "define_subject", Evidence: "Vermerk"})
		if !errors.Is(err, process.ErrNotFound) || res.Duplicate || res.Version != 0 {
			t.Fatalf("%s of menden replays leipzig's command ID: %+v, %v; want not found and no version", who.Role, res, err)
		}
	}
	if headOf(t, h) != before {
		t.Fatal("a replay from another tenant wrote events")
	}
}

func TestErasePerson_of_another_tenants_person_is_not_found_and_writes_nothing(t *testing.T) {
	h := newHarness(t)
	id := h.open(standard, "Radweg")
	h.do(member, id, engine.RegisterParticipant{Participant: "x1", Group: "citizens", Name: "Waltraud Quastenberg"})
	person := h.state(id).Participants["x1"].Person
	bare := strings.TrimPrefix(person, "leipzig:")
	for _, name := range []string{bare, person, "menden:" + bare, "leipzig:" + person, uuid.NewString()} {
		before := headOf(t, h)
		if err := h.engine.ErasePerson(h.ctx, h.meta(otherAdmin), name); !errors.Is(err, process.ErrNotFound) {
			t.Fatalf("menden's administrator erases %q: %v, want not found", name, err)
		}
		if headOf(t, h) != before {
			t.Fatalf("erasing %q from another tenant wrote events", name)
		}
	}
	if got := h.engine.Reveal(h.ctx, h.state(id).Participants["x1"].Name); got != "Waltraud Quastenberg" {
		t.Fatalf("after another tenant's attempts the name reads %q", got)
	}
	if err := h.engine.ErasePerson(h.ctx, h.meta(admin), bare); err != nil {
		t.Fatalf("own administrator erases: %v", err)
	}
	if got := h.engine.Reveal(h.ctx, h.state(id).Participants["x1"].Name); got != engine.Erased {
		t.Fatalf("after the erasure the name reads %q", got)
	}
}

func TestRegisterParticipant_takes_only_opaque_person_ids(t *testing.T) {
	h := newHarness(t)
	id := h.open(standard, "Radweg")
	given := uuid.NewString()
	cases := []struct {
		name, person string
		ok           bool
	}{
		{"refuses_an_email_address", "pii-test@example.org", false},
		{"refuses_a_name", "Erika Mustermann", false},
		{"refuses_a_login", "erika.mustermann", false},
		{"refuses_a_uuid_with_another_tenants_prefix", "menden:" + given, false},
		{"refuses_a_uuid_in_braces", "{" + given + "}", false},
		{"takes_a_uuid", given, true},
		{"issues_a_uuid_when_none_is_given", "", true},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := headOf(t, h)
			participant := "x" + string(rune('a'+i))
			_, err := h.engine.Do(h.ctx, h.meta(member), id, engine.NoExpectation,
				engine.RegisterParticipant{Participant: participant, Person: c.person, Group: "citizens", Name: "Erika Mustermann"})
			if !c.ok {
				var ie *process.InvalidError
				if !errors.As(err, &ie) || ie.Field != "person" || strings.Contains(ie.Error(), c.person) {
					t.Fatalf("%v, want an invalid person that does not repeat the value", err)
				}
				if headOf(t, h) != before {
					t.Fatal("a refused registration wrote events")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := h.state(id).Participants[participant].Person
			bare, ok := strings.CutPrefix(got, "leipzig:")
			if u, err := uuid.Parse(bare); !ok || err != nil || u.String() != bare || (c.person != "" && bare != c.person) {
				t.Fatalf("person %q, want leipzig:<uuid> (given %q)", got, c.person)
			}
		})
	}
}

// headOf returns the position of the log's last event.
func headOf(t *testing.T, h *harness) eventstore.Position {
	t.Helper()
	pos, err := h.store.Head(h.ctx)
	if err != nil {
		t.Fatal(err)
	}
	return pos
}
