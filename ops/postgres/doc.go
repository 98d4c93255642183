// Package postgres is civicflow's event store on PostgreSQL (pgx v5, pooled), for installations
// that outgrow one machine: several civicflow instances share one database.
//
//	s, err := postgres.New(ctx, postgres.Config{URL: "postgres://civicflow@db/civicflow"})
//	res, err := s.Append(ctx, "process-…", eventstore.NoStream, events...)
//
// The global log never skips: an append takes the row lock of log_head for its transaction,
// assigns the next positions under it and commits, so transactions commit in position order and a
// reader of "position > N" can never see N+1 before N (the bug class of marten#4952 and
// watermill#311, where sequence order is not commit order). Appends of one Store are group
// committed: one writer goroutine takes every waiting append and commits them in one transaction,
// so the lock costs one commit per batch, not per append. Every instance's appends serialise on
// the same lock, so expected versions keep them consistent.
//
// The records, chain hashes, idempotency rules and integrity checks are the same as the SQLite
// adapter's (domain/eventstore); both pass the conformance suite eventstoretest.
//
// Besides the log, the store holds what the SQLite file holds, with the same method sets: the key
// vault (Vault; crypto-shredding rewrites the key table so that no key byte stays in its files),
// snapshots (Snapshots), archived snapshots (Archive), consumers' checkpoints (Checkpoints), and
// the seals and the Merkle tree's tiles (Seals, MerkleTiles: seal.TileStore). Both adapters pass the suites of
// ops/storetest for them.
package postgres
