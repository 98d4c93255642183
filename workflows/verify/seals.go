package verify

import (
	"context"
	"errors"
	"fmt"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/workflows/seal"
)

const sealsTitle = "Siegel (signierte Baumköpfe) / seals (signed tree heads)"

// Witness is a source of signed heads outside the database: the server's heads file, or an
// auditor's copy of it.
type Witness struct {
	// Name names it in the report (the file's path).
	Name string
	// Heads reads its signed heads, in any order (headsfile.File's All).
	Heads func(ctx context.Context) ([][]byte, error)
}

// headSet is every signed head known, and what a missing seal means.
type headSet struct {
	all [][]byte
	// deleted says why seals must have been deleted from the database: a witness holds heads
	// the database does not, or the database holds none although the log is older than the seal
	// interval. nil when neither.
	deleted error
}

// heads gathers the database's heads and the witnesses'; why says why the seals cannot be
// checked (no key; no heads at all and none due yet).
func (v *Verifier) heads(ctx context.Context) (hs headSet, why string, err error) {
	if v.cfg.Key == nil {
		return hs, "kein öffentlicher Schlüssel angegeben / no public key given", nil
	}
	var db [][]byte
	if v.cfg.Heads != nil {
		if db, err = v.cfg.Heads(ctx); err != nil {
			return hs, "", err
		}
	}
	hs.all = append(hs.all, db...)
	for _, w := range v.cfg.Witnesses {
		heads, err := w.Heads(ctx)
		if err != nil {
			return hs, "", fmt.Errorf("%s: %w", w.Name, err)
		}
		hs.all = append(hs.all, heads...)
		if hs.deleted == nil {
			hs.deleted = missingFromDB(db, w.Name, heads)
		}
	}
	if len(db) == 0 && hs.deleted == nil {
		hs.deleted, err = v.overdue(ctx)
		if err != nil {
			return hs, "", err
		}
	}
	if len(hs.all) == 0 && hs.deleted == nil {
		return hs, "keine Siegel in der Datenbank, noch keines fällig / no seals in the database, none due yet", nil
	}
	return hs, "", nil
}

// missingFromDB is an error when the witness holds heads of more sizes than the database: it
// names the first head the database lacks.
func missingFromDB(db [][]byte, name string, witnessed [][]byte) error {
	sizes := func(signed [][]byte) (map[int64]seal.Head, []seal.Head) {
		m := map[int64]seal.Head{}
		var order []seal.Head
		for _, s := range signed {
			if h, err := seal.ReadHead(s); err == nil {
				if _, dup := m[h.Size]; !dup {
					order = append(order, h)
				}
				m[h.Size] = h
			}
		}
		return m, order
	}
	inDB, _ := sizes(db)
	inW, order := sizes(witnessed)
	if len(inW) <= len(inDB) {
		return nil
	}
	for _, h := range order {
		if _, ok := inDB[h.Size]; !ok {
			return fmt.Errorf("the database holds %d seals, %s holds %d: the head of %d events signed at %s is not in the database: seals were deleted",
				len(inDB), name, len(inW), h.Size, h.Time.Format(time.RFC3339))
		}
	}
	return nil
}

// overdue is an error when the log's first event is older than the seal interval: a seal should
// exist.
func (v *Verifier) overdue(ctx context.Context) (deleted, err error) {
	if v.cfg.SealInterval <= 0 || v.cfg.Clock == nil {
		return nil, nil
	}
	first, err := v.cfg.Store.ReadAll(ctx, eventstore.ReadAllOptions{Limit: 1})
	if err != nil || len(first) == 0 {
		return nil, err
	}
	if age := v.cfg.Clock().Sub(first[0].RecordedAt); age > v.cfg.SealInterval {
		return fmt.Errorf("the database holds no seals, although the log began at %s, more than the seal interval (%s) ago: seals were deleted",
			first[0].RecordedAt.Format(time.RFC3339), v.cfg.SealInterval), nil
	}
	return nil, nil
}

// Seals recomputes the tree from the log's records and checks every signed head of the database
// and the witnesses against it ("audit seal verify"; Store runs it too).
func (v *Verifier) Seals(ctx context.Context) Check {
	c := Check{Name: "seals", Title: sealsTitle}
	hs, why, err := v.heads(ctx)
	if err != nil {
		return c.broken(err, "")
	}
	if why != "" {
		return c.skipped(why)
	}
	if len(hs.all) == 0 {
		return c.broken(hs.deleted, "")
	}
	res, err := seal.Verify(ctx, seal.VerifyConfig{Store: v.cfg.Store, Heads: hs.all, Key: v.cfg.Key, Cache: v.cfg.Hashes})
	if err != nil {
		return c.broken(err, fmt.Sprintf("%d Siegel davor in Ordnung / %d seals before it intact", len(res.Heads), len(res.Heads)))
	}
	last := res.Heads[len(res.Heads)-1]
	detail := fmt.Sprintf("%d Siegel (Datenbank und %d Kopfdateien), das letzte deckt %d von %d Ereignissen (%s) / %d seals (database and %d heads files), the last covers %d of %d events",
		len(res.Heads), len(v.cfg.Witnesses), last.Size, res.Events, last.Time.Format(time.RFC3339), len(res.Heads), len(v.cfg.Witnesses), last.Size, res.Events)
	if hs.deleted != nil {
		return c.broken(hs.deleted, detail)
	}
	return c.ok(detail)
}

// checkInclusion checks that every event of a stream that the latest head covers is in its tree:
// the leaf computed from the event's record through the stream's chain, proven from the tree
// cache against the signed root. When the cache does not hold the signed tree (deleted or
// damaged), the tree is recomputed from the whole log instead: a missing cache is not a rewrite.
func (v *Verifier) checkInclusion(ctx context.Context, events []eventstore.Event) Check {
	c := Check{Name: "inclusion", Title: "Im letzten Siegel enthalten / included in the latest seal"}
	hs, why, err := v.heads(ctx)
	switch {
	case err != nil:
		return c.broken(err, "")
	case why != "":
		return c.skipped(why)
	case len(hs.all) == 0:
		return c.broken(hs.deleted, "")
	}
	head, err := latest(hs.all, v.cfg.Key)
	if err != nil {
		return c.broken(err, "")
	}
	detail := func(n int, how string) string {
		return fmt.Sprintf("%d von %d Ereignissen im Siegel über %d Ereignisse (%s)%s / %d of %d events in the seal over %d events",
			n, len(events), head.Size, head.Time.Format(time.RFC3339), how, n, len(events), head.Size)
	}
	recomputed := func() Check {
		if _, err := seal.Verify(ctx, seal.VerifyConfig{Store: v.cfg.Store, Heads: hs.all, Key: v.cfg.Key}); err != nil {
			return c.broken(err, "Baum-Cache fehlt oder ist beschädigt, Baum aus dem Protokoll neu berechnet / tree cache missing or damaged, tree recomputed from the log")
		}
		n, how := covered(events, head), ", Baum neu berechnet: Cache fehlt oder beschädigt / tree recomputed: cache missing or damaged"
		return c.ok(detail(n, how))
	}
	if !cacheHolds(v.cfg.Hashes, head) {
		return recomputed()
	}
	n, err := proveEach(events, head, v.cfg.Hashes)
	if err != nil {
		// The cache's root is the signed one, but a tile inside the tree may still be damaged
		// (its root reads only the right edge): the tree recomputed from the log decides.
		if _, verr := seal.Verify(ctx, seal.VerifyConfig{Store: v.cfg.Store, Heads: hs.all, Key: v.cfg.Key}); verr != nil {
			return c.broken(err, "") // the log does not match: the proof's failure names the event
		}
		return c.ok(detail(covered(events, head), ", Baum neu berechnet: Cache beschädigt / tree recomputed: cache damaged"))
	}
	if hs.deleted != nil {
		return c.broken(hs.deleted, detail(n, ""))
	}
	return c.ok(detail(n, ""))
}

// proveEach proves every event that head covers from the cache, with the leaf computed from the
// event's record through its stream's chain (events is the whole stream from version 1).
func proveEach(events []eventstore.Event, head seal.Head, hashes tlog.HashReader) (int, error) {
	var prev eventstore.Hash
	n := 0
	for _, e := range events {
		e.Hash = eventstore.ChainHash(prev, eventstore.EncodeRecord(e))
		prev = e.Hash
		index := int64(e.Position.Commit()) - 1 // leaves are the events in log order from position 1
		if index < 0 || index >= head.Size {
			continue
		}
		proof, err := tlog.ProveRecord(head.Size, index, hashes)
		if err == nil {
			err = tlog.CheckRecord(proof, head.Size, head.Root, index, tlog.RecordHash(seal.LeafData(e)))
		}
		if err != nil {
			return n, &eventstore.IntegrityError{Stream: e.Stream, Version: e.Version, Position: e.Position,
				Problem: fmt.Sprintf("the event is not in the tree of %d events signed at %s (%v): it was rewritten after sealing", head.Size, head.Time.Format(time.RFC3339), err)}
		}
		n++
	}
	return n, nil
}

// cacheHolds reports whether the tree cache holds the tree that head signed.
func cacheHolds(hashes tlog.HashReader, head seal.Head) bool {
	if hashes == nil {
		return false
	}
	root, err := tlog.TreeHash(head.Size, hashes)
	return err == nil && root == head.Root
}

func covered(events []eventstore.Event, head seal.Head) int {
	n := 0
	for _, e := range events {
		if int64(e.Position.Commit()) <= head.Size {
			n++
		}
	}
	return n
}

// latest opens every head and returns the largest.
func latest(signed [][]byte, key note.Verifier) (seal.Head, error) {
	var best seal.Head
	for i, s := range signed {
		h, err := seal.OpenHead(s, key)
		if err != nil {
			return best, fmt.Errorf("head %d: %w", i+1, err)
		}
		if h.Size >= best.Size {
			best = h
		}
	}
	if len(signed) == 0 {
		return best, errors.New("no heads")
	}
	return best, nil
}
