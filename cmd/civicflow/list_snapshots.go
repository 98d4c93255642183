package main

import (
	"context"
	"log/slog"
	"time"
)

// listSnapshotInterval is how often serve saves the process list's snapshot while it changes.
// After a SIGKILL a start applies at most this much of the log on top of the last snapshot; each
// save encodes every process's state (about 1 KB each) and writes it in one transaction.
const listSnapshotInterval = time.Minute

// restoreList starts the process list from its last snapshot when that still describes the log
// (see processlist.Restore), so that a start applies only the rest of the log instead of all of
// it. A snapshot that cannot be used is logged and the list is built from the log's beginning.
func restoreList(ctx context.Context, a *app, log *slog.Logger) {
	start := time.Now()
	n, err := a.list.Restore(ctx, a.store.Snapshots, a.store.Log)
	switch {
	case err != nil:
		log.Warn("process list: its snapshot cannot be used; building it from the log", "err", err)
	case n > 0:
		log.Info("process list restored from its snapshot", "processes", n, "position", a.list.Position().String(), "took", time.Since(start).Round(time.Millisecond))
	}
}

// startListSnapshots saves the process list's snapshot every listSnapshotInterval while it
// changes; the returned function stops that and saves once more (call it after the router that
// feeds the list has stopped, so that a clean stop leaves nothing to apply at the next start).
func startListSnapshots(a *app, log *slog.Logger) (stop func()) {
	save := func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := a.list.Save(ctx, a.store.Snapshots); err != nil {
			log.Warn("process list: saving its snapshot failed; the next start applies more of the log", "err", err)
		}
	}
	done, stopped := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(stopped)
		tick := time.NewTicker(listSnapshotInterval)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				save()
			}
		}
	}()
	return func() {
		close(done)
		<-stopped
		save()
	}
}
