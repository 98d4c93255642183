package report

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/domain/template"
	"github.com/civicflow/civicflow/projections/audit"
	"github.com/civicflow/civicflow/workflows/engine"
)

// Material is the events a report is derived from.
type Material struct {
	// Process is the process's stream, from version 1.
	Process []eventstore.Event
	// Templates are the template.published events of every version the process ran on.
	Templates []eventstore.Event
	// Erasures are the person.erased events of its erased participants.
	Erasures []eventstore.Event
}

// derivation is the state of Derive while it walks the process's events.
type derivation struct {
	c         Content
	templates map[int]template.Template
	hashes    map[int]string
	version   int               // template version in force
	switches  []versionSwitch   // when the template version changed
	measures  map[string]string // the titles of the measures defined so far, by key
}

type versionSwitch struct {
	at      time.Time
	version int
}

// Derive tells a process's story from its events, as of an instant. It is deterministic: the
// same material and instant give the same content.
func Derive(m Material, asOf time.Time) (Content, error) {
	if len(m.Process) == 0 {
		return Content{}, process.ErrNotFound
	}
	d := derivation{c: Content{AsOf: asOf.UTC()}, templates: map[int]template.Template{}, hashes: map[int]string{}}
	for _, ev := range m.Templates {
		var pub template.Published
		if err := json.Unmarshal(ev.Data, &pub); err != nil {
			return Content{}, fmt.Errorf("report: %s v%d: %w", ev.Stream, ev.Version, err)
		}
		d.templates[pub.Template.Version], d.hashes[pub.Template.Version] = pub.Template, pub.Hash
	}
	id, err := uuid.Parse(strings.TrimPrefix(m.Process[0].Stream, "process-"))
	if err != nil {
		return Content{}, fmt.Errorf("report: %s is not a process stream", m.Process[0].Stream)
	}
	recs := make([]process.Recorded, 0, len(m.Process))
	for _, ev := range m.Process {
		payload, err := process.Decode(ev.Type, ev.SchemaVersion, ev.Data)
		if err != nil {
			return Content{}, fmt.Errorf("report: %s v%d: %w", ev.Stream, ev.Version, err)
		}
		recs = append(recs, process.Recorded{Payload: payload, Version: ev.Version, CommandID: ev.Metadata.CommandID})
		d.event(ev, payload)
	}
	p := process.Replay(id, recs)
	d.processInfo(p)
	d.stays(p)
	d.evaluation(p)
	if err := d.erasures(p, m.Erasures); err != nil {
		return Content{}, err
	}
	d.c.fill()
	return d.c, nil
}

// fill makes empty sections empty lists rather than null in JSON.
func (c *Content) fill() {
	c.Templates, c.Stages, c.Deadlines = nonNil(c.Templates), nonNil(c.Stages), nonNil(c.Deadlines)
	c.Approvals, c.Decisions, c.Participants = nonNil(c.Approvals), nonNil(c.Decisions), nonNil(c.Participants)
	c.Erasures, c.Timeline, c.Periods = nonNil(c.Erasures), nonNil(c.Timeline), nonNil(c.Periods)
	for i := range c.Erasures {
		c.Erasures[i].Participants = nonNil(c.Erasures[i].Participants)
	}
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// titles names stages, tasks and approvals of the template version in force, and the process's
// measures as defined so far.
func (d *derivation) titles(kind, key string) audit.Title {
	if kind == "measure" {
		if title, ok := d.measures[key]; ok {
			return audit.Title{De: title, En: title}
		}
		return audit.Title{De: key, En: key}
	}
	tpl := d.templates[d.version]
	stageKey, item, _ := strings.Cut(key, "/")
	stage, ok := tpl.Stage(stageKey)
	switch {
	case ok && kind == "stage":
		return audit.Title{De: stage.Title.De, En: stage.Title.En}
	case ok && kind == "task":
		for _, t := range stage.Tasks {
			if t.Key == item {
				return audit.Title{De: t.Title.De, En: t.Title.En}
			}
		}
	case ok && kind == "approval":
		for _, a := range stage.Approvals {
			if a.Key == item {
				return audit.Title{De: a.Title.De, En: a.Title.En}
			}
		}
	}
	if item == "" {
		item = key
	}
	return audit.Title{De: item, En: item}
}

func (d *derivation) approvalTitle(stage, key string) template.Text {
	t := d.titles("approval", stage+"/"+key)
	return template.Text{De: t.De, En: t.En}
}

// event adds one process event to the timeline, approvals and decisions.
func (d *derivation) event(ev eventstore.Event, payload process.Payload) {
	d.timeEvent(ev, payload)
	switch p := payload.(type) {
	case process.ProcessOpened:
		d.version = p.TemplateVersion
		d.switches = append(d.switches, versionSwitch{p.At, p.TemplateVersion})
	case process.ProcessMigrated:
		d.version = p.ToVersion
		d.switches = append(d.switches, versionSwitch{p.At, p.ToVersion})
	case process.ApprovalGranted:
		d.c.Approvals = append(d.c.Approvals, Approval{Version: ev.Version, At: ev.RecordedAt.UTC(), Stage: p.Stage, Approval: p.Approval,
			Title: d.approvalTitle(p.Stage, p.Approval), Action: "granted", By: p.By, Role: p.Role, Note: p.Note})
	case process.ApprovalRevoked:
		d.c.Approvals = append(d.c.Approvals, Approval{Version: ev.Version, At: ev.RecordedAt.UTC(), Stage: p.Stage, Approval: p.Approval,
			Title: d.approvalTitle(p.Stage, p.Approval), Action: "revoked", By: p.By, Note: p.Reason})
	case process.MeasureDefined:
		if d.measures == nil {
			d.measures = map[string]string{}
		}
		d.measures[p.Measure] = p.Title
	case process.DecisionRecorded:
		dec := Decision{Version: ev.Version, At: ev.RecordedAt.UTC(), Decision: p.Decision, Subject: p.Subject, Model: p.Model, Outcome: p.Outcome, By: ev.Metadata.Actor,
			Body: p.Body, Adopted: p.Adopted}
		if p.Votes != nil {
			dec.Votes = fmt.Sprintf("%d yes, %d no, %d abstain", p.Votes.Yes, p.Votes.No, p.Votes.Abstain)
		}
		d.c.Decisions = append(d.c.Decisions, dec)
	}
	actor := ev.Metadata.Actor
	if actor == "" {
		actor = "civicflow"
	}
	s := audit.Tell(actor, payload, d.titles)
	d.c.Timeline = append(d.c.Timeline, Entry{Version: ev.Version, Position: ev.Position.String(), RecordedAt: ev.RecordedAt.UTC(),
		Actor: actor, Type: ev.Type, De: s.De, En: s.En, Hash: ev.Hash.String()})
}

func (d *derivation) processInfo(p *process.Process) {
	d.c.Process = ProcessInfo{ID: p.ID.String(), Tenant: p.Tenant, Title: p.Title, Lead: p.Lead, Programme: p.Programme,
		TemplateID: p.TemplateID, TemplateVersion: p.TemplateVersion, Status: string(p.Status), Stage: p.Stage,
		OpenedAt: p.OpenedAt.UTC(), Version: p.Version}
	if !p.ClosedAt.IsZero() {
		at := p.ClosedAt.UTC()
		d.c.Process.ClosedAt = &at
	}
	versions := make([]int, 0, len(d.templates))
	for v := range d.templates {
		versions = append(versions, v)
	}
	sort.Ints(versions)
	for _, v := range versions {
		tpl := d.templates[v]
		info := TemplateInfo{ID: tpl.ID, Version: v, Hash: d.hashes[v], Title: tpl.Title, Stages: []StageInfo{}, Deadlines: tpl.Deadlines}
		for _, s := range tpl.Stages {
			info.Stages = append(info.Stages, StageInfo{Key: s.Key, Title: s.Title, TargetDays: s.TargetDays})
		}
		d.c.Templates = append(d.c.Templates, info)
	}
}

// versionAt is the template version in force at an instant.
func (d *derivation) versionAt(at time.Time) int {
	v := 0
	for _, s := range d.switches {
		if !s.at.After(at) {
			v = s.version
		}
	}
	return v
}

// days is the length of a stay in days, to a tenth.
func days(from, to time.Time) float64 {
	return math.Round(to.Sub(from).Hours()/24*10) / 10
}

// stays measures every stay against its stage's target and the template's deadlines.
func (d *derivation) stays(p *process.Process) {
	for _, visit := range p.Timeline {
		v := d.versionAt(visit.Entered)
		tpl := d.templates[v]
		stage, _ := tpl.Stage(visit.Stage)
		end := d.c.AsOf
		s := Stay{Stage: visit.Stage, Title: stage.Title, TemplateVersion: v, Entered: visit.Entered.UTC(), How: visit.How, TargetDays: stage.TargetDays}
		if !visit.Left.IsZero() {
			left := visit.Left.UTC()
			s.Left, end = &left, left
		}
		s.Days = days(s.Entered, end)
		target := float64(stage.TargetDays)
		switch {
		case stage.TargetDays == 0:
			s.Outcome = NoTarget
		case s.Left != nil && s.Days <= target:
			s.Outcome = Met
		case s.Left != nil:
			s.Outcome = Missed
		case s.Days <= target:
			s.Outcome = Running
		default:
			s.Outcome = Overdue
		}
		d.c.Stages = append(d.c.Stages, s)
		for _, dl := range tpl.Deadlines {
			if dl.Stage != visit.Stage || dl.MinDays == 0 {
				continue
			}
			check := DeadlineCheck{Key: dl.Key, Title: dl.Title, Stage: dl.Stage, LegalBasis: dl.LegalBasis, MinDays: dl.MinDays, Entered: s.Entered, Days: s.Days}
			switch {
			case s.Days >= float64(dl.MinDays):
				check.Outcome = Met
			case s.Left == nil:
				check.Outcome = Running
			default:
				check.Outcome = Missed
			}
			d.c.Deadlines = append(d.c.Deadlines, check)
		}
	}
}

// erasures lists the participants and the erasures of their persons.
func (d *derivation) erasures(p *process.Process, events []eventstore.Event) error {
	notices := map[string]engine.PersonErased{}
	for _, ev := range events {
		var pe engine.PersonErased
		if err := json.Unmarshal(ev.Data, &pe); err != nil {
			return fmt.Errorf("report: %s v%d: %w", ev.Stream, ev.Version, err)
		}
		notices[pe.Person] = pe
	}
	byPerson := map[string][]string{}
	for _, x := range p.Participants {
		part := Participant{ID: x.ID, Group: x.Group, Withdrawn: x.Withdrawn}
		if pe, ok := notices[x.Person]; ok {
			part.Erased = pe.Notice()
			byPerson[x.Person] = append(byPerson[x.Person], x.ID)
		}
		d.c.Participants = append(d.c.Participants, part)
	}
	sort.Slice(d.c.Participants, func(i, j int) bool { return d.c.Participants[i].ID < d.c.Participants[j].ID })
	for person, pe := range notices {
		ids := byPerson[person]
		sort.Strings(ids)
		d.c.Erasures = append(d.c.Erasures, Erasure{Person: person, Participants: ids, At: pe.At.UTC(), ByRole: pe.ByRole, Notice: pe.Notice()})
	}
	sort.Slice(d.c.Erasures, func(i, j int) bool { return d.c.Erasures[i].Person < d.c.Erasures[j].Person })
	return nil
}
