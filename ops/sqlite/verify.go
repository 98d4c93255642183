package sqlite

import (
	"context"
	"fmt"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/google/uuid"
)

// Verify checks the whole log: positions contiguous from 1 up to the recorded head, every row's
// columns equal to its record, and every stream's hash chain. It returns the first problem as an
// *eventstore.IntegrityError, or another error when the database cannot be read.
func (s *Store) Verify(ctx context.Context) error {
	_, err := s.VerifyLog(ctx)
	return err
}

// VerifyResult says what a verification covered.
type VerifyResult struct {
	// Events is how many events were checked.
	Events int64
	// Streams is how many streams were checked.
	Streams int
}

// VerifyLog is Verify that also reports how much it checked (up to the first problem). A file
// SQLite cannot read is a *DamageError naming the first position it could not read.
func (s *Store) VerifyLog(ctx context.Context) (res VerifyResult, err error) {
	if s.isClosed() {
		return res, eventstore.ErrClosed
	}
	defer func() {
		if err != nil {
			err = s.damaged(fmt.Sprintf("the log from position %d on", res.Events+1), err)
		}
	}()
	tx, err := s.rdb.BeginTx(ctx, nil)
	if err != nil {
		return res, fmt.Errorf("sqlite: verify: %w", err)
	}
	defer tx.Rollback()
	var head int64
	if err := tx.QueryRowContext(ctx, `SELECT position FROM log_head WHERE id = 1`).Scan(&head); err != nil {
		return res, &eventstore.IntegrityError{Problem: "the log head record is missing: " + err.Error()}
	}
	rows, err := tx.QueryContext(ctx, `SELECT l.position, coalesce(s.name, ''), l.version, l.event_id, coalesce(t.name, ''), l.body, l.hash
		FROM event_log l LEFT JOIN event_streams s ON s.id = l.stream LEFT JOIN event_names t ON t.id = l.type ORDER BY l.position`)
	if err != nil {
		return res, fmt.Errorf("sqlite: verify: %w", err)
	}
	defer rows.Close()
	chain := eventstore.NewChainVerifier()
	defer func() { res.Streams = chain.Streams() }()
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.pos, &r.stream, &r.version, &r.eventID, &r.typ, &r.record, &r.hash); err != nil {
			return res, fmt.Errorf("sqlite: verify: %w", err)
		}
		if want := res.Events + 1; r.pos != want {
			return res, &eventstore.IntegrityError{Position: eventstore.SequencePosition(uint64(want)),
				Problem: fmt.Sprintf("the global log has a gap: position %d is missing (the next event is at %d)", want, r.pos)}
		}
		if err := r.check(chain); err != nil {
			return res, err
		}
		res.Events++
		if res.Events%4096 == 0 {
			eventstore.ReportProgress(ctx, res.Events)
		}
	}
	if err := rows.Err(); err != nil {
		return res, fmt.Errorf("sqlite: verify: %w", err)
	}
	if res.Events != head {
		return res, &eventstore.IntegrityError{Position: eventstore.SequencePosition(uint64(res.Events)),
			Problem: fmt.Sprintf("the log ends at position %d, but position %d was committed: events at the end are missing", res.Events, head)}
	}
	return res, nil
}

type row struct {
	pos, version int64
	stream, typ  string
	eventID      []byte
	record, hash []byte // record: the stored body (compact or raw)
}

func (r row) check(chain *eventstore.ChainVerifier) error {
	at := func(problem string) error {
		return &eventstore.IntegrityError{Stream: r.stream, Version: r.version, Position: eventstore.SequencePosition(uint64(r.pos)), Problem: problem}
	}
	rec, err := rebuildRecord(r.eventID, r.stream, r.version, r.typ, r.record)
	if err != nil {
		return at("the stored record is damaged: " + err.Error())
	}
	e, err := decodeRow(r.pos, rec, r.hash)
	if err != nil {
		return at("the stored record is damaged: " + err.Error())
	}
	id, err := uuid.FromBytes(r.eventID)
	switch {
	case err != nil || id != e.ID:
		return at("the event_id column differs from the stored record")
	case e.Stream != r.stream:
		return at(fmt.Sprintf("the stream column differs from the stored record (%q)", e.Stream))
	case e.Version != r.version:
		return at(fmt.Sprintf("the version column differs from the stored record (%d)", e.Version))
	case e.Type != r.typ:
		return at(fmt.Sprintf("the type column differs from the stored record (%q)", e.Type))
	}
	return chain.Check(e)
}
