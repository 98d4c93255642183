package main

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/civicflow/civicflow/config"
	"github.com/civicflow/civicflow/ops/lease"
)

// listSnapshotInterval is how often serve saves the process list's snapshot while it changes.
// After a SIGKILL a start applies at most this much of the log on top of the last snapshot; each
// save encodes every process's state (about 1 KB each) and writes it in one transaction.
const listSnapshotInterval = time.Minute

// restoreList starts the process list from its last snapshot when that still describes the log
// (see processlist.Restore), so that a start applies only the rest of the log instead of all of
// it. A snapshot that cannot be used is logged and the list is built from the log's beginning.
func restoreList(ctx context.Context, a *app, cfg config.Server, log *slog.Logger) {
	start := time.Now()
	n, err := a.list.Restore(ctx, a.store.Snapshots, a.store.Log)
	switch {
	case err != nil:
		log.Warn("process list: its snapshot cannot be used; building it from the log", "err", err)
	case n > 0:
		log.Info("process list restored from its snapshot", "processes", n, "position", a.list.Position().String(), "took", time.Since(start).Round(time.Millisecond))
	}
	// The list's size is known now, before the rest of the log, the read models' catch-up and the
	// first seal pass allocate (server.memory_limit: auto grows with it). Without a snapshot the
	// limit waits for the list built from the log, so that a rebuild runs without it.
	if n > 0 {
		limitMemory(cfg, n, log)
	}
	// The rest of the log straight from the store, before the router takes over: much faster
	// than through the router (see processlist.ApplyLog). A failure leaves it to the router.
	start = time.Now()
	applied, err := a.list.ApplyLog(ctx, a.store.Log, listLogPage)
	if err != nil {
		log.Warn("process list: applying the log at start failed; the router applies the rest", "err", err)
	}
	if applied > 0 {
		log.Info("process list applied the log after its snapshot", "events", applied, "position", a.list.Position().String(), "took", time.Since(start).Round(time.Millisecond))
	}
	if held := a.list.Len(); held != n || n == 0 {
		limitMemory(cfg, held, log)
	}
}

// listLogPage is how many events restoreList reads at once.
const listLogPage = 10_000

// listSnapshotWork is the work of the list snapshot's lease (every instance's list follows the
// same log, so one of them saves it): save the process list's snapshot every
// listSnapshotInterval while it changes, and once more when stopped, unless the lease was lost.
// serve stops it after the router that feeds the list, so that a clean stop leaves nothing to
// apply at the next start.
func listSnapshotWork(a *app, log *slog.Logger) lease.Work {
	save := func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := a.list.Save(ctx, a.store.Snapshots); err != nil {
			log.Warn("process list: saving its snapshot failed; the next start applies more of the log", "err", err)
		}
	}
	return func(ctx context.Context) error {
		tick := time.NewTicker(listSnapshotInterval)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				if !errors.Is(context.Cause(ctx), lease.ErrLost) {
					save()
				}
				return nil
			case <-tick.C:
				save()
			}
		}
	}
}
