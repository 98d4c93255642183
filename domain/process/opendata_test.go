package process_test

import (
	"errors"
	"reflect"
	"testing"

	"github.com/civicflow/civicflow/domain/process"
)

// TestSetOpenData: who may mark a process public, in which status, and that an unchanged value is
// refused without an event.
func TestSetOpenData(t *testing.T) {
	yes, no := true, false
	public := func(t *testing.T) *process.Process {
		p := opened(t)
		must(t, p.SetOpenData(m(admin), &yes))
		return p
	}
	completed := func(t *testing.T) *process.Process {
		p := ready(t)
		must(t, p.Advance(m(lead), tpl, gates))
		must(t, p.Complete(m(lead), tpl, fixedGates{"closed": true}))
		return p
	}
	cases := []struct {
		name   string
		setup  func(t *testing.T) *process.Process
		actor  process.Actor
		public *bool
		err    error  // nil: success
		rule   string // the refusal's rule or the invalid field
	}{
		{"an_administrator_marks_it_public", opened, admin, &yes, nil, ""},
		{"an_administrator_makes_it_private_again", public, admin, &no, nil, ""},
		{"an_installation_administrator_may", opened, global, &yes, nil, ""},
		{"a_completed_process_may_be_made_public", completed, admin, &yes, nil, ""},
		{"a_suspended_process_may_be_made_public", suspended, admin, &yes, nil, ""},
		{"refuses_public_twice", public, admin, &yes, process.ErrRefused, "open_data_unchanged"},
		{"refuses_private_when_private", opened, admin, &no, process.ErrRefused, "open_data_unchanged"},
		{"refuses_the_lead", opened, lead, &yes, process.ErrForbidden, ""},
		{"refuses_a_member", opened, member, &yes, process.ErrForbidden, ""},
		{"refuses_an_auditor", opened, auditor, &yes, process.ErrForbidden, ""},
		{"refuses_a_viewer", opened, viewer, &yes, process.ErrForbidden, ""},
		{"refuses_a_body_without_public_naming_the_field", opened, admin, nil, process.ErrInvalid, "public"},
		{"hides_the_process_from_another_tenants_administrator", opened, other, &yes, process.ErrNotFound, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := tc.setup(t)
			p.ClearPending()
			before, was := p.Version, p.Public
			err := p.SetOpenData(m(tc.actor), tc.public)
			if tc.err == nil {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				ev := p.Pending()
				if len(ev) != 1 || ev[0] != (process.OpenDataSet{Public: *tc.public, By: tc.actor.User, At: now}) || p.Public != *tc.public {
					t.Fatalf("recorded %+v, public %v; want one process.open_data_set with public %v", ev, p.Public, tc.public)
				}
				return
			}
			if !errors.Is(err, tc.err) {
				t.Fatalf("err %v, want %v", err, tc.err)
			}
			re, ie := (*process.RefusedError)(nil), (*process.InvalidError)(nil)
			switch {
			case errors.As(err, &re) && re.Rule != tc.rule:
				t.Fatalf("refused by rule %q, want %q", re.Rule, tc.rule)
			case errors.As(err, &ie) && ie.Field != tc.rule:
				t.Fatalf("invalid field %q, want %q", ie.Field, tc.rule)
			}
			if len(p.Pending()) != 0 || p.Version != before || p.Public != was {
				t.Fatalf("a refused command changed the process: %d events, public %v", len(p.Pending()), p.Public)
			}
		})
	}
}

// TestSetOpenData_survives_snapshot_and_replay: the public mark is part of the state a snapshot
// restores and a replay of the recorded events rebuilds.
func TestSetOpenData_survives_snapshot_and_replay(t *testing.T) {
	p := opened(t)
	var recorded []process.Recorded
	recorded = append(recorded, process.Recorded{Payload: process.ProcessOpened{Tenant: p.Tenant, Title: p.Title, Stage: p.Stage, At: now}, Version: 1})
	yes := true
	must(t, p.SetOpenData(m(admin), &yes))
	for i, e := range p.Pending() {
		data, schema, err := process.Encode(e)
		must(t, err)
		back, err := process.Decode(e.Type(), schema, data)
		must(t, err)
		recorded = append(recorded, process.Recorded{Payload: back, Version: int64(2 + i)})
	}
	p.ClearPending()
	b, err := p.MarshalSnapshot()
	must(t, err)
	restored, err := process.UnmarshalSnapshot(b)
	must(t, err)
	if !restored.Public || !reflect.DeepEqual(p.View(), restored.View()) {
		t.Fatalf("the snapshot lost the public mark: %v", restored.Public)
	}
	if replayed := process.Replay(p.ID, recorded); !replayed.Public {
		t.Fatal("a replay of process.open_data_set is not public")
	}
}
