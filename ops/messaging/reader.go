package messaging

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/civicflow/civicflow/domain/eventstore"
)

// reader is one subscription: it delivers the topic's messages to out, one at a time.
type reader struct {
	s          *Subscriber
	ctx        context.Context   // ends with the caller's context or Close
	stop       func()            // releases ctx
	topic      string            // "" for a Follow: every event of filter, as it was recorded
	filter     eventstore.Filter // what the store subscription selects
	window     int               // messages delivered ahead of the acknowledgements (Follow); 0: one at a time
	checkpoint string            // "" without a consumer group
	logger     watermill.LoggerAdapter
	sub        eventstore.Subscription
	last       eventstore.Position // the last message acknowledged (or the checkpoint loaded)
	out        chan *message.Message
}

func (s *Subscriber) newReader(ctx context.Context, topic string) (*reader, error) {
	ctx, cancel := context.WithCancel(ctx)
	stopAfter := context.AfterFunc(s.ctx, cancel)
	r := &reader{
		s: s, ctx: ctx, stop: func() { stopAfter(); cancel() }, topic: topic,
		filter: eventstore.Filter{StreamPrefixes: []string{eventstore.CategoryPrefix(topic)}},
		logger: s.logger.With(watermill.LogFields{"topic": topic}),
		out:    make(chan *message.Message),
		last:   s.cfg.After,
	}
	if s.cfg.ConsumerGroup != "" {
		r.checkpoint = s.cfg.ConsumerGroup + "/" + topic
		pos, err := s.cfg.Checkpoints.Load(ctx, r.checkpoint)
		if err != nil {
			r.stop()
			return nil, fmt.Errorf("messaging: subscribe to topic %q: load checkpoint %q: %w", topic, r.checkpoint, err)
		}
		r.last = pos
	}
	sub, err := r.subscribe()
	if err != nil {
		r.stop()
		return nil, fmt.Errorf("messaging: subscribe to topic %q: %w", topic, err)
	}
	r.sub = sub
	return r, nil
}

func (r *reader) subscribe() (eventstore.Subscription, error) {
	return r.s.store.Subscribe(r.ctx, eventstore.SubscribeOptions{After: r.last, Filter: r.filter})
}

func (r *reader) run() {
	defer close(r.out)
	defer r.stop()
	defer func() { r.sub.Close() }()
	for {
		e, err := r.sub.Next(r.ctx)
		switch {
		case r.ctx.Err() != nil || errors.Is(err, eventstore.ErrClosed):
			return
		case err != nil:
			r.logger.Error("Reading the store failed; subscribing again", err, watermill.LogFields{"after": r.last.String(), "retry_in": r.s.cfg.RetryDelay})
			if !r.resubscribe() {
				return
			}
			continue
		case e.Type == MessageEventType && !isMessageOf(e, r.topic):
			continue // a message of another topic with this one as prefix
		}
		msg, err := decodeMessage(e)
		if err != nil { // deliver what there is rather than stall or skip
			r.logger.Error("Cannot decode a published message; delivering the raw event", err, watermill.LogFields{"position": e.Position.String()})
			msg = eventMessage(e)
		}
		if !r.deliver(msg, e.Position) {
			return
		}
	}
}

// resubscribe replaces a failed subscription by one after the last acknowledged message, waiting
// RetryDelay before each attempt. It returns false when the reader ends meanwhile.
func (r *reader) resubscribe() bool {
	r.sub.Close()
	for {
		if !sleep(r.ctx, r.s.cfg.RetryDelay) {
			return false
		}
		sub, err := r.subscribe()
		if err == nil {
			r.sub = sub
			return true
		}
		if errors.Is(err, eventstore.ErrClosed) {
			return false
		}
		r.logger.Error("Subscribing again failed", err, nil)
	}
}

// deliver hands msg out until it is acknowledged, again after every Nack. It returns false when the
// reader ends first.
func (r *reader) deliver(msg *message.Message, pos eventstore.Position) bool {
	for {
		ctx, cancel := context.WithCancel(r.ctx)
		msg.SetContext(ctx)
		select {
		case r.out <- msg:
		case <-r.ctx.Done():
			cancel()
			return false
		}
		select {
		case <-msg.Acked():
			cancel()
			r.acked(pos)
			return true
		case <-msg.Nacked():
			cancel()
			if !sleep(r.ctx, r.s.cfg.NackResendDelay) {
				return false
			}
			msg = msg.Copy() // a message is acknowledged once; deliver a fresh one
		case <-r.ctx.Done():
			cancel() // tells the handler; a handler that finishes anyway is waited for
			if r.checkpoint != "" && r.ackedBeforeEnd(msg) {
				r.acked(pos)
			}
			return false
		}
	}
}

// ackedBeforeEnd waits up to CloseWait, as the subscription ends, for the handler of msg to
// acknowledge or nack it, and reports whether it acknowledged it.
func (r *reader) ackedBeforeEnd(msg *message.Message) bool {
	wait := time.NewTimer(max(r.s.cfg.CloseWait, 0))
	defer wait.Stop()
	select {
	case <-msg.Acked():
		return true
	case <-msg.Nacked():
		return false
	case <-wait.C:
		select {
		case <-msg.Acked():
			return true
		default:
			return false
		}
	}
}

// acked records that the message at pos was acknowledged: for a consumer group, the checkpoint is
// saved (even when the subscription is ending) before the next message is delivered. A failed
// save is logged and the delivery goes on: the checkpoint stays behind, so after a restart more
// messages come again, but none is lost, and the next save catches up.
func (r *reader) acked(pos eventstore.Position) {
	r.last = pos
	if r.checkpoint == "" {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.ctx), checkpointSaveTimeout)
	defer cancel()
	err := r.s.cfg.Checkpoints.Save(ctx, r.checkpoint, pos)
	if err == nil {
		return
	}
	if saved, lerr := r.s.cfg.Checkpoints.Load(ctx, r.checkpoint); lerr == nil && saved.Compare(pos) >= 0 {
		r.logger.Debug("Another subscription of the group is further; its checkpoint stays", watermill.LogFields{"position": pos.String(), "saved": saved.String()})
		return
	}
	r.logger.Error("Saving the checkpoint failed; messages since the last saved one will come again after a restart", err, watermill.LogFields{"checkpoint": r.checkpoint, "position": pos.String()})
}

// sleep waits for d or until ctx ends; it reports whether d passed.
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
