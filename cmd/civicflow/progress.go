package main

import (
	"context"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/civicflow/civicflow/domain/eventstore"
)

// progressEvery is how often long work prints a progress line at most.
const progressEvery = 2 * time.Second

// progress prints how far long work got (whole-store verification, projection rebuilds): a line
// at most every progressEvery with the events done, the total, the share and an estimate of the
// time left from the rate so far.
type progress struct {
	mu          sync.Mutex
	w           io.Writer
	what        string
	total       int64
	now         func() time.Time
	start, last time.Time
}

// withProgress returns ctx with a progress reporter for work over total events, printing to w.
func withProgress(ctx context.Context, w io.Writer, what string, total int64, now func() time.Time) context.Context {
	t := now()
	p := &progress{w: w, what: what, total: total, now: now, start: t, last: t}
	return eventstore.WithProgress(ctx, p.report)
}

func (p *progress) report(done int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	t := p.now()
	if t.Sub(p.last) < progressEvery || done <= 0 {
		return
	}
	p.last = t
	line := fmt.Sprintf("%s: %d", p.what, done)
	if p.total > 0 {
		elapsed := t.Sub(p.start)
		left := time.Duration(float64(elapsed) * float64(p.total-min(done, p.total)) / float64(done))
		line += fmt.Sprintf(" / %d Ereignisse / events (%d %%), noch etwa / about %s left", p.total, done*100/p.total, left.Round(time.Second))
	} else {
		line += " Ereignisse / events"
	}
	fmt.Fprintln(p.w, line)
}
