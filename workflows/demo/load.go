package demo

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/google/uuid"

	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/workflows/engine"
	"github.com/civicflow/civicflow/workflows/templates"
)

// Span is how far Load moves a settable clock: 42 weeks from the clock's time when Load starts.
// Start the clock Span before the moment the demo should end (e.g. time.Now().Add(-demo.Span)),
// and after Load it shows that moment.
const Span = 42 * 7 * 24 * time.Hour

// Summary says what Load created, or found when the demo was already there.
type Summary struct {
	// Templates is the number of seed templates published (by this call or before).
	Templates int
	// Processes is the number of demo processes in the store.
	Processes int
	// Events is the number of events this call wrote: 0 when the demo was already there.
	Events int
	// ByStage counts the open (active or suspended) demo processes by their current stage key.
	ByStage map[string]int
	// ByStatus counts the demo processes by status: active, suspended, completed, cancelled.
	ByStatus map[string]int
	// ByTemplate counts the demo processes by template ID.
	ByTemplate map[string]int
}

// openSpace mirrors how the engine derives a process ID from the tenant and the command ID of its
// Open (engine.Open); Load checks every derived ID against the engine's answer.
var openSpace = uuid.MustParse("6f1c3f0e-8d0a-4f6e-9c1b-2a7e5d4c3b21")

// Load publishes the seed templates and writes the demo processes (see the package
// documentation) through the engine's commands, each with a fixed command ID "demo/<n>/<step>".
//
// With advance, Load moves the clock through the demo's calendar, so that stages are entered
// weeks apart and time gates pass, and leaves it at Span after its start. With advance nil,
// Load issues every command at the clock's time and leaves the processes of the default template
// in their first stage, whose gate needs 30 days.
//
// Load is idempotent: when the store already holds the demo (the script's last command is
// recorded), it writes nothing and returns the summary of what is there, with Events 0; it still
// moves the clock to Span after its start. An interrupted Load is completed by the next one.
// Load returns the first refused command's error, naming the process and the step.
func Load(ctx context.Context, eng *engine.Engine, clock func() time.Time, advance func(time.Duration)) (Summary, error) {
	if eng == nil || clock == nil {
		return Summary{}, errors.New("demo: an engine and a clock are required")
	}
	r := &runner{ctx: ctx, eng: eng, clock: clock, advance: advance, t0: clock(), stopped: map[int]bool{}}
	procs := script()
	steps, err := order(procs)
	if err != nil {
		return Summary{}, err
	}
	done, err := r.handled(steps[len(steps)-1])
	if err != nil {
		return Summary{}, err
	}
	if done {
		return r.existing(procs)
	}
	before := map[int]int64{}
	for _, p := range procs {
		if before[p.n], err = r.version(p); err != nil {
			return Summary{}, err
		}
	}
	templateEvents, published, err := r.publishSeeds()
	if err != nil {
		return Summary{}, err
	}
	for _, s := range steps {
		if err := r.run(s); err != nil {
			return Summary{}, err
		}
	}
	r.moveTo(r.t0.Add(Span))
	sum, err := r.summarise(procs, before)
	sum.Templates = published
	sum.Events += templateEvents
	return sum, err
}

// order sorts the steps of all processes by day, process and sequence, and checks that the last
// step runs with and without a settable clock, so that it marks a complete demo either way.
func order(procs []*proc) ([]*step, error) {
	var steps []*step
	for _, p := range procs {
		steps = append(steps, p.steps...)
	}
	sort.SliceStable(steps, func(i, j int) bool {
		a, b := steps[i], steps[j]
		if a.day != b.day {
			return a.day < b.day
		}
		if a.proc.n != b.proc.n {
			return a.proc.n < b.proc.n
		}
		return a.seq < b.seq
	})
	last := steps[len(steps)-1]
	if last.day != lastDay || steps[len(steps)-2].day == lastDay {
		return nil, fmt.Errorf("demo: the script must end with one step on day %d, not %s on day %d", lastDay, last.commandID(), last.day)
	}
	for _, s := range last.proc.steps {
		if s.waits {
			return nil, fmt.Errorf("demo: the last step %s belongs to a process that waits for time", last.commandID())
		}
	}
	return steps, nil
}

// runner runs the script against an engine.
type runner struct {
	ctx     context.Context
	eng     *engine.Engine
	clock   func() time.Time
	advance func(time.Duration)
	t0      time.Time
	// now and day are the current step's time and calendar day.
	now  time.Time
	day  int
	date time.Time // local calendar date of the current step, for slotting
	slot int
	// stopped marks the processes that stay before a step that waits (advance is nil).
	stopped map[int]bool
}

// id is the process ID the engine gives process p.
func id(p *proc) uuid.UUID {
	return uuid.NewSHA1(openSpace, []byte(p.tenant+"\x00"+p.steps[0].commandID()))
}

// reader is who reads the demo's processes: the installation administrator sees every tenant.
var reader = installationAdmin.Actor()

// state returns the current state of process p, nil when it does not exist.
func (r *runner) state(p *proc) (*process.Process, error) {
	st, err := r.eng.Load(r.ctx, reader, id(p))
	if errors.Is(err, process.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("demo: process %d: %w", p.n, err)
	}
	return st, nil
}

// version returns the process's (or the programme's) version, 0 when it does not exist.
func (r *runner) version(p *proc) (int64, error) {
	if p.n == programmeN {
		return r.programmeVersion()
	}
	st, err := r.state(p)
	if st == nil {
		return 0, err
	}
	return st.Version, nil
}

// handled reports whether step s was recorded.
func (r *runner) handled(s *step) (bool, error) {
	_, ok, err := r.eng.Handled(r.ctx, reader, id(s.proc), s.commandID())
	if errors.Is(err, process.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("demo: process %d: %w", s.proc.n, err)
	}
	return ok, nil
}

// existing summarises the demo that is already there and moves the clock as writing it would.
func (r *runner) existing(procs []*proc) (Summary, error) {
	sum, err := r.summarise(procs, nil)
	if err == nil {
		sum.Templates, err = r.seedsPublished()
	}
	r.moveTo(r.t0.Add(Span))
	return sum, err
}

// publishSeeds publishes the seed templates as the installation administrator and returns how
// many events that wrote and how many seed templates are published.
func (r *runner) publishSeeds() (events, published int, err error) {
	have, err := r.eng.Templates(r.ctx)
	if err != nil {
		return 0, 0, fmt.Errorf("demo: templates: %w", err)
	}
	before := map[string]int{}
	for _, tv := range have {
		before[tv.Template.ID] = tv.Template.Version
	}
	tvs, err := r.eng.PublishSeeds(r.ctx, process.Meta{Actor: installationAdmin.Actor()})
	if err != nil {
		return 0, 0, fmt.Errorf("demo: publishing the seed templates: %w", err)
	}
	for _, tv := range tvs {
		events += max(0, tv.Template.Version-before[tv.Template.ID])
	}
	return events, len(tvs), nil
}

// seedsPublished counts the seed templates that are published.
func (r *runner) seedsPublished() (int, error) {
	seeds, err := templates.Seeds()
	if err != nil {
		return 0, err
	}
	n := 0
	for _, s := range seeds {
		tpl, err := templates.Parse(s.Data)
		if err != nil {
			return 0, fmt.Errorf("demo: seed %s: %w", s.File, err)
		}
		if _, err := r.eng.Template(r.ctx, tpl.ID, 0); err == nil {
			n++
		} else if !errors.Is(err, engine.ErrTemplateNotFound) {
			return 0, err
		}
	}
	return n, nil
}

// run issues one step at its time.
func (r *runner) run(s *step) error {
	p := s.proc
	if r.stopped[p.n] || (s.waits && r.advance == nil) {
		r.stopped[p.n] = true
		return nil
	}
	r.at(s.day)
	tenant := p.tenant
	if s.tenant != "" {
		tenant = s.tenant
	}
	m := process.Meta{CommandID: s.commandID(), Actor: actor(tenant, s.role)}
	if s.programme != nil {
		return r.runProgramme(s, m)
	}
	var err error
	if s.open != nil {
		in := *s.open
		in.Title = r.text(in.Title)
		var res engine.Result
		res, err = r.eng.Open(r.ctx, m, in)
		if err == nil && res.Process != id(p) {
			err = fmt.Errorf("the engine gave process ID %s, the demo expected %s", res.Process, id(p))
		}
	} else {
		_, err = r.eng.Do(r.ctx, m, id(p), engine.NoExpectation, s.cmd(r))
	}
	if err != nil {
		return fmt.Errorf("demo: process %d %q (%s, tenant %s), step %s by %s: %w",
			p.n, r.text(p.steps[0].open.Title), p.template, p.tenant, s.name, s.role, err)
	}
	return nil
}

// summarise counts the demo processes in the store; with before (the versions when Load began)
// it also counts the events written since.
func (r *runner) summarise(procs []*proc, before map[int]int64) (Summary, error) {
	sum := Summary{ByStage: map[string]int{}, ByStatus: map[string]int{}, ByTemplate: map[string]int{}}
	for _, p := range procs {
		if p.n == programmeN {
			n, err := r.programmeVersion()
			if err != nil {
				return sum, err
			}
			if before != nil {
				sum.Events += int(n - before[p.n])
			}
			continue
		}
		st, err := r.state(p)
		if err != nil {
			return sum, err
		}
		if st == nil {
			continue
		}
		sum.Processes++
		sum.ByStatus[string(st.Status)]++
		sum.ByTemplate[st.TemplateID]++
		if st.Status == process.StatusActive || st.Status == process.StatusSuspended {
			sum.ByStage[st.Stage]++
		}
		if before != nil {
			sum.Events += int(st.Version - before[p.n])
		}
	}
	return sum, nil
}
