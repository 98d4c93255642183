package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/civicflow/civicflow/domain/eventstore"
)

// ReadStream reads one stream's events; see eventstore.Store.
func (s *Store) ReadStream(ctx context.Context, stream string, opts eventstore.ReadStreamOptions) ([]eventstore.Event, error) {
	if err := eventstore.ValidateReadStream(stream, opts); err != nil {
		return nil, err
	}
	if s.isClosed() {
		return nil, eventstore.ErrClosed
	}
	limit := int64(opts.Limit)
	if limit == 0 {
		limit = -1 // SQLite: no limit
	}
	var rows *sql.Rows
	var err error
	if opts.Direction == eventstore.Backwards {
		from := opts.From
		if from == 0 {
			from = 1<<62 - 1
		}
		rows, err = s.query(ctx, selectEvents+` WHERE l.stream = (SELECT id FROM event_streams WHERE name = ?) AND l.version <= ? ORDER BY l.version DESC LIMIT ?`, stream, from, limit)
	} else {
		rows, err = s.query(ctx, selectEvents+` WHERE l.stream = (SELECT id FROM event_streams WHERE name = ?) AND l.version >= ? ORDER BY l.version LIMIT ?`, stream, opts.From, limit)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: read stream %q: %w", stream, err)
	}
	return scanEvents(rows, 0)
}

// ReadAll reads the global log; see eventstore.Store.
func (s *Store) ReadAll(ctx context.Context, opts eventstore.ReadAllOptions) ([]eventstore.Event, error) {
	if err := eventstore.ValidateReadAll(opts); err != nil {
		return nil, err
	}
	if s.isClosed() {
		return nil, eventstore.ErrClosed
	}
	events, _, err := s.readPage(ctx, opts, false)
	return events, s.damaged("the events after position "+opts.After.String(), err)
}

// readPage reads one page of the global log. With head, it also returns the last position of the
// log as of the same snapshot, so that a filtered reader can move past events it skipped.
func (s *Store) readPage(ctx context.Context, opts eventstore.ReadAllOptions, head bool) ([]eventstore.Event, int64, error) {
	limit := opts.Limit
	if limit == 0 {
		limit = eventstore.DefaultReadAllLimit
	}
	query, args := readAllQuery(opts, limit)
	if !head {
		rows, err := s.query(ctx, query, args...)
		if err != nil {
			return nil, 0, fmt.Errorf("sqlite: read all: %w", err)
		}
		events, err := scanEvents(rows, limit)
		return events, 0, err
	}
	// The statements first: a transaction holds a pooled connection, which preparing may need.
	headStmt, err := s.reads.get(ctx, `SELECT coalesce(max(position), 0) FROM event_log`)
	if err != nil {
		return nil, 0, err
	}
	pageStmt, err := s.reads.get(ctx, query)
	if err != nil {
		return nil, 0, err
	}
	tx, err := s.rdb.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, 0, fmt.Errorf("sqlite: read all: %w", err)
	}
	defer tx.Rollback()
	var last int64
	if err := tx.StmtContext(ctx, headStmt).QueryRowContext(ctx).Scan(&last); err != nil {
		return nil, 0, fmt.Errorf("sqlite: read all: %w", err)
	}
	var rows *sql.Rows
	if pageStmt != nil {
		rows, err = tx.StmtContext(ctx, pageStmt).QueryContext(ctx, args...)
	} else {
		rows, err = tx.QueryContext(ctx, query, args...)
	}
	if err != nil {
		return nil, 0, fmt.Errorf("sqlite: read all: %w", err)
	}
	events, err := scanEvents(rows, limit)
	return events, last, err
}

func readAllQuery(opts eventstore.ReadAllOptions, limit int) (string, []any) {
	if cats, ok := categories(opts.Filter.StreamPrefixes); ok {
		return categoryQuery(cats, opts, limit)
	}
	var b strings.Builder
	b.WriteString(selectEvents + ` WHERE l.position > ?`)
	args := []any{int64(opts.After.Commit())}
	if len(opts.Filter.StreamPrefixes) > 0 {
		b.WriteString(` AND (`)
		for i, p := range opts.Filter.StreamPrefixes {
			if i > 0 {
				b.WriteString(` OR `)
			}
			if upper, ok := prefixUpperBound(p); ok {
				b.WriteString(`(s.name >= ? AND s.name < ?)`)
				args = append(args, p, upper)
			} else {
				b.WriteString(`s.name >= ?`)
				args = append(args, p)
			}
		}
		b.WriteString(`)`)
	}
	args = typeClause(&b, opts.Filter.EventTypes, args)
	b.WriteString(` ORDER BY l.position LIMIT ?`)
	return b.String(), append(args, limit)
}

// selectEvents reads rows of the log with their stream and type names, for scanEvents.
const selectEvents = `SELECT l.position, l.event_id, s.name, l.version, t.name, l.body, l.hash
	FROM event_log l JOIN event_streams s ON s.id = l.stream JOIN event_names t ON t.id = l.type`

// categories reports whether every prefix is a whole category ("token-": one "-", at its end).
func categories(prefixes []string) ([]string, bool) {
	if len(prefixes) == 0 {
		return nil, false
	}
	for _, p := range prefixes {
		if strings.IndexByte(p, '-') != len(p)-1 {
			return nil, false
		}
	}
	return prefixes, true
}

// categoryQuery reads the next events of whole categories through the index
// event_log_category: each category's next events are a seek and a short range, so the
// read costs what it returns, however many events of other categories lie in between. Several
// categories are merged: each contributes at most limit events, the union is ordered and cut.
func categoryQuery(cats []string, opts eventstore.ReadAllOptions, limit int) (string, []any) {
	var b strings.Builder
	var args []any
	one := func(cat string) {
		b.WriteString(selectEvents + ` WHERE l.category = (SELECT id FROM event_names WHERE name = ?) AND l.position > ?`)
		args = append(args, cat, int64(opts.After.Commit()))
		args = typeClause(&b, opts.Filter.EventTypes, args)
		b.WriteString(` ORDER BY l.position LIMIT ?`)
		args = append(args, limit)
	}
	if len(cats) == 1 {
		one(cats[0])
		return b.String(), args
	}
	for i, cat := range cats {
		if i > 0 {
			b.WriteString(` UNION ALL `)
		}
		b.WriteString(`SELECT * FROM (`)
		one(cat)
		b.WriteString(`)`)
	}
	b.WriteString(` ORDER BY position LIMIT ?`)
	return b.String(), append(args, limit)
}

// typeClause adds the event-type condition, if any, and returns the arguments.
func typeClause(b *strings.Builder, types []string, args []any) []any {
	if len(types) == 0 {
		return args
	}
	b.WriteString(` AND t.name IN (?` + strings.Repeat(`, ?`, len(types)-1) + `)`)
	for _, t := range types {
		args = append(args, t)
	}
	return args
}

// prefixUpperBound returns the smallest string greater than every string starting with p, in
// SQLite's binary collation, or false when there is none (p is all 0xff bytes).
func prefixUpperBound(p string) (string, bool) {
	b := []byte(p)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] < 0xff {
			b[i]++
			return string(b[:i+1]), true
		}
	}
	return "", false
}

// scanEvents decodes rows of selectEvents and closes them.
func scanEvents(rows *sql.Rows, capHint int) ([]eventstore.Event, error) {
	defer rows.Close()
	events := make([]eventstore.Event, 0, min(capHint, 16)) // grows as rows come: most pages are short
	for rows.Next() {
		var pos, version int64
		var stream, typ string
		var body []byte
		var id, hash sql.RawBytes // copied into the event
		if err := rows.Scan(&pos, &id, &stream, &version, &typ, &body, &hash); err != nil {
			return nil, fmt.Errorf("sqlite: scan event: %w", err)
		}
		e, err := rowEvent(pos, id, stream, version, typ, body, hash)
		if err != nil {
			return nil, err
		}
		events = append(events, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: read events: %w", err)
	}
	return events, nil
}

// decodeRow turns a stored canonical record into an event.
func decodeRow(pos int64, record, hash []byte) (eventstore.Event, error) {
	e, err := eventstore.DecodeRecord(record)
	return placed(e, err, pos, hash)
}

// placed gives a decoded event its position and hash, checking both.
func placed(e eventstore.Event, err error, pos int64, hash []byte) (eventstore.Event, error) {
	if err != nil {
		return eventstore.Event{}, fmt.Errorf("sqlite: event at position %d: %w", pos, err)
	}
	if len(hash) != len(e.Hash) {
		return eventstore.Event{}, fmt.Errorf("sqlite: event at position %d: stored hash has %d bytes, not %d", pos, len(hash), len(e.Hash))
	}
	if pos < 1 {
		return eventstore.Event{}, fmt.Errorf("sqlite: event at position %d: position out of range", pos)
	}
	copy(e.Hash[:], hash)
	e.Position = eventstore.SequencePosition(uint64(pos))
	return e, nil
}
