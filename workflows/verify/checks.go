package verify

import (
	"context"
	"errors"
	"fmt"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/projections/runner"
	"github.com/civicflow/civicflow/workflows/seal"
)

const sealsTitle = "Siegel (signierte Baumköpfe) / seals (signed tree heads)"

// heads returns the signed heads, or why the seals cannot be checked.
func (v *Verifier) heads(ctx context.Context) ([][]byte, string, error) {
	if v.cfg.Key == nil || v.cfg.Heads == nil {
		return nil, "kein öffentlicher Schlüssel angegeben / no public key given", nil
	}
	heads, err := v.cfg.Heads(ctx)
	if err != nil {
		return nil, "", err
	}
	if len(heads) == 0 {
		return nil, "keine Siegel in der Datenbank / no seals in the database", nil
	}
	return heads, "", nil
}

// checkSeals recomputes the tree from the log and checks every signed head against it.
func (v *Verifier) checkSeals(ctx context.Context) Check {
	c := Check{Name: "seals", Title: sealsTitle}
	heads, why, err := v.heads(ctx)
	if err != nil {
		return c.broken(err, "")
	}
	if heads == nil {
		return c.skipped(why)
	}
	res, err := seal.VerifyLog(ctx, v.cfg.Store, heads, v.cfg.Key)
	if err != nil {
		return c.broken(err, fmt.Sprintf("%d Siegel davor in Ordnung / %d seals before it intact", len(res.Heads), len(res.Heads)))
	}
	last := res.Heads[len(res.Heads)-1]
	return c.ok(fmt.Sprintf("%d Siegel, das letzte deckt %d von %d Ereignissen (%s) / %d seals, the last covers %d of %d events",
		len(res.Heads), last.Size, res.Events, last.Time.Format(time.RFC3339), len(res.Heads), last.Size, res.Events))
}

// checkInclusion checks that every event of a stream that the latest seal covers is in its tree:
// an inclusion proof from the stored hashes, checked against the signed root with the leaf
// computed from the event as it is now.
func (v *Verifier) checkInclusion(ctx context.Context, events []eventstore.Event) Check {
	c := Check{Name: "inclusion", Title: "Im letzten Siegel enthalten / included in the latest seal"}
	heads, why, err := v.heads(ctx)
	if err != nil {
		return c.broken(err, "")
	}
	if heads == nil {
		return c.skipped(why)
	}
	if v.cfg.Hashes == nil {
		return c.skipped("keine Baum-Hashes / no tree hashes")
	}
	head, err := seal.OpenHead(heads[len(heads)-1], v.cfg.Key)
	if err != nil {
		return c.broken(fmt.Errorf("latest head: %w", err), "")
	}
	n := 0
	for _, e := range events {
		index := int64(e.Position.Commit()) - 1 // leaves are the events in log order from position 1
		if index < 0 || index >= head.Size {
			continue
		}
		proof, err := tlog.ProveRecord(head.Size, index, v.cfg.Hashes)
		if err == nil {
			err = tlog.CheckRecord(proof, head.Size, head.Root, index, tlog.RecordHash(seal.LeafData(e)))
		}
		if err != nil {
			return c.broken(&eventstore.IntegrityError{Stream: e.Stream, Version: e.Version, Position: e.Position,
				Problem: fmt.Sprintf("the event is not in the tree of %d events signed at %s (%v): it was rewritten after sealing", head.Size, head.Time.Format(time.RFC3339), err)}, "")
		}
		n++
	}
	return c.ok(fmt.Sprintf("%d von %d Ereignissen im Siegel über %d Ereignisse (%s) / %d of %d events in the seal over %d events",
		n, len(events), head.Size, head.Time.Format(time.RFC3339), n, len(events), head.Size))
}

// checkReadModel compares a read model (or one process's rows of it) with a fresh replay.
func (v *Verifier) checkReadModel(ctx context.Context, p runner.Projection, process string) Check {
	c := Check{Name: "read_model", ReadModel: p.Name(), Title: "Lesemodell " + p.Name() + " = Neuaufbau aus dem Protokoll / read model " + p.Name() + " = fresh replay of the log"}
	scratch, discard, err := v.cfg.Scratch()
	if err != nil {
		return c.broken(err, "")
	}
	defer discard()
	res, err := runner.Check(ctx, runner.CheckConfig{Store: v.cfg.Store, Live: v.cfg.Live, Scratch: scratch, Process: process}, p)
	if errors.Is(err, runner.ErrNotBuilt) {
		return c.skipped("noch nicht aufgebaut / not built yet")
	}
	if err != nil {
		return c.broken(err, "")
	}
	return c.ok(fmt.Sprintf("%d Zeilen in %d Tabellen bis Position %s gleich / %d rows in %d tables equal up to position %s",
		res.Rows, res.Tables, res.Position, res.Rows, res.Tables, res.Position))
}
