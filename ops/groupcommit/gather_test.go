package groupcommit

import (
	"slices"
	"testing"
	"time"
)

func queued(n int) chan int {
	c := make(chan int, 64)
	for i := range n {
		c <- i
	}
	return c
}

func stoppedTimer() *time.Timer {
	t := time.NewTimer(time.Hour)
	t.Stop()
	return t
}

func TestGather_takes_what_is_queued_up_to_the_limit(t *testing.T) {
	tests := []struct {
		name          string
		queued, limit int
		want          int
		got           []int
	}{
		{"fewer queued than the limit", 3, 10, 0, []int{-1, 0, 1, 2}},
		{"more queued than the limit", 20, 5, 0, []int{-1, 0, 1, 2, 3}},
		{"the first request fills the batch", 5, 1, 0, []int{-1}},
		{"enough queued for want: no wait", 4, 10, 3, []int{-1, 0, 1, 2, 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			got := Gather(queued(tt.queued), []int{-1}, tt.limit, tt.want, time.Hour, stoppedTimer())
			if !slices.Equal(got, tt.got) {
				t.Fatalf("batch %v, want %v", got, tt.got)
			}
			if d := time.Since(start); d > 10*time.Second {
				t.Fatalf("Gather waited %v although it needed nothing more", d)
			}
		})
	}
}

func TestGather_waits_for_the_expected_requests(t *testing.T) {
	reqs := make(chan int, 8)
	go func() {
		for i := range 3 {
			time.Sleep(5 * time.Millisecond)
			reqs <- i
		}
	}()
	got := Gather(reqs, []int{-1}, 10, 4, time.Hour, stoppedTimer())
	if !slices.Equal(got, []int{-1, 0, 1, 2}) {
		t.Fatalf("batch %v, want the first request and the three that came later", got)
	}
}

func TestGather_ends_its_wait_when_the_time_is_up(t *testing.T) {
	reqs := make(chan int, 8)
	timer := stoppedTimer()
	got := Gather(reqs, []int{-1}, 10, 5, 20*time.Millisecond, timer)
	if !slices.Equal(got, []int{-1}) {
		t.Fatalf("batch %v, want only the first request", got)
	}
	// The timer is stopped and reusable: a second wait runs its full time again.
	reqs <- 7
	got = Gather(reqs, got[:0], 10, 3, 20*time.Millisecond, timer)
	if !slices.Equal(got, []int{7}) {
		t.Fatalf("second batch %v, want [7]", got)
	}
}

func TestGather_returns_when_the_queue_closes(t *testing.T) {
	reqs := make(chan int, 8)
	reqs <- 1
	close(reqs)
	got := Gather(reqs, []int{-1}, 10, 5, time.Hour, stoppedTimer())
	if !slices.Equal(got, []int{-1, 1}) {
		t.Fatalf("batch %v, want [-1 1]", got)
	}
}

func TestGather_a_zero_wait_never_blocks(t *testing.T) {
	got := Gather(make(chan int), []int{-1}, 10, 5, 0, stoppedTimer())
	if !slices.Equal(got, []int{-1}) {
		t.Fatalf("batch %v, want [-1]", got)
	}
}
