// Package storecopy moves a civicflow store from a SQLite file to PostgreSQL ("civicflow store
// copy"): the events with their positions, IDs, records and chain hashes unchanged, the person
// keys, the seals, the snapshots (latest and archived) and the consumers' checkpoints. Read
// models are not copied: they are derived, and the target's runner builds them from the log; nor
// is the Merkle tree's cache (its tiles): the target's first seal rebuilds it in a full pass.
//
//	res, err := storecopy.Copy(ctx, source, target)   // refuses a non-empty target
//	err = storecopy.Verify(ctx, source, target, key)  // chains, seals, counts
//
// Copy writes the target in one transaction that holds the target log's head lock, so a target
// is either untouched or a whole copy, and no instance can append while it runs. The source is
// read as it is: stop the server first, or copy from a backup.
package storecopy
