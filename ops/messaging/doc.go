// Package messaging connects the event store to Watermill: a Publisher and a Subscriber over
// eventstore.Store (any adapter), and a Router with civicflow's middleware.
//
// There is no second system and so no dual write. A published message is an event in the store's
// log (type MessageEventType), and the engine's domain events are read from the same log, so an
// event is committed once and reaches the handlers from there. A Subscriber with a ConsumerGroup
// saves the group's checkpoint only after a message is acknowledged: after a crash the last
// messages may come again, but none is lost. Handlers must therefore be idempotent. Never rename a
// consumer group (it names the checkpoint): a new name reads the whole log again.
//
// Topics are categories of streams. A message published to topic "orders" is appended to the
// stream "orders-<id>", id being a name-based UUID of topic and message UUID (so a retry is
// recognised). Subscribing to topic "process" delivers every event of every stream "process-…":
// the engine's domain events, whose streams are named "process-<id>", are read under the topic
// "process" — there is no topic for the whole log ("" is refused), subscribe to each category. A
// domain event arrives with its event ID as UUID, its JSON data as payload and its envelope as
// metadata (MetadataEventType, MetadataStream, MetadataPosition, MetadataCorrelationID, …).
// Categories with a "-" in their name overlap ("a-" is a prefix of "a-b-"): give categories
// names without "-". Do not publish to a topic named like a domain category: the message would
// become a stream of that category, read by its projections.
//
// A typical service wires it like this:
//
//	store, _ := sqlite.New(ctx, sqlite.Config{Path: "./data/civicflow.db"})
//	pub, _ := messaging.NewPublisher(store, messaging.PublisherConfig{})
//	sub, _ := messaging.NewSubscriber(store, messaging.SubscriberConfig{
//		ConsumerGroup: "notify-participants", // never rename: it names the checkpoint
//		Checkpoints:   store.Checkpoints(),
//	})
//	router, _ := messaging.NewRouter(messaging.RouterConfig{PoisonPublisher: pub})
//	router.AddConsumerHandler("notify-participants", "process", sub, func(msg *message.Message) error {
//		if msg.Metadata.Get(messaging.MetadataEventType) != "process.stage_completed" {
//			return nil
//		}
//		return notify(msg.Context(), msg.UUID, msg.Payload) // idempotent: keyed by msg.UUID
//	})
//	err := router.Run(ctx)
//
// Consumers that keep their own checkpoint in their own transaction (projections/runner's read
// models) use Subscriber.Follow through Source instead of a consumer group: it starts after the
// position they give, takes any filter and lets a window of messages be out before they are
// acknowledged, so a batch is acknowledged once it is committed.
//
// The Pub/Sub passes Watermill's universal test suite (pubsub/tests) with consumer groups,
// guaranteed order and persistence; delivery is at least once, not exactly once.
package messaging
