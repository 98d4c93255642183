package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/ops/groupcommit"
)

// writer owns the one write connection. A single goroutine (run) takes waiting appends in
// batches and commits each batch in one transaction (group commit).
type writer struct {
	conn   *sql.Conn
	insert *sql.Stmt
	headQ  *sql.Stmt // a stream's last version and hash
	dv     *sql.Stmt // PRAGMA data_version
	cfg    Config
	notify *notifier
	tail   *tail
	reqs   chan *appendReq
	done   chan struct{}

	// State valid while no other connection writes (checked with PRAGMA data_version).
	dataVersion int64
	heads       map[string]streamHead // cache of stream heads; reset when too large or stale
	names       map[string]int64      // cache of event_names (types and categories); reset with heads
	lastPos     int64                 // last global position; -1 when unknown
	lastTime    atomic.Int64          // last recorded-at, Unix nanoseconds (appenders read it)

	// The events the last attempt inserted after position prev, for the tail.
	prev    int64
	written []eventstore.Event

	batches, appends atomic.Int64 // committed transactions and the appends they decided
	events           atomic.Int64 // events written by those transactions
	reencoded        atomic.Int64 // events the writer encoded again (prepared.fit)
}

// streamHead is the version and hash of a stream's last event, and the stream's numbers in
// event_streams (id 0: the stream has no row yet) and event_names (its category).
type streamHead struct {
	id, category int64
	version      int64
	hash         eventstore.Hash
}

// maxCachedHeads bounds the stream head cache.
const maxCachedHeads = 100_000

type appendReq struct {
	ctx      context.Context
	stream   string
	expected eventstore.ExpectedVersion
	events   []eventstore.EventData
	at       int64      // recorded-at read before queueing, Unix nanoseconds
	prepared []prepared // events encoded with at and the versions expected implies
	reply    chan struct{}

	careful bool // look up existing event IDs before inserting (set after a constraint failure)
	decided bool // res/err are final for this attempt
	wrote   bool // the attempt inserted events
	res     eventstore.AppendResult
	err     error
}

// constraintFailure tells commitBatch to retry the batch with request index handled carefully.
type constraintFailure struct{ index int }

func (c *constraintFailure) Error() string { return "constraint failure" }

func newWriter(ctx context.Context, conn *sql.Conn, cfg Config, n *notifier, t *tail) (*writer, error) {
	var stmts [3]*sql.Stmt
	for i, q := range []string{
		`INSERT INTO event_log (position, stream, version, category, type, event_id, body, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		`SELECT s.id, s.category, l.version, l.hash FROM event_streams s LEFT JOIN event_log l
			ON l.stream = s.id AND l.version = (SELECT max(version) FROM event_log WHERE stream = s.id) WHERE s.name = ?`,
		`PRAGMA data_version`,
	} {
		st, err := conn.PrepareContext(ctx, q)
		if err != nil {
			return nil, fmt.Errorf("sqlite: prepare %q: %w", q, err)
		}
		stmts[i] = st
	}
	w := &writer{
		conn: conn, insert: stmts[0], headQ: stmts[1], dv: stmts[2], cfg: cfg, notify: n, tail: t,
		reqs: make(chan *appendReq, cfg.MaxBatch), done: make(chan struct{}),
		heads: make(map[string]streamHead), names: make(map[string]int64), lastPos: -1, dataVersion: -1,
	}
	go w.run()
	return w, nil
}

func (w *writer) append(ctx context.Context, stream string, expected eventstore.ExpectedVersion, events []eventstore.EventData) (eventstore.AppendResult, error) {
	at := max(w.cfg.Clock().UnixNano(), w.lastTime.Load())
	r := &appendReq{ctx: ctx, stream: stream, expected: expected, events: events, at: at,
		prepared: prepare(stream, expected, events, at), reply: make(chan struct{})}
	select {
	case w.reqs <- r:
	case <-ctx.Done():
		return eventstore.AppendResult{}, ctx.Err()
	}
	// Once queued, wait for the answer even if ctx ends: the append may be committing.
	<-r.reply
	return r.res, r.err
}

// close stops the writer after the queued appends; the caller guarantees no new ones arrive.
func (w *writer) close() error {
	close(w.reqs)
	<-w.done
	return errors.Join(w.insert.Close(), w.headQ.Close(), w.dv.Close(), w.conn.Close())
}

func (w *writer) run() {
	defer close(w.done)
	batch := make([]*appendReq, 0, w.cfg.MaxBatch)
	linger := time.NewTimer(time.Hour)
	linger.Stop()
	var recent [8]int // sizes of the last batches
	for i := 0; ; i++ {
		r, ok := <-w.reqs
		if !ok {
			return
		}
		// Appenders whose previous append was just answered need a moment to send their next one:
		// while the batch is smaller than the largest recent one, wait up to maxLinger for them. A
		// lone appender (recent batches of one) never waits; when concurrency drops, at most the
		// next eight batches wait in vain.
		batch = groupcommit.Gather(w.reqs, append(batch[:0], r), w.cfg.MaxBatch, slices.Max(recent[:]), maxLinger, linger)
		recent[i%len(recent)] = len(batch)
		w.commitBatch(batch)
	}
}

// maxLinger is the longest the writer waits for more appends before it commits a batch. A commit
// (WAL write and fsync) costs about a millisecond here and dominates the writer's time, so waiting
// up to that long for the appenders of recent batches pays. Measured with 64 concurrent appenders
// (BenchmarkGroupCommitVsCeiling): no linger ~35 appends per transaction; waiting for the previous
// batch's size ~54; for the largest of the last eight batches ~63, and 78–83 % of the raw ceiling.
const maxLinger = time.Millisecond

// commitBatch commits one batch, retrying without the surprise when a request hits a constraint
// (an event ID recorded before), and answers every request.
func (w *writer) commitBatch(batch []*appendReq) {
	var err error
	for attempt := 0; attempt <= len(batch); attempt++ {
		err = w.tryBatch(batch)
		var cf *constraintFailure
		if !errors.As(err, &cf) {
			break
		}
		batch[cf.index].careful = true
	}
	if err == nil {
		w.batches.Add(1)
		w.appends.Add(int64(len(batch)))
		for _, r := range batch {
			if r.wrote {
				w.events.Add(int64(len(r.events)))
			}
		}
	}
	wrote := false
	for _, r := range batch {
		if err != nil { // nothing of the batch was committed
			r.res, r.err = eventstore.AppendResult{}, fmt.Errorf("sqlite: append to %q: %w", r.stream, storageError(err))
		}
		wrote = wrote || (err == nil && r.wrote)
		close(r.reply)
	}
	if wrote {
		w.tail.add(w.prev, w.written)
		w.notify.broadcast()
	}
}

// tryBatch runs one attempt: every request is decided in one transaction, which is committed.
func (w *writer) tryBatch(batch []*appendReq) (err error) {
	ctx := context.Background()
	tx, err := w.conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tx.Rollback()
			w.forget()
		}
	}()
	if err := w.syncState(ctx, tx); err != nil {
		return err
	}
	overlay := make(map[string]streamHead)
	pos := w.lastPos
	w.prev, w.written = pos, w.written[:0]
	last := w.lastTime.Load() // the recorded-at of the log's last event
	insert := tx.StmtContext(ctx, w.insert)
	var headQ *sql.Stmt // w.headQ in tx, prepared by w.head at the first stream it does not know
	for i, r := range batch {
		r.decided, r.wrote, r.res, r.err = false, false, eventstore.AppendResult{}, nil
		if err := r.ctx.Err(); err != nil {
			r.decided, r.err = true, err
			continue
		}
		head, err := w.head(ctx, tx, &headQ, r.stream, overlay)
		if err != nil {
			return err
		}
		if r.careful || !r.expected.Allows(head.version) {
			done, err := decideExisting(ctx, tx, r, head)
			if err != nil {
				return err
			}
			if done {
				continue
			}
			if !r.expected.Allows(head.version) {
				r.decided, r.err = true, &eventstore.ConcurrencyError{Stream: r.stream, Expected: r.expected, Actual: head.version}
				continue
			}
		}
		if head.id == 0 {
			if head, err = w.newStream(ctx, tx, r.stream); err != nil {
				return err
			}
		}
		// Recorded-at never decreases in position order: an append read the clock before an
		// earlier one in the log did, or the clock went back.
		last = max(r.at, last)
		for j, e := range r.events {
			pos++
			p, again := r.prepared[j].fit(r.stream, e, head.version+1, last)
			if again {
				w.reencoded.Add(1)
			}
			hash := eventstore.ChainHash(head.hash, p.rec)
			typ, err := w.nameID(ctx, tx, e.Type)
			if err != nil {
				return err
			}
			if _, err := insert.ExecContext(ctx, pos, head.id, p.version, head.category, typ, e.ID[:], p.body, hash[:]); err != nil {
				if isConstraint(err) && !r.careful {
					return &constraintFailure{index: i}
				}
				return err
			}
			head.version, head.hash = p.version, hash
			w.written = append(w.written, tailEvent(r.stream, e, p, pos, hash))
		}
		overlay[r.stream] = head
		r.decided, r.wrote = true, true
		r.res = eventstore.AppendResult{Version: head.version, Position: eventstore.SequencePosition(uint64(pos))}
	}
	if pos != w.lastPos {
		if _, err := tx.ExecContext(ctx, `UPDATE log_head SET position = ? WHERE id = 1`, pos); err != nil {
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	w.lastPos = pos
	w.lastTime.Store(last)
	if len(w.heads)+len(overlay) > maxCachedHeads {
		clear(w.heads)
	}
	for k, v := range overlay {
		w.heads[k] = v
	}
	return nil
}

// syncState drops the cached state when another connection has appended events since our last
// look. Other connections also commit checkpoints and keys (which change PRAGMA data_version
// too); every event commit moves log_head, so an unchanged log_head keeps the cache.
func (w *writer) syncState(ctx context.Context, tx *sql.Tx) error {
	var dv int64
	if err := tx.StmtContext(ctx, w.dv).QueryRowContext(ctx).Scan(&dv); err != nil {
		return err
	}
	if dv == w.dataVersion && w.lastPos >= 0 {
		return nil
	}
	w.dataVersion = dv
	var head int64
	if err := tx.QueryRowContext(ctx, `SELECT position FROM log_head WHERE id = 1`).Scan(&head); err != nil {
		return err
	}
	if w.lastPos >= 0 && head == w.lastPos {
		return nil // only checkpoints, keys or snapshots were written
	}
	w.forget()
	return tx.QueryRowContext(ctx, `SELECT coalesce(max(position), 0) FROM event_log`).Scan(&w.lastPos)
}

func (w *writer) forget() {
	clear(w.heads)
	clear(w.names)
	w.lastPos = -1
}

// head returns the stream's head from overlay, the cache or the database. For the database it
// prepares w.headQ in tx into *headQ once per transaction: Tx.StmtContext prepares a statement
// of a sql.Conn again at every call, and a batch of appends to new streams (ops/messaging's
// publisher appends each message to a stream of its own) looked each one up.
func (w *writer) head(ctx context.Context, tx *sql.Tx, headQ **sql.Stmt, stream string, overlay map[string]streamHead) (streamHead, error) {
	if h, ok := overlay[stream]; ok {
		return h, nil
	}
	if h, ok := w.heads[stream]; ok {
		return h, nil
	}
	var h streamHead
	var version sql.NullInt64
	var hash []byte
	if *headQ == nil {
		*headQ = tx.StmtContext(ctx, w.headQ)
	}
	err := (*headQ).QueryRowContext(ctx, stream).Scan(&h.id, &h.category, &version, &hash)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return streamHead{}, nil
	case err != nil:
		return h, err
	case !version.Valid:
		return h, nil // numbered, without events (written through the events view, then removed)
	}
	h.version = version.Int64
	switch {
	case len(hash) != len(h.hash):
		return h, fmt.Errorf("sqlite: stream %q version %d: stored hash has %d bytes", stream, h.version, len(hash))
	}
	copy(h.hash[:], hash)
	return h, nil
}

// newStream numbers a stream (and its category) in event_streams; the head of a stream without
// events.
func (w *writer) newStream(ctx context.Context, tx *sql.Tx, stream string) (streamHead, error) {
	cat, err := w.nameID(ctx, tx, category(stream))
	if err != nil {
		return streamHead{}, err
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO event_streams (name, category) VALUES (?, ?)`, stream, cat)
	if err != nil {
		return streamHead{}, err
	}
	id, err := res.LastInsertId()
	return streamHead{id: id, category: cat}, err
}

// nameID returns the number of a type or category in event_names, adding it when new.
func (w *writer) nameID(ctx context.Context, tx *sql.Tx, name string) (int64, error) {
	if id, ok := w.names[name]; ok {
		return id, nil
	}
	var id int64
	err := tx.QueryRowContext(ctx, `SELECT id FROM event_names WHERE name = ?`, name).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		var res sql.Result
		if res, err = tx.ExecContext(ctx, `INSERT INTO event_names (name) VALUES (?)`, name); err == nil {
			id, err = res.LastInsertId()
		}
	}
	if err != nil {
		return 0, err
	}
	if len(w.names) >= maxCachedHeads {
		clear(w.names)
	}
	w.names[name] = id
	return id, nil
}

// category is a stream's category as event_streams numbers it: the name up to and including its
// first "-" (empty without one), as migration 8 numbered the categories of earlier streams.
func category(stream string) string {
	return stream[:strings.IndexByte(stream, '-')+1]
}
