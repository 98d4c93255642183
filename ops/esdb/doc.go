// Package esdb is civicflow's event store on EventStoreDB (EventStore-Client-Go v4).
//
//	s, err := esdb.New(ctx, esdb.Config{URL: "esdb://127.0.0.1:2113?tls=false"})
//
// Each civicflow event is one EventStoreDB event: the same event ID (derived from the command by
// the engine, so the server recognises a retried append), type and JSON data; the user metadata
// holds the envelope EventStoreDB has no place for — schema version, recorded-at time from the
// injected clock, tenant, actor, correlation, causation and command IDs — and the chain hash.
// Version N is EventStoreDB revision N-1; positions are $all's commit and prepare positions.
//
// The chain hash covers the previous event's hash, so an append reads its stream's last event
// and appends with that exact revision; when another writer came first and the caller allowed
// any version, it reads again and retries. Expected versions map to EventStoreDB's: Any, NoStream,
// StreamExists, and Exact(v) to revision v-1 (Exact(0) to NoStream). The server's idempotency
// holds for exact revisions, not for Any (Features.IdempotentAny is false), and event IDs are
// unique per stream only (Features.GlobalEventIDs is false). Errors are translated at this
// boundary; esdb.FromError is called on the raw error (its ok is false for every error).
package esdb
