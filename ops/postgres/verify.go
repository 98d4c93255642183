package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/civicflow/civicflow/domain/eventstore"
)

// Verify checks the whole log: positions contiguous from 1 up to the recorded head, every row's
// columns equal to its record, and every stream's hash chain. It returns the first problem as an
// *eventstore.IntegrityError, or another error when the database cannot be read.
func (s *Store) Verify(ctx context.Context) error {
	if s.isClosed() {
		return eventstore.ErrClosed
	}
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return fmt.Errorf("postgres: verify: %w", err)
	}
	defer tx.Rollback(ctx)
	var head int64
	if err := tx.QueryRow(ctx, `SELECT position FROM log_head WHERE id = 1`).Scan(&head); err != nil {
		return &eventstore.IntegrityError{Problem: "the log head record is missing: " + err.Error()}
	}
	rows, err := tx.Query(ctx, `SELECT position, stream, version, event_id, type, record, hash FROM events ORDER BY position`)
	if err != nil {
		return fmt.Errorf("postgres: verify: %w", err)
	}
	defer rows.Close()
	chain := eventstore.NewChainVerifier()
	var n int64
	for rows.Next() {
		var r eventstore.StoredRow
		var pos int64
		if err := rows.Scan(&pos, &r.Stream, &r.Version, &r.EventID, &r.Type, &r.Record, &r.Hash); err != nil {
			return fmt.Errorf("postgres: verify: %w", err)
		}
		r.Position = eventstore.SequencePosition(uint64(pos))
		if want := n + 1; pos != want {
			return &eventstore.IntegrityError{Position: eventstore.SequencePosition(uint64(want)),
				Problem: fmt.Sprintf("the global log has a gap: position %d is missing (the next event is at %d)", want, pos)}
		}
		if err := r.Check(chain); err != nil {
			return err
		}
		n++
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("postgres: verify: %w", err)
	}
	if n != head {
		return &eventstore.IntegrityError{Position: eventstore.SequencePosition(uint64(n)),
			Problem: fmt.Sprintf("the log ends at position %d, but position %d was committed: events at the end are missing", n, head)}
	}
	return nil
}
