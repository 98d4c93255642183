package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/civicflow/civicflow/domain/eventstore"
)

func TestProgress(t *testing.T) {
	t0 := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	clock := t0
	var out strings.Builder
	ctx := withProgress(context.Background(), &out, "store verify", 1000, func() time.Time { return clock })
	at := func(d time.Duration, done int64) {
		clock = t0.Add(d)
		eventstore.ReportProgress(ctx, done)
	}
	t.Run("prints_nothing_before_two_seconds_have_passed", func(t *testing.T) {
		at(time.Second, 100)
		if out.Len() != 0 {
			t.Fatalf("printed %q", out.String())
		}
	})
	t.Run("prints_counts_share_and_the_time_left_at_the_rate_so_far", func(t *testing.T) {
		at(4*time.Second, 250)
		want := "store verify: 250 / 1000 Ereignisse / events (25 %), noch etwa / about 12s left\n"
		if out.String() != want {
			t.Fatalf("got %q, want %q", out.String(), want)
		}
	})
	t.Run("prints_at_most_one_line_every_two_seconds", func(t *testing.T) {
		at(5*time.Second, 300)
		at(6*time.Second, 500)
		if n := strings.Count(out.String(), "\n"); n != 2 {
			t.Fatalf("%d lines: %q", n, out.String())
		}
	})
	t.Run("without_a_reporter_long_work_reports_to_nobody", func(t *testing.T) {
		eventstore.ReportProgress(context.Background(), 5) // must not panic
	})
}
