package esdb

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"

	"github.com/civicflow/civicflow/domain/eventstore"
)

// Store is the EventStoreDB event store. Create it with New; it is safe for concurrent use.
type Store struct {
	cfg    Config
	client *esdb.Client
	ids    *idIndex // Find's index of event IDs

	mu     sync.RWMutex
	closed bool
}

var _ eventstore.Store = (*Store)(nil)

// New connects to the server at cfg.URL.
func New(ctx context.Context, cfg Config) (*Store, error) {
	cfg = cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	conf, err := esdb.ParseConnectionString(cfg.URL)
	if err != nil {
		return nil, fmt.Errorf("esdb: URL: %w", err)
	}
	conf.Logger = clientLogging(cfg.Logger)
	client, err := esdb.NewClient(conf)
	if err != nil {
		return nil, fmt.Errorf("esdb: connect: %w", err)
	}
	return &Store{cfg: cfg, client: client, ids: newIDIndex(cfg.FindIndexIDs)}, nil
}

// Close closes the connection; later calls fail with eventstore.ErrClosed.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	return s.client.Close()
}

func (s *Store) isClosed() bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.closed
}

// Append appends events to stream; see eventstore.Store and the package comment.
func (s *Store) Append(ctx context.Context, stream string, expected eventstore.ExpectedVersion, events ...eventstore.EventData) (eventstore.AppendResult, error) {
	events, err := eventstore.ValidateAppend(stream, expected, events, s.cfg.MaxEventBytes)
	if err != nil {
		return eventstore.AppendResult{}, err
	}
	if s.isClosed() {
		return eventstore.AppendResult{}, eventstore.ErrClosed
	}
	for range s.cfg.MaxRetries {
		res, err := s.tryAppend(ctx, stream, expected, events)
		if !errors.Is(err, errConflict) {
			return res, err
		}
		// Another writer came first between reading the head and appending: decide again.
	}
	return eventstore.AppendResult{}, fmt.Errorf("esdb: append to %q: the stream kept moving for %d tries", stream, s.cfg.MaxRetries)
}

func (s *Store) tryAppend(ctx context.Context, stream string, expected eventstore.ExpectedVersion, events []eventstore.EventData) (eventstore.AppendResult, error) {
	head, err := s.head(ctx, stream)
	if err != nil {
		return eventstore.AppendResult{}, err
	}
	if res, decided, err := s.retried(ctx, stream, expected, events, head.Version); decided {
		return res, err
	}
	if !expected.Allows(head.Version) {
		return eventstore.AppendResult{}, &eventstore.ConcurrencyError{Stream: stream, Expected: expected, Actual: head.Version}
	}
	at := s.cfg.Clock().UTC()
	if at.Before(head.RecordedAt) {
		at = head.RecordedAt // recorded-at never goes back within a stream
	}
	proposed := make([]esdb.EventData, len(events))
	prev := head.Hash
	for i, e := range events {
		proposed[i], prev, err = toProposed(stream, head.Version+int64(i)+1, e, at, prev)
		if err != nil {
			return eventstore.AppendResult{}, err
		}
	}
	wr, err := s.client.AppendToStream(ctx, stream, esdb.AppendToStreamOptions{ExpectedRevision: exactAt(head.Version)}, proposed...)
	if err := translate("append to "+stream, err); err != nil {
		return eventstore.AppendResult{}, err
	}
	return eventstore.AppendResult{Version: int64(wr.NextExpectedVersion) + 1,
		Position: eventstore.NewPosition(wr.CommitPosition, wr.PreparePosition)}, nil
}

// head returns the stream's last civicflow event (the zero Event when the stream is empty).
func (s *Store) head(ctx context.Context, stream string) (eventstore.Event, error) {
	last, err := s.ReadStream(ctx, stream, eventstore.ReadStreamOptions{Direction: eventstore.Backwards, Limit: 1})
	if err != nil || len(last) == 0 {
		return eventstore.Event{}, err
	}
	return last[0], nil
}

// retried decides whether the append was recorded before (an idempotent retry) by reading the
// versions where it would stand: after its exact expected version, or at the stream's tail.
func (s *Store) retried(ctx context.Context, stream string, expected eventstore.ExpectedVersion, events []eventstore.EventData, head int64) (eventstore.AppendResult, bool, error) {
	from := head - int64(len(events)) + 1
	if v, ok := expected.IsExact(); ok {
		from = v + 1
	} else if expected.IsNoStream() {
		from = 1
	}
	if from < 1 || from > head {
		return eventstore.AppendResult{}, false, nil
	}
	recorded, err := s.ReadStream(ctx, stream, eventstore.ReadStreamOptions{From: from, Limit: len(events)})
	if err != nil {
		return eventstore.AppendResult{}, true, err
	}
	byID := make(map[[16]byte]eventstore.Event, len(recorded))
	for _, r := range recorded {
		byID[r.ID] = r
	}
	found := make([]*eventstore.Recorded, len(events))
	for i, e := range events {
		if r, ok := byID[e.ID]; ok {
			found[i] = &eventstore.Recorded{Stream: r.Stream, Version: r.Version, Position: r.Position, Record: record(r)}
		}
	}
	return eventstore.DecideRetry(stream, expected, events, found, head)
}

// ReadStream reads one stream's events; see eventstore.Store.
func (s *Store) ReadStream(ctx context.Context, stream string, opts eventstore.ReadStreamOptions) ([]eventstore.Event, error) {
	if err := eventstore.ValidateReadStream(stream, opts); err != nil {
		return nil, err
	}
	if s.isClosed() {
		return nil, eventstore.ErrClosed
	}
	ro := esdb.ReadStreamOptions{Direction: esdb.Forwards, From: esdb.Start{}}
	if opts.Direction == eventstore.Backwards {
		ro.Direction, ro.From = esdb.Backwards, esdb.End{}
	}
	if opts.From > 0 {
		ro.From = esdb.Revision(uint64(opts.From - 1))
	}
	count := uint64(1<<63 - 1)
	if opts.Limit > 0 {
		count = uint64(opts.Limit)
	}
	rs, err := s.client.ReadStream(ctx, stream, ro, count)
	if err := translate("read "+stream, err); err != nil {
		if errors.Is(err, errNotFound) {
			return nil, nil
		}
		return nil, err
	}
	defer rs.Close()
	var out []eventstore.Event
	for {
		re, err := rs.Recv()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err := translate("read "+stream, err); err != nil {
			if errors.Is(err, errNotFound) {
				return nil, nil
			}
			return nil, err
		}
		e, err := fromRecorded(re.Event)
		if errors.Is(err, errNotCivicflow) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
}
