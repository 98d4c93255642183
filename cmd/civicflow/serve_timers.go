package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/spf13/cobra"

	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/ops/lease"
	"github.com/civicflow/civicflow/ops/metrics"
	"github.com/civicflow/civicflow/workflows/timers"
)

// clockOffset reads --clock-offset: a duration such as "31d", "36h" or "-2d"; only with --demo,
// so that a person can watch periods end, timers fire and stages auto-advance.
func clockOffset(cmd *cobra.Command) (time.Duration, error) {
	raw, _ := cmd.Flags().GetString("clock-offset")
	if raw == "" {
		return 0, nil
	}
	if demo, _ := cmd.Flags().GetBool("demo"); !demo {
		return 0, errors.New("--clock-offset: nur mit --demo / only with --demo (it shifts the clock of every command)")
	}
	if days, ok := strings.CutSuffix(raw, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil {
			return 0, fmt.Errorf("--clock-offset %q: days must be a whole number, e.g. 31d", raw)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(raw)
	if err != nil {
		return 0, fmt.Errorf("--clock-offset %q: a duration such as 31d or 36h", raw)
	}
	return d, nil
}

// timerWork returns the work of the timers' lease: a timer scheduler (workflows/timers) derived
// from the log at each start, firing until its context ends. Its pending and overdue timers are
// in the metrics (0 on an instance that does not fire them).
func timerWork(a *app, m *metrics.Metrics, log *slog.Logger) (lease.Work, error) {
	var current atomic.Pointer[timers.Scheduler]
	count := func(f func(*timers.Scheduler) int) func() int {
		return func() int {
			if s := current.Load(); s != nil {
				return f(s)
			}
			return 0
		}
	}
	observe, err := m.RegisterTimers(count((*timers.Scheduler).Pending), count((*timers.Scheduler).Overdue))
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context) error {
		s, err := timers.New(timers.Config{Engine: a.engine, Store: a.store.Log, Clock: a.clock.Now,
			Fired: func(t process.Timer, late time.Duration) {
				log.Info("timer fired", "process", t.Process, "deadline", t.Deadline, "at", t.At, "late", late.Round(time.Millisecond))
				observe.Fired(late)
			}})
		if err != nil {
			return err
		}
		current.Store(s)
		defer current.Store(nil)
		if err := s.Run(ctx); ctx.Err() == nil {
			return err
		}
		return nil
	}, nil
}
