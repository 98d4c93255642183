package timers

import (
	"container/heap"
	"context"
	"errors"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/workflows/engine"
)

// entry is a timer in the heap; entries of timers a process no longer has are skipped when due.
type entry struct {
	at      time.Time
	process uuid.UUID
	id      string
}

type queue []entry

func (q queue) Len() int           { return len(q) }
func (q queue) Less(i, j int) bool { return q[i].at.Before(q[j].at) }
func (q queue) Swap(i, j int)      { q[i], q[j] = q[j], q[i] }
func (q *queue) Push(x any)        { *q = append(*q, x.(entry)) }
func (q *queue) Pop() any {
	old := *q
	e := old[len(old)-1]
	*q = old[:len(old)-1]
	return e
}

// Pending counts the pending timers.
func (s *Scheduler) Pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, ts := range s.byProcess {
		n += len(ts)
	}
	return n
}

// Overdue counts the pending timers whose time has passed (not fired yet).
func (s *Scheduler) Overdue() int {
	now := s.cfg.Clock()
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, ts := range s.byProcess {
		for _, t := range ts {
			if !t.At.After(now) {
				n++
			}
		}
	}
	return n
}

// Next returns the time of the next pending timer.
func (s *Scheduler) Next() (time.Time, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for s.queue.Len() > 0 {
		e := s.queue[0]
		if _, ok := s.byProcess[e.process][e.id]; ok {
			return e.at, true
		}
		heap.Pop(&s.queue)
	}
	return time.Time{}, false
}

// takeDue takes every timer whose time has come.
func (s *Scheduler) takeDue(now time.Time) []process.Timer {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []process.Timer
	for s.queue.Len() > 0 && !s.queue[0].at.After(now) {
		e := heap.Pop(&s.queue).(entry)
		if t, ok := s.byProcess[e.process][e.id]; ok {
			delete(s.byProcess[e.process], e.id)
			out = append(out, t)
		}
	}
	return out
}

// FireDue fires every timer whose time has come, each as the command FireTimer with the timer's
// ID as command ID, Workers at a time (the store commits concurrent appends together), and
// returns how many it fired (a timer fired before is a duplicate and writes nothing). Then it
// derives the timers of those processes again from the log: timers that come due through what
// was fired fire in the next round. It returns the errors joined.
func (s *Scheduler) FireDue(ctx context.Context) (int, error) {
	due := s.takeDue(s.cfg.Clock())
	var (
		mu    sync.Mutex
		fired int
		errs  error
		wg    sync.WaitGroup
		next  = make(chan process.Timer)
	)
	for range min(s.cfg.Workers, len(due)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for t := range next {
				ok, err := s.fire(ctx, t)
				mu.Lock()
				if ok {
					fired++
				}
				errs = errors.Join(errs, err)
				mu.Unlock()
			}
		}()
	}
	for _, t := range due {
		next <- t
	}
	close(next)
	wg.Wait()
	return fired, errs
}

// fire issues one timer's command and derives the process's timers again.
func (s *Scheduler) fire(ctx context.Context, t process.Timer) (bool, error) {
	id, _ := uuid.Parse(t.Process)
	s.mu.Lock()
	tenant := s.tenants[id]
	s.mu.Unlock()
	m := process.Meta{CommandID: t.ID(), Actor: system(tenant)}
	res, err := s.cfg.Engine.Do(ctx, m, id, engine.NoExpectation, engine.FireTimer{Timer: t})
	var refused *process.RefusedError
	fired := false
	switch {
	case err == nil && !res.Duplicate:
		fired = true
		if s.cfg.Fired != nil {
			s.cfg.Fired(t, s.cfg.Clock().Sub(t.At))
		}
		err = nil
	case err == nil, errors.As(err, &refused), errors.Is(err, process.ErrNotFound):
		err = nil // fired before (a duplicate: nothing written), or the process moved on (closed, suspended)
	}
	return fired, errors.Join(err, s.derive(ctx, id))
}

// Run loads the timers (retrying until the log can be read) and then follows (see Follow). It
// returns ctx's error.
func (s *Scheduler) Run(ctx context.Context) error {
	for ctx.Err() == nil {
		if err := s.Load(ctx); err == nil {
			break
		}
		sleep(ctx, s.cfg.Poll)
	}
	return s.Follow(ctx)
}

// Follow, until ctx ends, fires what is due, reads the log for changes and sleeps until the next
// timer or Poll, whichever comes first. Errors of a round are retried in the next; Follow returns
// ctx's error.
func (s *Scheduler) Follow(ctx context.Context) error {
	for ctx.Err() == nil {
		_, _ = s.FireDue(ctx)
		_ = s.Refresh(ctx)
		wait := s.cfg.Poll
		if next, ok := s.Next(); ok {
			wait = min(wait, max(next.Sub(s.cfg.Clock()), 0))
		}
		sleep(ctx, wait)
	}
	return ctx.Err()
}

func sleep(ctx context.Context, d time.Duration) {
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
