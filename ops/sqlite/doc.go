// Package sqlite is civicflow's embedded event store: one SQLite file (modernc.org/sqlite, no
// cgo) in WAL mode, durable when an append is acknowledged.
//
// Appends from many goroutines are committed together (group commit): one writer goroutine takes
// every append that is waiting, checks each against its stream's version, writes all that pass in
// one transaction and answers each caller on its own, so one conflict does not fail its
// neighbours. Readers use a pool of read-only connections and see only committed events.
// Subscribers are woken when a transaction commits and, for writers in other processes, by polling.
//
//	store, err := sqlite.New(ctx, sqlite.Config{Path: "./data/civicflow.db"})
//	if err != nil { ... }
//	defer store.Close()
//
// The schema is created and migrated by the program (numbered migrations, see schema.go).
package sqlite
