package engine_test

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/domain/template"
	"github.com/civicflow/civicflow/workflows/engine"
	"github.com/civicflow/civicflow/workflows/templates"
)

// doStageWork does, in the current stage, everything a diligent team does: every task with its
// evidence, every named date, every approval (by a head of department who is not the lead), participants from every
// stakeholder group, two held sessions of every format, contributions, a decision, a result, and
// measures carried to completion; then lets the stage's target time pass.
func doStageWork(h *harness, id uuid.UUID, tpl template.Template, round int) {
	h.t.Helper()
	p := h.state(id)
	stage, _ := tpl.Stage(p.Stage)
	for _, task := range stage.Tasks {
		if _, done := p.Tasks[p.Stage][task.Key]; !done {
			h.do(member, id, engine.CompleteTask{Task: task.Key, Evidence: "Nachweis: " + task.Evidence.De})
		}
	}
	for _, d := range tpl.Dates {
		if _, set := p.Time.Dates[d.Key]; !set {
			h.do(lead, id, engine.SetDate{Date: d.Key, Value: h.clock.Now()})
		}
	}
	for _, a := range stage.Approvals {
		if _, ok := p.Approvals[p.Stage][a.Key]; !ok {
			h.do(head, id, engine.GrantApproval{Approval: a.Key, Note: "Freigegeben / approved"})
		}
	}
	groups := tpl.StakeholderGroups
	if len(groups) == 0 {
		groups = []string{"citizens", "administration", "politics"}
	}
	var firstParticipant string
	for i := range 30 {
		pid := fmt.Sprintf("r%d-p%d", round, i)
		h.do(member, id, engine.RegisterParticipant{Participant: pid, Group: groups[i%len(groups)],
			Name: fmt.Sprintf("Person %d-%d", round, i), Email: fmt.Sprintf("p%d.%d@example.org", round, i)})
		if i == 0 {
			firstParticipant = pid
		}
	}
	formats := tpl.Formats
	if len(formats) == 0 {
		formats = []string{"workshop"}
	}
	for _, f := range formats {
		for k := range 6 - int(p.Facts(tpl, h.clock.Now()).Sessions.ByFormat[f]) {
			sid := fmt.Sprintf("r%d-%s-%d", round, f, k)
			h.do(member, id, engine.ScheduleSession{Session: sid, Title: "Termin " + f, Format: f, Date: h.clock.Now(), Place: "Rathaus"})
			h.do(member, id, engine.HoldSession{Session: sid, Attendance: 25})
		}
	}
	sharedSessions(h, id, tpl, formats, round)
	for k := range 3 {
		h.do(member, id, engine.RecordContribution{Participant: firstParticipant, Topic: "Idee", Text: fmt.Sprintf("Vorschlag %d", k)})
	}
	h.do(lead, id, engine.RecordDecision{Subject: "Beschluss " + p.Stage, Model: "council_resolution", Outcome: "angenommen",
		Votes: &process.Votes{Yes: 30, No: 5, Abstain: 2}, Body: "council", Adopted: true})
	h.do(lead, id, engine.PublishResult{Title: "Ergebnis " + p.Stage, Summary: "Dokumentation veröffentlicht"})
	mid := fmt.Sprintf("r%d-m", round)
	h.do(lead, id, engine.DefineMeasure{Measure: mid, Title: "Maßnahme " + p.Stage, Owner: "Amt 51"})
	h.do(member, id, engine.ReportProgress{Measure: mid, Progress: 100, Status: "done"})
	days := max(stage.TargetDays, 60)
	h.clock.Advance(time.Duration(days) * 24 * time.Hour)
}

// sharedSessions gives a process of a template whose gates read the programme (programme.*) a
// programme of its own to join, and the programme six held shared sessions of every format that
// the site attended.
func sharedSessions(h *harness, id uuid.UUID, tpl template.Template, formats []string, round int) {
	h.t.Helper()
	if !slices.ContainsFunc(tpl.Stages, func(s template.Stage) bool {
		return slices.ContainsFunc(s.Gates, func(g template.Gate) bool { return strings.Contains(g.Expr, "programme.") })
	}) {
		return
	}
	coord := process.Actor{User: "kora", Tenant: "ksi", Role: "coordinator"}
	prog := engine.ProgrammeID(coord.Tenant, "lifecycle-"+id.String())
	do := func(a process.Actor, cmd engine.ProgrammeCommand) {
		h.t.Helper()
		if _, err := h.engine.DoProgramme(h.ctx, h.meta(a), prog, engine.NoExpectation, cmd); err != nil {
			h.t.Fatalf("%s: %v", cmd.Name(), err)
		}
	}
	if round == 0 {
		m := h.meta(coord)
		m.CommandID = "lifecycle-" + id.String()
		if _, err := h.engine.OpenProgramme(h.ctx, m, engine.OpenProgramme{Title: "Runde", Coordinator: "KSI", Start: h.clock.Now(),
			End: h.clock.Now().AddDate(5, 0, 0), MaxSites: 10}); err != nil {
			h.t.Fatal(err)
		}
		do(lead, engine.JoinProgramme{Process: id.String()})
	}
	for _, f := range formats {
		for k := range 6 {
			sid := fmt.Sprintf("r%d-%s-%d", round, f, k)
			do(coord, engine.ScheduleProgrammeSession{Session: sid, Title: "Gemeinsamer Termin " + f, Format: f, Date: h.clock.Now(), Online: true})
			do(coord, engine.HoldProgrammeSession{Session: sid})
			do(member, engine.RecordProgrammeAttendance{Session: sid, Persons: []string{"p-1", "p-2"}})
		}
	}
}

func runToCompletion(t *testing.T, h *harness, tpl template.Template) uuid.UUID {
	id := h.open(tpl.ID, "Verfahren nach "+tpl.Title.De)
	for round := 0; ; round++ {
		doStageWork(h, id, tpl, round)
		if round == len(tpl.Stages)-1 {
			h.do(lead, id, engine.Complete{})
			break
		}
		before := h.state(id).Stage
		h.do(lead, id, engine.Advance{})
		if after := h.state(id).Stage; after != tpl.Stages[round+1].Key {
			t.Fatalf("advanced from %s to %s, want %s", before, after, tpl.Stages[round+1].Key)
		}
	}
	return id
}

func TestSeedTemplates_run_end_to_end_and_replay_to_the_same_state(t *testing.T) {
	seeds, err := templates.Seeds()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range seeds {
		t.Run(s.File, func(t *testing.T) {
			h := newHarness(t)
			parsed, err := templates.Parse(s.Data)
			if err != nil {
				t.Fatal(err)
			}
			tv, err := h.engine.Template(h.ctx, parsed.ID, 0)
			if err != nil {
				t.Fatal(err)
			}
			id := runToCompletion(t, h, tv.Template)
			got := h.state(id)
			if got.Status != process.StatusCompleted || len(got.Timeline) != len(tv.Template.Stages) {
				t.Fatalf("status %s after %d stage visits, want completed after %d", got.Status, len(got.Timeline), len(tv.Template.Stages))
			}
			events, err := h.store.ReadStream(h.ctx, engine.StreamOf(id), eventstore.ReadStreamOptions{})
			if err != nil {
				t.Fatal(err)
			}
			replayed := process.New(id)
			for _, ev := range events {
				payload, err := process.Decode(ev.Type, ev.SchemaVersion, ev.Data)
				if err != nil {
					t.Fatal(err)
				}
				replayed.Apply(process.Recorded{Payload: payload, Version: ev.Version, CommandID: ev.Metadata.CommandID})
			}
			if !reflect.DeepEqual(replayed.View(), got) { // Load gives a reader's view: the state without command IDs
				t.Fatalf("replaying %d events gives another state than the engine's", len(events))
			}
			if err := h.store.Verify(h.ctx); err != nil {
				t.Fatal(err)
			}
		})
	}
}
