package process

import (
	"maps"
	"time"
)

// TimeState is what a process keeps about time beyond its stages: named dates, extensions of
// periods, suspensions, when tasks were completed, contributions per stage (and late ones), and
// periods that were overridden.
type TimeState struct {
	// Dates are the named dates set, by key.
	Dates map[string]time.Time
	// Extensions are the extra calendar days granted per deadline key.
	Extensions map[string]int
	// Suspensions are the intervals the process was suspended; the last has a zero To while it is.
	Suspensions []Interval
	// TaskDone holds when each task was completed, by stage and task key.
	TaskDone map[string]map[string]time.Time
	// Contributions and Late count contributions, and late ones, by the stage they were recorded in.
	Contributions, Late map[string]int
	// Overrides are the periods not kept, in order.
	Overrides []PeriodOverridden
	// Reached holds, per deadline, the end whose arrival was last recorded (DeadlineReached).
	Reached map[string]time.Time
	// Reminded holds, per deadline and days before, the end of the last reminder recorded.
	Reminded map[string]time.Time
	// Escalated holds, per deadline, the end whose escalation was last recorded (EscalationDue).
	Escalated map[string]time.Time
}

// Interval is a span of time; a zero To means it has not ended.
type Interval struct {
	From, To time.Time
}

func newTimeState() TimeState {
	return TimeState{Dates: map[string]time.Time{}, Extensions: map[string]int{}, Reached: map[string]time.Time{},
		TaskDone: map[string]map[string]time.Time{}, Contributions: map[string]int{}, Late: map[string]int{}}
}

// applyTime changes the time state by one event; Apply calls it for every event.
func (p *Process) applyTime(e Payload) {
	t := &p.Time
	if t.Dates == nil {
		*t = newTimeState()
	}
	switch e := e.(type) {
	case DateSet:
		t.Dates[e.Date] = e.Value
	case DeadlineExtended:
		t.Extensions[e.Deadline] += e.Days
	case PeriodOverridden:
		t.Overrides = append(t.Overrides, e)
	case DeadlineReached:
		if t.Reached == nil {
			t.Reached = map[string]time.Time{}
		}
		t.Reached[e.Deadline] = e.EndsAt
	case ReminderDue:
		if t.Reminded == nil {
			t.Reminded = map[string]time.Time{}
		}
		t.Reminded[reminderKey(e.Deadline, e.Before)] = e.EndsAt
	case EscalationDue:
		if t.Escalated == nil {
			t.Escalated = map[string]time.Time{}
		}
		t.Escalated[e.Deadline] = e.EndsAt
	case ProcessSuspended:
		t.Suspensions = append(t.Suspensions, Interval{From: e.At})
	case ProcessResumed:
		if n := len(t.Suspensions); n > 0 {
			t.Suspensions[n-1].To = e.At
		}
	case TaskCompleted:
		stageMap(t.TaskDone, e.Stage)[e.Task] = e.At
	case TaskReopened:
		delete(t.TaskDone[e.Stage], e.Task)
	case ContributionRecorded:
		stage := e.Stage
		if stage == "" {
			stage = p.Stage
		}
		t.Contributions[stage]++
		if e.Late != nil {
			t.Late[stage]++
		}
	case ProcessMigrated:
		t.TaskDone = remap(t.TaskDone, e.StageMapping)
	}
}

func (t TimeState) clone() TimeState {
	c := t
	c.Dates, c.Extensions, c.Reached = maps.Clone(t.Dates), maps.Clone(t.Extensions), maps.Clone(t.Reached)
	c.Reminded, c.Escalated = maps.Clone(t.Reminded), maps.Clone(t.Escalated)
	c.Contributions, c.Late = maps.Clone(t.Contributions), maps.Clone(t.Late)
	c.Suspensions = append([]Interval(nil), t.Suspensions...)
	c.Overrides = append([]PeriodOverridden(nil), t.Overrides...)
	c.TaskDone = make(map[string]map[string]time.Time, len(t.TaskDone))
	for k, v := range t.TaskDone {
		c.TaskDone[k] = maps.Clone(v)
	}
	return c
}

// LateContributions counts the contributions flagged late.
func (t TimeState) LateContributions() int {
	n := 0
	for _, v := range t.Late {
		n += v
	}
	return n
}
