package processlist

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/domain/process"
)

// SnapshotStream is the name under which the list keeps its snapshot in a SnapshotStore. It is no
// stream of the log ("$" starts no category), so it never meets a process's snapshot.
const SnapshotStream = "$processlist"

// snapshotSchema changes whenever the list's encoding or a process state's does; a snapshot of
// another schema is ignored and the list built from the log.
const snapshotSchema = 1000 + process.PastSchema // the states as MarshalPast encodes them

// snapshotHeader says after which event of the log the snapshot was taken.
type snapshotHeader struct {
	Position string `json:"position"`
	Stream   string `json:"stream"`
	Version  int64  `json:"version"`
}

// ErrSnapshotDamaged means a saved snapshot could not be decoded.
var ErrSnapshotDamaged = errors.New("processlist: snapshot damaged")

// Save writes the list's state to snaps, tied to the last event it applied (its stream, version,
// position and chain hash), so that Restore can start from it instead of the log's beginning. It
// writes nothing when the list has applied nothing since the last Save or Restore.
func (l *List) Save(ctx context.Context, snaps eventstore.SnapshotStore) error {
	l.mu.RLock()
	last, saved := l.last, l.saved
	if last.Stream == "" || last.Position.Compare(saved) <= 0 {
		l.mu.RUnlock()
		return nil
	}
	data, err := l.encode(last)
	l.mu.RUnlock()
	if err != nil {
		return err
	}
	err = snaps.Save(ctx, SnapshotStream, eventstore.Snapshot{Version: int64(last.Position.Commit()),
		Schema: snapshotSchema, EventHash: last.Hash, RecordedAt: last.RecordedAt, Data: data})
	if err != nil {
		return fmt.Errorf("processlist: save snapshot: %w", err)
	}
	l.mu.Lock()
	if last.Position.Compare(l.saved) > 0 {
		l.saved = last.Position
	}
	l.mu.Unlock()
	return nil
}

// encode writes the header and every process's state; the caller holds l.mu.
func (l *List) encode(last eventstore.Event) ([]byte, error) {
	header, err := json.Marshal(snapshotHeader{Position: last.Position.String(), Stream: last.Stream, Version: last.Version})
	if err != nil {
		return nil, err
	}
	b := binary.AppendUvarint(nil, uint64(len(header)))
	b = append(b, header...)
	b = binary.AppendUvarint(b, uint64(len(l.states)))
	for _, p := range l.states {
		state, err := p.MarshalPast()
		if err != nil {
			return nil, fmt.Errorf("processlist: snapshot of %s: %w", p.ID, err)
		}
		b = binary.AppendUvarint(b, uint64(len(state)))
		b = append(b, state...)
	}
	return b, nil
}

// Restore loads the snapshot Save wrote into an empty list, if it still describes the log: the
// event it was taken after must be in log with the same position and chain hash (a rewritten,
// restored or replaced log makes it useless). It returns how many processes it restored; 0 and no
// error when there is no usable snapshot, and the list then starts from the log's beginning.
func (l *List) Restore(ctx context.Context, snaps eventstore.SnapshotStore, log eventstore.Store) (int, error) {
	snap, ok, err := snaps.Load(ctx, SnapshotStream)
	if err != nil || !ok || snap.Schema != snapshotSchema {
		return 0, err
	}
	header, rest, err := decodeHeader(snap.Data)
	if err != nil {
		return 0, err
	}
	pos, err := eventstore.ParsePosition(header.Position)
	if err != nil {
		return 0, fmt.Errorf("%w: %v", ErrSnapshotDamaged, err)
	}
	evs, err := log.ReadStream(ctx, header.Stream, eventstore.ReadStreamOptions{From: header.Version, Limit: 1})
	if err != nil {
		return 0, err
	}
	if len(evs) != 1 || evs[0].Version != header.Version || evs[0].Position != pos || evs[0].Hash != snap.EventHash {
		return 0, nil // the log is not the one the snapshot was taken of
	}
	states, err := decodeStates(rest)
	if err != nil {
		return 0, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.position.IsZero() {
		return 0, errors.New("processlist: restore into a list that has applied events")
	}
	l.states = states
	l.last = evs[0]
	l.saved = pos
	l.position = pos
	close(l.moved)
	l.moved = make(chan struct{})
	return len(states), nil
}

func decodeHeader(b []byte) (snapshotHeader, []byte, error) {
	var h snapshotHeader
	n, k := binary.Uvarint(b)
	if k <= 0 || n > uint64(len(b)-k) {
		return h, nil, ErrSnapshotDamaged
	}
	if err := json.Unmarshal(b[k:k+int(n)], &h); err != nil {
		return h, nil, fmt.Errorf("%w: %v", ErrSnapshotDamaged, err)
	}
	return h, b[k+int(n):], nil
}

func decodeStates(b []byte) (map[uuid.UUID]*process.Process, error) {
	count, k := binary.Uvarint(b)
	if k <= 0 {
		return nil, ErrSnapshotDamaged
	}
	b = b[k:]
	states := make(map[uuid.UUID]*process.Process, min(count, 1<<20))
	for range count {
		n, k := binary.Uvarint(b)
		if k <= 0 || n > uint64(len(b)-k) {
			return nil, ErrSnapshotDamaged
		}
		p, err := process.UnmarshalSnapshot(b[k : k+int(n)])
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrSnapshotDamaged, err)
		}
		states[p.ID] = p
		b = b[k+int(n):]
	}
	if len(b) != 0 {
		return nil, ErrSnapshotDamaged
	}
	return states, nil
}
