package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/civicflow/civicflow/domain/process"
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

// startTimers runs the timer scheduler (workflows/timers) until the returned stop is called,
// with its pending and overdue timers and the fired ones in the metrics.
func startTimers(a *app, m *metrics.Metrics, log *slog.Logger) (func(), error) {
	var observe *metrics.Timers
	s, err := timers.New(timers.Config{Engine: a.engine, Store: a.store.Log, Clock: a.clock.Now,
		Fired: func(t process.Timer, late time.Duration) {
			log.Info("timer fired", "process", t.Process, "deadline", t.Deadline, "at", t.At, "late", late.Round(time.Millisecond))
			if observe != nil {
				observe.Fired(late)
			}
		}})
	if err != nil {
		return nil, err
	}
	if observe, err = m.RegisterTimers(s.Pending, s.Overdue); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = s.Run(ctx)
	}()
	return func() { cancel(); <-done }, nil
}
