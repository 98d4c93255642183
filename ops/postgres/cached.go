package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/civicflow/civicflow/domain/eventstore"
)

// maxCachedHeads bounds the writer's cache of stream heads; a full cache is emptied.
const maxCachedHeads = 1 << 16

// appendCached is tryCached's statement: it takes log_head's row lock by moving the head on by
// $8 events (only if the log's last recorded-at is not after $9, the batch's), and inserts the
// rows at the positions after the old head ($1 holds them counted from 1). It returns the old
// head, or no row when the recorded-at condition failed (then nothing was written).
const appendCached = `WITH head AS (
		UPDATE log_head SET position = position + $8, last_time = $9
		WHERE id = 1 AND last_time <= $9
		RETURNING position - $8 AS base
	), ins AS (
		INSERT INTO events (position, stream, version, event_id, type, record, hash)
		SELECT head.base + r.position, r.stream, r.version, r.event_id, r.type, r.record, r.hash
		FROM head, unnest($1::bigint[], $2::text[], $3::bigint[], $4::bytea[], $5::text[], $6::bytea[], $7::bytea[])
			AS r(position, stream, version, event_id, type, record, hash)
	)
	SELECT base`

// tryCached commits the batch in one round trip (BEGIN, appendCached, COMMIT), deciding it from
// the heads this writer knows: those of the streams it committed to or looked up, and an empty
// stream for any other. A stale head (another instance appended since, or the stream exists but
// is not cached) or an event ID already recorded makes the INSERT violate the unique index on
// (stream, version) or on event_id; a recorded-at before the log's last one (another instance's
// clock is ahead) makes the statement write nothing. In every such case nothing is committed and
// ok is false: the batch goes to tryLookup, which decides exactly as if this had not been tried.
// So does a batch with a request that the cached heads would refuse (a conflict must name the
// stream's true version) or that names an event ID the batch already records (a retry is decided
// from the recorded events). The positions are assigned under log_head's row lock, as tryLookup's.
func (w *writer) tryCached(ctx context.Context, batch []*appendReq) (head int64, ok bool, err error) {
	now := max(w.cfg.Clock().UTC().UnixNano(), w.lastTime)
	at := time.Unix(0, now).UTC()
	heads := make(map[string]streamHead, len(batch))
	for _, r := range batch {
		if h, ok := w.heads[r.stream]; ok {
			heads[r.stream] = h
		}
	}
	found := make(map[[16]byte]*eventstore.Recorded)
	var cols eventColumns
	var pos int64 // counted from 1 within the batch
	for _, r := range batch {
		if pos, ok = w.decide(r, heads, found, pos, at, true); !ok {
			return 0, false, nil
		}
		for _, row := range r.rows {
			cols.add(row)
		}
	}
	if pos == 0 {
		return 0, true, nil // every request had ended
	}
	conn := w.conn.Conn()
	b := &pgx.Batch{}
	b.Queue(`BEGIN`)
	query := appendCached + ` FROM head`
	args := []any{cols.position, cols.stream, cols.version, cols.eventID, cols.typ, cols.record, cols.hash, pos, now}
	if w.channel != "" {
		query = appendCached + `, pg_notify($10, (base + $8)::text)::text FROM head`
		args = append(args, w.channel)
	}
	var base int64
	moved := true
	b.Queue(query, args...).QueryRow(func(row pgx.Row) error {
		var ignored any
		dest := []any{&base}
		if w.channel != "" {
			dest = append(dest, &ignored)
		}
		err := row.Scan(dest...)
		if errors.Is(err, pgx.ErrNoRows) {
			moved = false
			return nil
		}
		return err
	})
	b.Queue(`COMMIT`)
	if err := conn.SendBatch(ctx, b).Close(); err != nil {
		conn.Exec(ctx, `ROLLBACK`) // the failed statement left the transaction open and aborted
		// 23505: unique_violation, a stale head or a recorded event ID
		if pgErr := (*pgconn.PgError)(nil); errors.As(err, &pgErr) && pgErr.Code == "23505" {
			return 0, false, nil
		}
		return 0, false, fmt.Errorf("insert events: %w", err)
	}
	if !moved { // an empty transaction was committed
		return 0, false, nil
	}
	for _, r := range batch {
		if r.err == nil {
			r.res.Position = eventstore.SequencePosition(uint64(base) + r.res.Position.Commit())
		}
	}
	w.lastTime = now
	w.remember(batch, heads)
	return base + pos, true, nil
}

// remember caches the heads of the batch's streams after a commit (heads: the batch's streams as
// they are now; a stream missing from it is empty).
func (w *writer) remember(batch []*appendReq, heads map[string]streamHead) {
	if len(w.heads)+len(batch) > maxCachedHeads {
		clear(w.heads)
	}
	for _, r := range batch {
		if h, ok := heads[r.stream]; ok {
			w.heads[r.stream] = h
		} else {
			delete(w.heads, r.stream)
		}
	}
}
