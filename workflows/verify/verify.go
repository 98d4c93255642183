// Package verify checks that a store's record is complete and untampered, for auditors: the hash
// chains, the continuity of the global log, the signed seals, and that every read model agrees
// with a fresh replay of the log — for the whole store or for one process. It runs the checks of
// the store adapter, the seal package and the projection runner and gathers their outcomes in a
// Report that names the first problem precisely (stream, version, position; read model, table,
// row, column).
//
//	v, _ := verify.New(verify.Config{Store: store, Live: store.ProjectionReadDB(), Scratch: scratch, ReadModels: models})
//	rep := v.Store(ctx)         // or v.Process(ctx, id)
//	if !rep.OK { fmt.Println(rep.First().Problem) }
package verify

import (
	"context"
	"errors"
	"fmt"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/projections/runner"
)

// Config configures a Verifier.
type Config struct {
	// Store is the event log. Required.
	Store eventstore.Store
	// Log checks the whole log's chains and continuity and says how many events and streams it
	// covered (ops/sqlite's VerifyLog also checks the log's recorded end). Default: every
	// stream's chain over ReadAll with a ChainVerifier.
	Log func(ctx context.Context) (events int64, streams int, err error)
	// Heads returns the signed tree heads, smallest first. Optional: without it, or without
	// Key, the seals are not checked (the report says so).
	Heads func(ctx context.Context) ([][]byte, error)
	// Witnesses are heads kept outside the database (heads files: the server's, auditors').
	// Optional. They are checked with the database's heads; a witness holding heads of more
	// sizes than the database means seals were deleted (broken).
	Witnesses []Witness
	// SealInterval is how often the log should be sealed. Optional: with it, Clock and Key, a
	// database without seals whose log began more than SealInterval ago is broken, not skipped.
	SealInterval time.Duration
	// Clock is the time now, for SealInterval. Optional.
	Clock func() time.Time
	// Hashes are the tree's stored hashes (a cache, never trusted): one process's inclusion
	// proofs, and naming the first differing leaf. Optional: without it the tree is recomputed.
	Hashes tlog.HashReader
	// Key is the public key the heads are signed with. Optional.
	Key note.Verifier
	// ReadModels are the read models compared with a replay. Optional.
	ReadModels []runner.Projection
	// Live reads the read models' tables (a query-only pool). Required with ReadModels.
	Live runner.DB
	// Dialect is the SQL dialect of Live and Scratch. Default SQLite.
	Dialect runner.Dialect
	// Scratch opens an empty database for one replay and returns the function that discards
	// it (ops/sqlite's OpenScratch). Required with ReadModels.
	Scratch func() (runner.DB, func() error, error)
}

// Validate reports every problem of the configuration at once.
func (c Config) Validate() error {
	var errs []error
	if c.Store == nil {
		errs = append(errs, errors.New("verify: Store is required"))
	}
	if len(c.ReadModels) > 0 && (c.Live == nil || c.Scratch == nil) {
		errs = append(errs, errors.New("verify: Live and Scratch are required to compare read models"))
	}
	return errors.Join(errs...)
}

// Verifier runs the checks. It is safe for concurrent use.
type Verifier struct {
	cfg Config
}

// New returns a verifier.
func New(cfg Config) (*Verifier, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &Verifier{cfg: cfg}, nil
}

// Store checks the whole store: the log (chains and continuity), the seals, and every read model.
func (v *Verifier) Store(ctx context.Context) Report {
	rep := Report{Scope: "store"}
	rep.add(v.checkLog(ctx))
	rep.add(v.Seals(ctx))
	for _, p := range v.cfg.ReadModels {
		rep.add(v.checkReadModel(ctx, p, ""))
	}
	return rep.done()
}

func (v *Verifier) checkLog(ctx context.Context) Check {
	c := Check{Name: "log", Title: "Hash-Ketten und globales Protokoll / hash chains and global log"}
	var events int64
	var streams int
	var err error
	if v.cfg.Log != nil {
		events, streams, err = v.cfg.Log(ctx)
	} else {
		events, streams, err = chains(ctx, v.cfg.Store)
	}
	if err != nil {
		return c.broken(err, fmt.Sprintf("%d Ereignisse davor in Ordnung / %d events before it intact", events, events))
	}
	return c.ok(fmt.Sprintf("%d Ereignisse in %d Strömen lückenlos verkettet / %d events in %d streams, chains and log intact", events, streams, events, streams))
}

// chains checks every stream's chain over the global log, in order.
func chains(ctx context.Context, s eventstore.Store) (int64, int, error) {
	chain := eventstore.NewChainVerifier()
	var n int64
	err := eventstore.Each(ctx, s, eventstore.Filter{}, func(e eventstore.Event) error {
		if err := chain.Check(e); err != nil {
			return err
		}
		n++
		return nil
	})
	return n, chain.Streams(), err
}
