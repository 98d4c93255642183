// Package natsbus carries civicflow's messages between instances over NATS JetStream, through
// Watermill's NATS Pub/Sub (github.com/ThreeDotsLabs/watermill-nats/v2).
//
// Heads is the postgres.Peers of NATS: each instance announces the log's head after its commits
// on one subject, and every instance follows the subject with an ordered consumer of its own, so
// that its subscriptions wake at once instead of at their next poll:
//
//	heads, err := natsbus.NewHeads(natsbus.HeadsConfig{URL: "nats://127.0.0.1:4222", Topic: "civicflow_heads_leipzig"})
//	store, err := postgres.New(ctx, postgres.Config{URL: dbURL, Peers: heads})
//	defer heads.Close() // after store.Close
//
// A head is worth something only to an instance that is running: the stream keeps them in memory
// for a minute, and a restarted instance reads the log from its checkpoints anyway. Messages that
// must survive a restart use durable consumers on file-backed streams; JetStream then needs
// sync_interval: always on the server (see the README), or an acknowledged message can be lost.
package natsbus
