package storage

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Part is one port a backend may provide.
type Part string

// The parts, in the order messages list them.
const (
	EventStore  Part = "event store"
	Vault       Part = "vault"
	Snapshots   Part = "snapshots"
	Archive     Part = "snapshot archive"
	Checkpoints Part = "checkpoints"
	Seals       Part = "seals"
	ReadModels  Part = "read models"
	Backup      Part = "file backup"
	// Sealing is a log the sealer can build its Merkle tree over: its events numbered 1, 2, 3, …
	// by their positions (workflows/seal). Seals, the part, is the table of signed heads and the
	// tiles, which verification and the reports read.
	Sealing Part = "sealing"
)

// Parts lists every part, in order.
var Parts = []Part{EventStore, Vault, Snapshots, Archive, Checkpoints, Seals, Sealing, ReadModels, Backup}

// Serve is what "civicflow serve" needs: everything but the file backup and sealing (which
// audit.seal_interval: 0 turns off; the configuration refuses another value on a backend that
// cannot be sealed).
var Serve = []Part{EventStore, Vault, Snapshots, Archive, Checkpoints, Seals, ReadModels}

// provided is what each backend provides today; a test checks it against what Open sets.
var provided = map[string][]Part{
	SQLite:       Parts,
	Postgres:     append(slices.Clone(Serve), Sealing),
	EventStoreDB: Serve,
}

// why says why a backend lacks a part, where a reason helps the reader choose.
var why = map[string]map[Part]string{
	Postgres: {Backup: "pg_dump and pg_restore copy a PostgreSQL schema"},
	EventStoreDB: {
		Sealing: "the seals number the log's events 1, 2, 3, … by their positions, and EventStoreDB's $all positions are byte offsets",
		Backup:  "EventStoreDB's own backup copies the events, sqlite3 .backup or pg_dump the companion store",
	},
}

// Provides returns the parts the backend provides, in order.
func Provides(backend string) []Part { return slices.Clone(provided[backend]) }

// ErrNotProvided is matched (errors.Is) by a *MissingError.
var ErrNotProvided = errors.New("storage: a part is not provided by the backend")

// MissingError says which parts a command needs that its backend does not provide.
type MissingError struct {
	// Backend is the store.backend.
	Backend string
	// Parts are the missing parts, in the order of Parts.
	Parts []Part
}

// Error names the backend and every missing part, with the reason where one is known, in
// German and English.
func (e *MissingError) Error() string {
	var reasons []string
	for _, p := range e.Parts {
		if r := why[e.Backend][p]; r != "" {
			reasons = append(reasons, string(p)+": "+r)
		}
	}
	because := ""
	if len(reasons) > 0 {
		because = " (" + strings.Join(reasons, "; ") + ")"
	}
	return fmt.Sprintf("%s stellt noch nicht bereit / does not provide yet: %s%s; "+
		"nichts wurde gestartet oder geschrieben / nothing was started or written "+
		"(store.backend: sqlite provides every part; see the README, Choosing a backend)",
		describe(e.Backend), joinParts(e.Parts), because)
}

// Is reports whether target is ErrNotProvided.
func (e *MissingError) Is(target error) bool { return target == ErrNotProvided }

// Check reports, before anything is opened, a *MissingError naming every part of needed that
// backend does not provide; nil when it provides them all.
func Check(backend string, needed ...Part) error {
	return missing(backend, needed, func(p Part) bool { return slices.Contains(provided[backend], p) })
}

// Require reports a *MissingError naming every part of needed that s does not provide.
func (s *Storage) Require(needed ...Part) error {
	return missing(s.Backend, needed, s.has)
}

// has reports whether s provides p.
func (s *Storage) has(p Part) bool {
	switch p {
	case EventStore:
		return s.Log != nil
	case Vault:
		return s.Vault != nil
	case Snapshots:
		return s.Snapshots != nil
	case Archive:
		return s.Archive != nil
	case Checkpoints:
		return s.Checkpoints != nil
	case Seals:
		return s.Seals != nil && s.Tiles != nil
	case Sealing:
		return s.Seals != nil && s.Tiles != nil && s.Log != nil && s.sealable
	case ReadModels:
		return s.ReadModels != nil
	case Backup:
		return s.SQLite != nil
	}
	return false
}

func missing(backend string, needed []Part, has func(Part) bool) error {
	var out []Part
	for _, p := range Parts {
		if slices.Contains(needed, p) && !has(p) {
			out = append(out, p)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return &MissingError{Backend: backend, Parts: out}
}
