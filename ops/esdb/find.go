package esdb

import (
	"container/list"
	"context"
	"sync"

	"github.com/google/uuid"

	"github.com/civicflow/civicflow/domain/eventstore"
)

// findPage is how many events Find reads at a time.
const findPage = 1000

// Find reports which of ids are recorded in stream; see eventstore.Store. EventStoreDB has no
// lookup of an event by its ID, so the Store keeps an index of the event IDs of the streams it
// looked into lately (Config.FindIndexIDs): the first Find on a stream reads it once from its
// start, a later one only the events appended since. A stream longer than the whole index, or
// every stream when the index is off, is read backwards, newest first, until every ID is found.
func (s *Store) Find(ctx context.Context, stream string, ids ...uuid.UUID) (map[uuid.UUID]int64, error) {
	if err := eventstore.ValidateFind(stream, ids); err != nil {
		return nil, err
	}
	if s.isClosed() {
		return nil, eventstore.ErrClosed
	}
	return s.ids.find(ctx, stream, ids, func(ctx context.Context, opts eventstore.ReadStreamOptions) ([]eventstore.Event, error) {
		return s.ReadStream(ctx, stream, opts)
	})
}

// readFunc reads part of the stream Find looks into.
type readFunc func(ctx context.Context, opts eventstore.ReadStreamOptions) ([]eventstore.Event, error)

// idIndex maps the event IDs of recently searched streams to their versions, at most max IDs in
// all; the stream searched longest ago is dropped first. Streams are append-only, so what it
// holds stays true; it only ever lacks the events appended since it last read a stream.
type idIndex struct {
	max int // 0: off

	mu      sync.Mutex
	streams map[string]*list.Element // → *streamIDs, in order of use (front: latest)
	order   list.List
	total   int
}

// streamIDs is what idIndex knows of one stream: its events' IDs up to a version, or (upTo -1)
// that it is too long to index.
type streamIDs struct {
	stream string
	upTo   int64 // versions 1…upTo are in ids; -1: too long
	ids    map[uuid.UUID]int64
}

func newIDIndex(max int) *idIndex {
	return &idIndex{max: max, streams: map[string]*list.Element{}}
}

// find answers Find for one stream with read.
func (x *idIndex) find(ctx context.Context, stream string, ids []uuid.UUID, read readFunc) (map[uuid.UUID]int64, error) {
	if x.max <= 0 {
		return findBackwards(ctx, ids, read)
	}
	seen, upTo := x.known(stream)
	if upTo < 0 {
		return findBackwards(ctx, ids, read) // too long to index
	}
	from := upTo + 1
	fresh := map[uuid.UUID]int64{}
	for {
		page, err := read(ctx, eventstore.ReadStreamOptions{From: from, Limit: findPage})
		if err != nil {
			return nil, err
		}
		for _, e := range page {
			fresh[e.ID] = e.Version
			from = e.Version + 1
		}
		if len(page) < findPage {
			break
		}
	}
	if found, ok := x.answer(stream, seen, from-1, fresh, ids); ok {
		return found, nil
	}
	return findBackwards(ctx, ids, read) // the stream's entry was dropped meanwhile
}

// known returns the index's entry of stream and how far it holds the stream (-1: too long to
// index); nil and 0 when there is none.
func (x *idIndex) known(stream string) (*streamIDs, int64) {
	x.mu.Lock()
	defer x.mu.Unlock()
	el, ok := x.streams[stream]
	if !ok {
		return nil, 0
	}
	x.order.MoveToFront(el)
	s := el.Value.(*streamIDs)
	return s, s.upTo
}

// answer returns those of ids the stream holds, from fresh (its IDs after the entry seen, up to
// version end; from its start when seen is nil) and the entry, and adds fresh to the index.
// It fails when seen is no longer the stream's entry: what it held is not at hand.
func (x *idIndex) answer(stream string, seen *streamIDs, end int64, fresh map[uuid.UUID]int64, ids []uuid.UUID) (map[uuid.UUID]int64, bool) {
	x.mu.Lock()
	defer x.mu.Unlock()
	var s *streamIDs
	if el, ok := x.streams[stream]; ok {
		s = el.Value.(*streamIDs)
	}
	if seen != nil && s != seen {
		return nil, false
	}
	found := make(map[uuid.UUID]int64, len(ids))
	for _, id := range ids {
		if v, ok := fresh[id]; ok {
			found[id] = v
		} else if s != nil {
			if v, ok := s.ids[id]; ok {
				found[id] = v
			}
		}
	}
	if s != nil && s.upTo < 0 {
		return found, true // marked too long by another Find meanwhile
	}
	if s == nil {
		s = &streamIDs{stream: stream, ids: map[uuid.UUID]int64{}}
		x.streams[stream] = x.order.PushFront(s)
	}
	for id, v := range fresh {
		if _, ok := s.ids[id]; !ok {
			s.ids[id] = v
			x.total++
		}
	}
	s.upTo = max(s.upTo, end)
	if len(s.ids) > x.max {
		x.drop(x.streams[stream])
		x.streams[stream] = x.order.PushFront(&streamIDs{stream: stream, upTo: -1}) // too long: read backwards from now on
	}
	for x.total > x.max {
		x.drop(x.order.Back())
	}
	return found, true
}

// drop removes a stream's entry from the index.
func (x *idIndex) drop(el *list.Element) {
	s := el.Value.(*streamIDs)
	x.total -= len(s.ids)
	x.order.Remove(el)
	delete(x.streams, s.stream)
}

// findBackwards reads the stream newest first (a retried command is mostly a recent one) until
// every ID is found: its cost grows with the distance of the oldest ID from the stream's end.
func findBackwards(ctx context.Context, ids []uuid.UUID, read readFunc) (map[uuid.UUID]int64, error) {
	want := make(map[uuid.UUID]bool, len(ids))
	for _, id := range ids {
		want[id] = true
	}
	found := map[uuid.UUID]int64{}
	from := int64(0) // the end
	for {
		page, err := read(ctx, eventstore.ReadStreamOptions{Direction: eventstore.Backwards, From: from, Limit: findPage})
		if err != nil {
			return nil, err
		}
		for _, e := range page {
			if want[e.ID] {
				found[e.ID] = e.Version
			}
		}
		if len(found) == len(want) || len(page) < findPage || page[len(page)-1].Version <= 1 {
			return found, nil
		}
		from = page[len(page)-1].Version - 1
	}
}
