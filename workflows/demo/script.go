package demo

import (
	"fmt"

	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/domain/template"
	"github.com/civicflow/civicflow/workflows/engine"
)

// step is one command of the demo: on one process, on one day of the demo's calendar (day 0 is
// the day Load starts), issued by the process's tenant's user in role.
type step struct {
	proc *proc
	seq  int
	day  int
	// name makes the command ID "demo/<n>/<name>".
	name string
	role string
	// waits marks a step that only succeeds after time has passed (a gate on stage.days). Without
	// a way to advance the clock, Load leaves the process before this step.
	waits bool
	open  *engine.OpenProcess
	cmd   func(r *runner) engine.Command
	// tenant, when set, is the tenant whose user issues the step instead of the process's.
	tenant string
	// programme, when set, makes the step a command on the demo's programme (programme.go).
	programme func(r *runner) programmeCommand
}

// commandID returns the step's fixed command ID.
func (s *step) commandID() string { return fmt.Sprintf("demo/%02d/%s", s.proc.n, s.name) }

// proc writes the script of one process. Its cursor (day) only moves forward, so the steps of a
// process are in the order of their days.
// The builder methods panic on a script that cannot run (a step name used twice, a day before
// the cursor, holding a session before its date): the script is fixed, and the tests run it.
type proc struct {
	n                int // the process's number in its command IDs
	tenant, template string
	day              int // the cursor
	entered          int // the day the current stage was entered
	steps            []*step
	names            map[string]bool     // step names used
	counts           map[string]int      // steps of each numbered kind
	people           int                 // participants registered
	sessions         map[string]*session // sessions scheduled, by ID
}

// session is a planned session: the day of its date and whether the script holds it.
type session struct {
	day  int
	held bool
	m    meeting
}

// meeting describes a session to schedule.
type meeting struct {
	ID, Format, Title, Place string
	Online                   bool
	// In is how many days after scheduling the session takes place.
	In int
	// At is the local starting time, "18:00" when empty.
	At string
	// Thursday moves the date to the Thursday before (the community of practice meets then).
	Thursday bool
}

// newProc starts the script of process n of tenant from template with the open step on day.
func newProc(n int, tenant, tpl string, day int, in engine.OpenProcess) *proc {
	p := &proc{n: n, tenant: tenant, template: tpl, day: day, entered: day, names: map[string]bool{},
		counts: map[string]int{}, sessions: map[string]*session{}}
	in.Template = tpl
	s := p.add("open", template.RoleLead, nil)
	s.open = &in
	return p
}

// at moves the cursor to day.
func (p *proc) at(day int) *proc {
	if day < p.day {
		panic(fmt.Sprintf("demo: process %d: day %d is before day %d", p.n, day, p.day))
	}
	p.day = day
	return p
}

// after moves the cursor by days.
func (p *proc) after(days int) *proc { return p.at(p.day + days) }

// add appends a step on the cursor's day; names must be unique within the process.
func (p *proc) add(name, role string, cmd func(*runner) engine.Command) *step {
	if p.names[name] {
		panic(fmt.Sprintf("demo: process %d: step %q twice", p.n, name))
	}
	p.names[name] = true
	s := &step{proc: p, seq: len(p.steps), day: p.day, name: name, role: role, cmd: cmd}
	p.steps = append(p.steps, s)
	return s
}

// fixed returns a command that needs nothing from the run.
func fixed(c engine.Command) func(*runner) engine.Command {
	return func(*runner) engine.Command { return c }
}

// numbered returns "<kind>-<k>" with k counting the kind's steps from 1.
func (p *proc) numbered(kind string) string {
	p.counts[kind]++
	return fmt.Sprintf("%s-%d", kind, p.counts[kind])
}

// The command methods below add one step each, issued in the role the engine expects: members
// complete tasks, register participants, record sessions, contributions and progress; leads
// advance, go back, decide, publish results, define measures, suspend, resume, cancel and
// complete; the tenant's administrator, who never leads a demo process, grants approvals
// (four-eyes; going back withdraws them by itself).

// task completes a task; a task completed again (after a reopening) gets the step name
// "task-<key>-2" and so on.
func (p *proc) task(key, evidence string) {
	name := "task-" + key
	if p.names[name] {
		p.counts[name] = max(p.counts[name], 1)
		name = p.numbered(name)
	}
	p.add(name, template.RoleMember, func(r *runner) engine.Command {
		return engine.CompleteTask{Task: key, Evidence: r.text(evidence)}
	})
}

func (p *proc) reopen(key, reason string) {
	p.add(p.numbered("reopen-"+key), template.RoleMember, fixed(engine.ReopenTask{Task: key, Reason: reason}))
}

// approve grants an approval: the tenant's administrator, never the lead (four-eyes).
func (p *proc) approve(key, note string) {
	p.add(p.numbered("approve-"+key), template.RoleAdministrator, func(r *runner) engine.Command {
		return engine.GrantApproval{Approval: key, Note: r.text(note)}
	})
}

func (p *proc) advance() {
	p.add(p.numbered("advance"), template.RoleLead, fixed(engine.Advance{}))
	p.entered = p.day
}

// advanceAfter advances once the stage has lasted more than days (its gate asks stage.days),
// with a margin for commands that a weekend moves to the Monday after.
func (p *proc) advanceAfter(days int) {
	p.at(max(p.day, p.entered+days+3))
	p.advance()
	p.steps[len(p.steps)-1].waits = true
}

func (p *proc) back(to, reason string) {
	p.add(p.numbered("back"), template.RoleLead, fixed(engine.GoBack{To: to, Reason: reason}))
	p.entered = p.day
}

// register registers one new participant per group, named by participant().
func (p *proc) register(groups ...string) {
	for _, g := range groups {
		p.people++
		who, id := participant(p.tenant, p.n, p.people), participantID(p.people)
		p.add("register-"+id, template.RoleMember, fixed(engine.RegisterParticipant{
			Participant: id, Person: who.ID, Group: g, Name: who.Name, Email: who.Email}))
	}
}

// participantID is the ID of the k-th participant of a process: p01, p02, …
func participantID(k int) string { return fmt.Sprintf("p%02d", k) }

func (p *proc) withdraw(k int, reason string) {
	id := participantID(k)
	p.add("withdraw-"+id, template.RoleMember, fixed(engine.WithdrawParticipant{Participant: id, Reason: reason}))
}

// schedule plans a session m.In days ahead.
func (p *proc) schedule(m meeting) {
	s := &session{day: p.day + m.In, m: m}
	p.sessions[m.ID] = s
	p.add("schedule-"+m.ID, template.RoleMember, func(r *runner) engine.Command {
		return engine.ScheduleSession{Session: m.ID, Title: r.text(m.Title), Format: m.Format,
			Date: r.sessionDate(s), Place: m.Place, Online: m.Online}
	})
}

// hold records a scheduled session as held; the cursor must be past its date.
func (p *proc) hold(id string, attendance int, notes string) {
	s := p.sessions[id]
	if s == nil || p.day <= s.day {
		panic(fmt.Sprintf("demo: process %d: session %q is not scheduled before day %d", p.n, id, p.day))
	}
	s.held = true
	p.add("hold-"+id, template.RoleMember, func(r *runner) engine.Command {
		return engine.HoldSession{Session: id, Attendance: attendance, Notes: r.text(notes)}
	})
}

// meet schedules a session, waits until the day after it and records it as held.
func (p *proc) meet(m meeting, attendance int, notes string) {
	p.schedule(m)
	p.after(m.In + 1)
	p.hold(m.ID, attendance, notes)
}

// contribute records a contribution, by participant k (0: anonymous, recorded by the team).
func (p *proc) contribute(id, session string, k int, topic, text string) {
	var who string
	if k > 0 {
		who = participantID(k)
	}
	p.add("contribute-"+id, template.RoleMember, fixed(engine.RecordContribution{
		Contribution: id, Session: session, Participant: who, Topic: topic, Text: text}))
}

func (p *proc) decide(id, subject, model, outcome string, votes *process.Votes) {
	p.add("decide-"+id, template.RoleLead, func(r *runner) engine.Command {
		return engine.RecordDecision{Decision: id, Subject: r.text(subject), Model: model, Outcome: r.text(outcome), Votes: votes}
	})
}

func (p *proc) publish(id, title, summary, url string) {
	p.add("publish-"+id, template.RoleLead, func(r *runner) engine.Command {
		return engine.PublishResult{Result: id, Title: r.text(title), Summary: r.text(summary), URL: url}
	})
}

// measure defines a measure due dueIn days ahead.
func (p *proc) measure(id, title, owner string, dueIn int) {
	due := p.day + dueIn
	p.add("measure-"+id, template.RoleLead, func(r *runner) engine.Command {
		return engine.DefineMeasure{Measure: id, Title: title, Owner: owner, Due: r.dayDate(due)}
	})
}

func (p *proc) progress(id string, pct int, status, note string) {
	p.add(p.numbered("progress-"+id), template.RoleMember, func(r *runner) engine.Command {
		return engine.ReportProgress{Measure: id, Progress: pct, Status: status, Note: r.text(note)}
	})
}

func (p *proc) suspend(reason string) {
	p.add(p.numbered("suspend"), template.RoleLead, fixed(engine.Suspend{Reason: reason}))
}

func (p *proc) resume() { p.add(p.numbered("resume"), template.RoleLead, fixed(engine.Resume{})) }

func (p *proc) cancel(reason string) {
	p.add("cancel", template.RoleLead, func(r *runner) engine.Command { return engine.Cancel{Reason: r.text(reason)} })
}

func (p *proc) complete() { p.add("complete", template.RoleLead, fixed(engine.Complete{})) }
