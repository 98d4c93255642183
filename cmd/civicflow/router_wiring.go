package main

import (
	"context"
	"errors"
	"log/slog"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/ops/messaging"
	"github.com/civicflow/civicflow/ops/metrics"
	"github.com/civicflow/civicflow/projections/processlist"
)

// processListHandler names the router handler that feeds the process list. It has no consumer
// group: the list is in memory, restored at start from its own snapshot (or built from the
// beginning of the log), and the handler's subscription starts after the list's position.
const processListHandler = "processlist"

// startRouter runs a Watermill router of serve, with its Prometheus metrics on m: the process list
// (unless nil) is fed event by event from the topic "process"; extra adds further handlers (e.g.
// the webhooks) and returns what closes them. It returns once the router runs, with the function that stops it
// (before the store closes).
func startRouter(store eventstore.Store, list *processlist.List, m *metrics.Metrics, log *slog.Logger, extra ...func(*message.Router) (func(), error)) (stop func(), err error) {
	var wlog watermill.LoggerAdapter = watermill.NewSlogLoggerWithLevelMapping(log, map[slog.Level]slog.Level{slog.LevelInfo: slog.LevelDebug})
	if !log.Enabled(context.Background(), slog.LevelDebug) {
		wlog = quiet{wlog}
	}
	pub, err := messaging.NewPublisher(store, messaging.PublisherConfig{})
	if err != nil {
		return nil, err
	}
	// Without a consumer group: the list keeps its own position (restored from its snapshot).
	var after eventstore.Position
	if list != nil {
		after = list.Position()
	}
	sub, err := messaging.NewSubscriber(store, messaging.SubscriberConfig{Logger: wlog, After: after})
	if err != nil {
		return nil, errors.Join(err, pub.Close())
	}
	router, err := messaging.NewRouter(messaging.RouterConfig{PoisonPublisher: pub, Logger: wlog})
	if err != nil {
		return nil, errors.Join(err, sub.Close(), pub.Close())
	}
	m.InstrumentRouter(router)
	if list != nil {
		router.AddConsumerHandler(processListHandler, "process", sub, func(msg *message.Message) error {
			e, err := messaging.EventOf(msg)
			if err != nil {
				return err
			}
			list.Apply(e)
			return nil
		})
	}
	var closers []func()
	for _, add := range extra {
		closer, err := add(router)
		if err != nil {
			return nil, errors.Join(err, sub.Close(), pub.Close())
		}
		closers = append(closers, closer)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := router.Run(context.Background()); err != nil {
			log.Error("router stopped", "err", err)
		}
	}()
	select {
	case <-router.Running():
	case <-done:
		return nil, errors.Join(errors.New("the router did not start"), sub.Close(), pub.Close())
	}
	return func() {
		if err := router.Close(); err != nil {
			log.Warn("router close", "err", err)
		}
		<-done
		for _, c := range closers {
			c()
		}
		sub.Close()
		pub.Close()
	}, nil
}

// quiet drops Watermill's per-message Trace and Debug logs before their fields are converted
// (which the slog adapter does even when the level is off: a few per cent of a message's cost).
type quiet struct{ watermill.LoggerAdapter }

func (quiet) Debug(string, watermill.LogFields) {}
func (quiet) Trace(string, watermill.LogFields) {}

func (q quiet) With(fields watermill.LogFields) watermill.LoggerAdapter {
	return quiet{q.LoggerAdapter.With(fields)}
}
