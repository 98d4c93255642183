// Package storetest holds the conformance suites of the store parts besides the event log that
// every storage adapter (ops/sqlite, ops/postgres) provides: the key vault, the latest-snapshot
// store, consumers' checkpoints, and the seal and Merkle-tile tables. The event log's own suite is
// domain/eventstore/eventstoretest (with RunArchive for archived snapshots).
//
// An adapter's test calls each suite with a factory that opens a fresh part for one test:
//
//	func TestVaultConformance(t *testing.T) {
//		storetest.RunVault(t, func(t *testing.T) storetest.Vault { return open(t).Vault() },
//			storetest.VaultFeatures{Erased: postgres.ErrErased})
//	}
//
// The suites only use the ports (engine.Vault, eventstore.SnapshotStore, messaging.CheckpointStore,
// seal.SealStore, seal.TileStore), so a part that passes can be wired wherever the port is asked for.
package storetest
