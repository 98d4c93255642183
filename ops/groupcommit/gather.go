// Package groupcommit gathers the appends queued for a store's writer into one batch, so that
// concurrent appenders share one transaction and one sync (a group commit). The SQLite and the
// PostgreSQL writers use it; each decides for itself how many appends to expect and how long to
// wait for them.
package groupcommit

import "time"

// Gather adds requests from reqs to batch until batch holds limit. It takes whatever is queued
// without waiting; while batch holds fewer than want, it waits up to wait in all for more, then
// takes what is queued by then. It returns early when reqs is closed. timer is the caller's, reused
// between calls to save an allocation per batch; it must be stopped, and Gather leaves it stopped.
func Gather[T any](reqs <-chan T, batch []T, limit, want int, wait time.Duration, timer *time.Timer) []T {
	waiting := false
	for len(batch) < limit {
		select {
		case r, ok := <-reqs:
			if !ok {
				return stop(batch, timer, waiting)
			}
			batch = append(batch, r)
			continue
		default:
		}
		if len(batch) >= want || wait <= 0 {
			return stop(batch, timer, waiting)
		}
		if !waiting {
			waiting = true
			timer.Reset(wait)
		}
		select {
		case r, ok := <-reqs:
			if !ok {
				return stop(batch, timer, waiting)
			}
			batch = append(batch, r)
		case <-timer.C:
			waiting, wait = false, 0 // the time is up: take only what is queued now
		}
	}
	return stop(batch, timer, waiting)
}

// stop stops timer if Gather started it and it has not fired, and returns batch.
func stop[T any](batch []T, timer *time.Timer, waiting bool) []T {
	if waiting {
		timer.Stop()
	}
	return batch
}
