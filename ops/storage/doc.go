// Package storage opens the backend chosen by store.backend and hands out its ports: the event
// store, the vault of personal-data keys, snapshots and their archive, the event consumers'
// checkpoints, the seals with their tree hashes, the read models' database and, where the
// backend has one, a file backup. cmd/civicflow, the composition root, wires everything through
// these ports and never through an adapter's type.
//
//	st, err := storage.Open(ctx, storage.Config{Store: cfg.Store})
//	if err != nil { … }
//	defer st.Close()
//	if err := st.Require(storage.EventStore, storage.Vault, storage.ReadModels); err != nil {
//		return err // names every part the backend does not provide yet
//	}
//	eng, err := engine.New(engine.Config{Store: st.Log, Vault: st.Vault, …})
//
// On store.backend eventstoredb the events are in EventStoreDB and every other part in a
// companion store, a SQLite file or a PostgreSQL schema (OpenCompanion); that log cannot be
// sealed (the part Sealing).
//
// A backend that lacks a part leaves its field nil; Require (or the package function Check,
// before anything is opened) refuses a command that needs it, naming every missing part, so a
// server either has all it needs or does not start.
package storage
