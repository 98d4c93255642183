// Package eventstore is the port to civicflow's source of truth: an append-only log of events,
// grouped into streams, each stream a hash chain.
//
// The package is pure. It defines what a store does (Store), the envelope every recorded event
// carries (Event), the rules for input (ValidateAppend), the canonical record encoding that the
// chain hashes cover (EncodeRecord, DecodeRecord) and the chain check itself (ChainVerifier).
// Adapters for SQLite, PostgreSQL and EventStoreDB live under ops/ and all pass the conformance
// suite in eventstoretest.
//
// A typical write appends with the version the caller last saw, so that a concurrent writer
// makes it fail instead of being overwritten:
//
//	events, _ := store.ReadStream(ctx, "process-42", eventstore.ReadStreamOptions{})
//	version := int64(len(events))
//	_, err := store.Append(ctx, "process-42", eventstore.Exact(version), eventstore.EventData{
//		ID:            eventstore.NewEventID(),
//		Type:          "process.stage_completed",
//		SchemaVersion: 1,
//		Data:          []byte(`{"stage":"tender"}`),
//	})
//	if errors.Is(err, eventstore.ErrConcurrency) {
//		// reload and decide again
//	}
//
// Stream versions start at 1: a stream with n events has version n, and version 0 means the
// stream has no events. Positions in the global log are opaque: store them with
// Position.String and ParsePosition, compare them with Position.Compare, never compute with them.
package eventstore
