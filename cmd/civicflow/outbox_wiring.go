package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/civicflow/civicflow/config"
	"github.com/civicflow/civicflow/ops/messaging"
	"github.com/civicflow/civicflow/ops/metrics"
	"github.com/civicflow/civicflow/ops/natsbus"
	"github.com/civicflow/civicflow/ops/notify"
	"github.com/civicflow/civicflow/ops/storage"
)

// notifyOutbox returns the NATS outbox of the webhooks and e-mail when cluster.notify is "nats"
// on PostgreSQL and either is configured: the holder of the notify lease forwards the events
// they tell to it, and every instance delivers from it. Otherwise nil: the lease holder delivers
// from the log itself.
func notifyOutbox(cfg config.Config) (*natsbus.Outbox, error) {
	if cfg.Store.Backend != storage.Postgres || cfg.Cluster.Notify != config.NotifyNATS ||
		(cfg.Notify.WebhooksFile == "" && cfg.Notify.MailFile == "") {
		return nil, nil
	}
	o, err := natsbus.NewOutbox(natsbus.OutboxConfig{URL: cfg.Cluster.NATS.URL, Stream: "civicflow_outbox_" + cfg.Store.Postgres.Schema})
	if err != nil {
		return nil, &config.KeyError{Key: "cluster.nats.url", Err: err}
	}
	return o, nil
}

// notifyHandlers are the configured notification handlers by name (notify.Handler,
// notify.MailHandler): the names of their consumer groups, NATS queues and dead letters.
func notifyHandlers(hooks *notify.Webhooks, mail *notify.Mailer) map[string]message.NoPublishHandlerFunc {
	h := map[string]message.NoPublishHandlerFunc{}
	if hooks != nil {
		h[notify.Handler] = hooks.Handle
	}
	if mail != nil {
		h[notify.MailHandler] = mail.Handle
	}
	return h
}

// forwardPatience is how long a forwarder tries to hand an event to NATS before the router's
// retries and then its dead letters take over.
const forwardPatience = time.Minute

// forwardNotify adds to the lease holder's router, for each configured handler, a handler of the
// same name and consumer group (the checkpoint direct delivery kept, so that switching to NATS
// neither repeats nor skips a notification) that puts each event it tells on the handler's queue.
func forwardNotify(router *message.Router, st *storage.Storage, outbox *natsbus.Outbox, hooks *notify.Webhooks, mail *notify.Mailer) (func(), error) {
	var closers []func()
	for name := range notifyHandlers(hooks, mail) {
		sub, err := messaging.NewSubscriber(st.Log, messaging.SubscriberConfig{ConsumerGroup: name, Checkpoints: st.Checkpoints})
		if err != nil {
			return nil, err
		}
		router.AddConsumerHandler(name, "process", sub, func(msg *message.Message) error {
			e, err := messaging.EventOf(msg)
			if err != nil {
				return err
			}
			if _, told, err := notify.DeliveryOf(e); err != nil || !told {
				return err
			}
			return forward(msg.Context(), outbox, name, msg)
		})
		closers = append(closers, func() { sub.Close() })
	}
	return func() {
		for _, c := range closers {
			c()
		}
	}, nil
}

// forward publishes msg to the handler's queue, trying again every second for forwardPatience
// while NATS does not take it.
func forward(ctx context.Context, outbox *natsbus.Outbox, handler string, msg *message.Message) error {
	deadline := time.Now().Add(forwardPatience)
	for {
		err := outbox.Publish(handler, msg)
		if err == nil || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return errors.Join(err, ctx.Err())
		case <-time.After(time.Second):
		}
	}
}

// startOutboxDelivery runs, on every instance, a router whose handlers deliver the webhooks and
// e-mail from their NATS queues (each message by one instance), with the router's retries and
// the log's dead letters as without NATS.
func startOutboxDelivery(a *app, outbox *natsbus.Outbox, m *metrics.Metrics, log *slog.Logger, hooks *notify.Webhooks, mail *notify.Mailer) (func(), error) {
	handlers := notifyHandlers(hooks, mail)
	if outbox == nil || len(handlers) == 0 {
		return func() {}, nil
	}
	return startRouter(a.store.Log, nil, m, log, func(r *message.Router) (func(), error) {
		for name, handle := range handlers {
			sub, err := outbox.Subscriber(name)
			if err != nil {
				return nil, fmt.Errorf("notify over NATS: %w", err)
			}
			r.AddConsumerHandler(name, outbox.Subject(name), sub, handle)
		}
		return func() {}, nil
	})
}
