// Package eventstoretest is the conformance suite that every eventstore.Store adapter runs.
//
// An adapter's test calls Run with a factory that opens a store, and the Features it has:
//
//	func TestConformance(t *testing.T) {
//		eventstoretest.Run(t, func(t *testing.T, clock func() time.Time) eventstore.Store {
//			s, err := sqlite.New(ctx, sqlite.Config{Path: filepath.Join(t.TempDir(), "db"), Clock: clock})
//			if err != nil { t.Fatal(err) }
//			t.Cleanup(func() { s.Close() })
//			return s
//		}, eventstoretest.Features{IdempotentAny: true, GlobalEventIDs: true})
//	}
//
// Every test works in streams of its own (a random prefix), so the suite also runs against a
// shared server whose log holds other data.
package eventstoretest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/google/uuid"
)

// Factory opens a fresh store for one test. It registers the store's Close with t.Cleanup. The
// store must take recorded-at times from clock.
type Factory func(t *testing.T, clock func() time.Time) eventstore.Store

// Features says what an adapter can do, so that the suite asks no more of it.
type Features struct {
	// IdempotentAny: an append with Any whose events are already recorded is recognised as a
	// retry. EventStoreDB does not guarantee this.
	IdempotentAny bool
	// GlobalEventIDs: an event ID is unique across all streams, not only within one.
	GlobalEventIDs bool
	// MaxEventBytes is the event size limit the factory configures; 0 means the default (1 MiB).
	MaxEventBytes int
}

// FixedTime is the time the suite's clock reports.
var FixedTime = time.Date(2025, 3, 1, 11, 0, 0, 123456789, time.UTC)

// Run runs the whole conformance suite.
func Run(t *testing.T, newStore Factory, f Features) {
	if f.MaxEventBytes == 0 {
		f.MaxEventBytes = eventstore.DefaultMaxEventBytes
	}
	h := &harness{newStore: newStore, features: f}
	tests := []struct {
		name string
		fn   func(t *testing.T, h *harness)
	}{
		{"appends_and_reads_back_the_whole_envelope", testEnvelope},
		{"applies_expected_version_rules", testExpectedVersion},
		{"conflict_error_names_stream_expected_and_actual", testConflictError},
		{"lets_exactly_one_concurrent_appender_win_each_version", testConcurrentAppenders},
		{"one_conflict_does_not_fail_its_neighbours", testNeighbours},
		{"recognises_idempotent_retries_and_writes_nothing", testIdempotentRetry},
		{"refuses_a_reused_event_id_with_other_content", testReusedID},
		{"appends_a_batch_atomically", testAtomicBatch},
		{"rejects_bad_input_and_writes_nothing", testBadInput},
		{"reads_streams_forwards_and_backwards_with_limits", testReadStream},
		{"reads_the_global_log_in_order_with_filters", testReadAll},
		{"finds_recorded_event_ids_of_a_stream", testFind},
		{"reads_rare_categories_past_many_other_events", testSparseCategories},
		{"every_event_of_a_page_keeps_its_own_data", testPageData},
		{"subscription_delivers_history_then_live_events_in_order", testSubscriptionOrder},
		{"subscription_resumes_after_a_checkpoint", testSubscriptionResume},
		{"subscription_applies_filters", testSubscriptionFilter},
		{"verify_accepts_an_honest_log", testVerify},
		{"refuses_work_after_close", testClosed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, h) })
	}
}

type harness struct {
	newStore Factory
	features Features
}

// open returns a fresh store and a stream prefix of the test's own.
func (h *harness) open(t *testing.T) (eventstore.Store, string) {
	t.Helper()
	s := h.newStore(t, func() time.Time { return FixedTime })
	return s, "t" + uuid.NewString()[:8] + "-"
}

func ctxFor(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// event makes a valid event with a ~300-byte payload.
func event(typ string, n int) eventstore.EventData {
	return eventstore.EventData{
		ID:            eventstore.NewEventID(),
		Type:          typ,
		SchemaVersion: 1,
		Data:          fmt.Appendf(nil, `{"n":%d,"text":%q}`, n, filler),
		Metadata:      eventstore.Metadata{Tenant: "leipzig", Actor: "anna", CommandID: uuid.NewString()},
	}
}

const filler = "Die Bürgerinnen und Bürger gestalten ihre Stadt mit: Werkstatt, Planspiel und Online-Dialog. " +
	"Citizens shape their town: workshop, planning game and online dialogue. Ergebnisse werden veröffentlicht."

func events(typ string, n int) []eventstore.EventData {
	out := make([]eventstore.EventData, n)
	for i := range out {
		out[i] = event(typ, i)
	}
	return out
}

func mustAppend(t *testing.T, s eventstore.Store, stream string, exp eventstore.ExpectedVersion, evs ...eventstore.EventData) eventstore.AppendResult {
	t.Helper()
	res, err := s.Append(ctxFor(t), stream, exp, evs...)
	if err != nil {
		t.Fatalf("append to %s: %v", stream, err)
	}
	return res
}

func readStream(t *testing.T, s eventstore.Store, stream string) []eventstore.Event {
	t.Helper()
	evs, err := s.ReadStream(ctxFor(t), stream, eventstore.ReadStreamOptions{})
	if err != nil {
		t.Fatalf("read %s: %v", stream, err)
	}
	return evs
}

// readPrefix reads every event of the test's streams from the global log.
func readPrefix(t *testing.T, s eventstore.Store, prefix string) []eventstore.Event {
	t.Helper()
	var all []eventstore.Event
	after := eventstore.Start
	for {
		page, err := s.ReadAll(ctxFor(t), eventstore.ReadAllOptions{After: after, Limit: 500,
			Filter: eventstore.Filter{StreamPrefixes: []string{prefix}}})
		if err != nil {
			t.Fatalf("read all: %v", err)
		}
		all = append(all, page...)
		if len(page) < 500 {
			return all
		}
		after = page[len(page)-1].Position
	}
}

func ids(evs []eventstore.Event) []uuid.UUID {
	out := make([]uuid.UUID, len(evs))
	for i, e := range evs {
		out[i] = e.ID
	}
	return out
}

func checkOrdered(t *testing.T, evs []eventstore.Event) {
	t.Helper()
	for i := 1; i < len(evs); i++ {
		if evs[i].Position.Compare(evs[i-1].Position) <= 0 {
			t.Fatalf("event %d at position %s does not follow position %s", i, evs[i].Position, evs[i-1].Position)
		}
	}
}
