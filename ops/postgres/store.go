package postgres

import (
	"context"
	"encoding/binary"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/civicflow/civicflow/domain/eventstore"
)

// Store is the PostgreSQL event store. Create it with New; it is safe for concurrent use.
type Store struct {
	cfg    Config
	pool   *pgxpool.Pool
	writer *writer
	notify *notifier
	known  atomic.Uint64 // the highest head this Store committed or was told of (Peers)

	stopFollow context.CancelFunc // ends the Peers' Follow; nil without Peers
	followed   chan struct{}      // closed when Follow returned

	mu     sync.RWMutex // Append holds it shared; Close exclusively, so pending appends finish first
	closed bool
	quit   chan struct{} // closed by Close: ends subscriptions and the key scrubber

	vaultOnce sync.Once
	vault     *Vault
}

var _ eventstore.Store = (*Store)(nil)
var _ eventstore.HeadReader = (*Store)(nil)

// New connects to cfg.URL, creates and migrates the schema when needed, and starts the writer.
func New(ctx context.Context, cfg Config) (*Store, error) {
	cfg = cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	pc, err := pgxpool.ParseConfig(cfg.URL)
	if err != nil {
		return nil, fmt.Errorf("postgres: URL: %w", err)
	}
	pc.MaxConns = int32(cfg.MaxConns)
	pc.ConnConfig.RuntimeParams["search_path"] = cfg.Schema
	pool, err := pgxpool.NewWithConfig(ctx, pc)
	if err != nil {
		return nil, fmt.Errorf("postgres: connect: %w", err)
	}
	s := &Store{cfg: cfg, pool: pool, notify: newNotifier(), quit: make(chan struct{})}
	if err := s.start(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	return s, nil
}

func (s *Store) start(ctx context.Context) error {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("postgres: connect to %s: %w", s.pool.Config().ConnConfig.Host, err)
	}
	if err := migrate(ctx, conn.Conn(), s.cfg.Schema); err != nil {
		conn.Release()
		return err
	}
	s.writer = newWriter(conn, s.cfg, s)
	if s.cfg.Peers != nil {
		var fctx context.Context
		fctx, s.stopFollow = context.WithCancel(context.Background())
		s.followed = make(chan struct{})
		go s.follow(fctx)
	}
	return nil
}

// Pool returns the store's connection pool, for read models and other tables in the same
// database and schema.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// URL returns the connection string the store was opened with.
func (s *Store) URL() string { return s.cfg.URL }

// Schema returns the PostgreSQL schema that holds the store's tables.
func (s *Store) Schema() string { return s.cfg.Schema }

// Append appends events to stream; see eventstore.Store.
func (s *Store) Append(ctx context.Context, stream string, expected eventstore.ExpectedVersion, events ...eventstore.EventData) (eventstore.AppendResult, error) {
	events, err := eventstore.ValidateAppend(stream, expected, events, s.cfg.MaxEventBytes)
	if err != nil {
		return eventstore.AppendResult{}, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return eventstore.AppendResult{}, eventstore.ErrClosed
	}
	return s.writer.append(ctx, stream, expected, events)
}

// Head returns the position of the last event in the log; see eventstore.HeadReader.
func (s *Store) Head(ctx context.Context) (eventstore.Position, error) {
	if s.isClosed() {
		return eventstore.Start, eventstore.ErrClosed
	}
	var head int64
	if err := s.pool.QueryRow(ctx, `SELECT coalesce(max(position), 0) FROM events`).Scan(&head); err != nil {
		return eventstore.Start, fmt.Errorf("postgres: read the log's head: %w", err)
	}
	return eventstore.SequencePosition(uint64(head)), nil
}

// Close waits for pending appends, stops the writer, subscriptions and the Peers' Follow and
// closes the pool.
func (s *Store) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	close(s.quit)
	s.mu.Unlock()
	s.writer.close()
	if s.stopFollow != nil {
		s.stopFollow()
		<-s.followed
	}
	s.pool.Close()
	return nil
}

func (s *Store) isClosed() bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.closed
}

// rowsOf decodes rows of (position, record, hash), at most limit of them (0: unknown), and closes
// them. pgx reuses a row's buffer for the next row: a RecordDecoder copies what the events keep
// into buffers shared by the page's events, and the hash is copied into the event. In the binary
// format (pgx's default for these types) the columns are read from the row's raw values, without
// Scan's per-column conversion; otherwise they are scanned into byte slices.
func rowsOf(rows pgx.Rows, limit int) ([]eventstore.Event, error) {
	defer rows.Close()
	out := make([]eventstore.Event, 0, min(limit, pageEvents))
	var dec eventstore.RecordDecoder
	raw := false
	for rows.Next() {
		if len(out) == 0 {
			raw = rawReadable(rows.FieldDescriptions())
		}
		var row eventstore.StoredRow
		var err error
		if raw {
			row, err = rawRow(rows.RawValues())
		} else {
			row, err = scanRow(rows)
		}
		if err != nil {
			return nil, err
		}
		e, err := row.EventWith(&dec)
		if err != nil {
			return nil, fmt.Errorf("postgres: %w", err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: read events: %w", err)
	}
	return out, nil
}

// rawRow is a row of (position, record, hash) in the binary format; its bytes are the row's.
func rawRow(v [][]byte) (eventstore.StoredRow, error) {
	if len(v[0]) != 8 {
		return eventstore.StoredRow{}, fmt.Errorf("postgres: scan event: position column has %d bytes, not 8", len(v[0]))
	}
	return eventstore.StoredRow{Position: eventstore.SequencePosition(binary.BigEndian.Uint64(v[0])), Record: v[1], Hash: v[2]}, nil
}

// scanRow scans a row of (position, record, hash) in any format into new byte slices.
func scanRow(rows pgx.Rows) (eventstore.StoredRow, error) {
	var pos int64
	var record, hash []byte
	if err := rows.Scan(&pos, &record, &hash); err != nil {
		return eventstore.StoredRow{}, fmt.Errorf("postgres: scan event: %w", err)
	}
	return eventstore.StoredRow{Position: eventstore.SequencePosition(uint64(pos)), Record: record, Hash: hash}, nil
}

// pageEvents is the most events rowsOf makes room for in advance.
const pageEvents = 10_000

// rawReadable reports whether rows of (position, record, hash) come as bigint and bytea in the
// binary format, whose raw values are the big-endian number and the bytes themselves.
func rawReadable(fields []pgconn.FieldDescription) bool {
	want := []uint32{pgtype.Int8OID, pgtype.ByteaOID, pgtype.ByteaOID}
	if len(fields) != len(want) {
		return false
	}
	for i, f := range fields {
		if f.DataTypeOID != want[i] || f.Format != pgx.BinaryFormatCode {
			return false
		}
	}
	return true
}
