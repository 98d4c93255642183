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

// DefaultFollowWindow is FollowOptions.Window's default.
const DefaultFollowWindow = 1000

// FollowOptions say where a Follow starts and what it delivers.
type FollowOptions struct {
	// After is the position after which delivery starts (exclusive); eventstore.Start: the
	// beginning. The caller keeps its own checkpoint: a Follow keeps none.
	After eventstore.Position
	// Filter selects the events; empty selects the whole log.
	Filter eventstore.Filter
	// Window is how many messages may be delivered ahead of their acknowledgements, so that a
	// consumer can take a batch and acknowledge it after committing it. Default
	// DefaultFollowWindow; 1: one at a time, like Subscribe.
	Window int
}

// Follow delivers the events that match opts.Filter after opts.After, in log order, as messages
// made from the events (the envelope in the metadata, the data as payload; EventOf reads them
// back) — published messages too, undecoded. It is for consumers that keep their own checkpoint,
// e.g. a read model that commits its checkpoint with its changes: the Subscriber must have no
// consumer group.
//
// Up to opts.Window messages are out at once. A Nack, or a failure to read the store, rewinds:
// delivery goes on after the last message of the unbroken run of acknowledged ones, so messages
// delivered before may come again (at least once, never a gap, always in order). A Nack takes
// effect once every message delivered before it has been answered (acknowledged or not), so a
// consumer must answer every message it takes. The channel is
// closed when ctx ends, the Subscriber is closed or the store is closed.
func (s *Subscriber) Follow(ctx context.Context, opts FollowOptions) (<-chan *message.Message, error) {
	if s.cfg.ConsumerGroup != "" {
		return nil, fmt.Errorf("messaging: Follow: the subscriber has consumer group %q; a Follow keeps no checkpoint, its caller does", s.cfg.ConsumerGroup)
	}
	if opts.Window < 0 {
		return nil, fmt.Errorf("messaging: Follow: Window %d is negative", opts.Window)
	}
	if opts.Window == 0 {
		opts.Window = DefaultFollowWindow
	}
	if err := s.enter(); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	stopAfter := context.AfterFunc(s.ctx, cancel)
	r := &reader{
		s: s, ctx: ctx, stop: func() { stopAfter(); cancel() },
		filter: opts.Filter, window: opts.Window, last: opts.After,
		logger: s.logger.With(watermill.LogFields{"follow_after": opts.After.String()}),
		out:    make(chan *message.Message),
	}
	sub, err := r.subscribe()
	if err != nil {
		r.stop()
		s.subs.Done()
		return nil, fmt.Errorf("messaging: follow: %w", err)
	}
	r.sub = sub
	go func() {
		defer s.subs.Done()
		r.runWindow()
	}()
	return r.out, nil
}

// item is what the pump reads from the store subscription.
type item struct {
	e   eventstore.Event
	err error
}

// outstanding is a message delivered and not yet acknowledged.
type outstanding struct {
	msg *message.Message
	pos eventstore.Position
}

// runWindow delivers with a window until the reader ends, rewinding after a Nack or a failed read.
func (r *reader) runWindow() {
	defer close(r.out)
	defer r.stop()
	for {
		wait, again := r.deliverWindow()
		r.sub.Close()
		if !again {
			return
		}
		for {
			if !sleep(r.ctx, wait) {
				return
			}
			sub, err := r.subscribe()
			if err == nil {
				r.sub = sub
				break
			}
			if errors.Is(err, eventstore.ErrClosed) {
				return
			}
			r.logger.Error("Subscribing again failed", err, nil)
			wait = r.s.cfg.RetryDelay
		}
	}
}

// deliverWindow delivers from r.sub until the reader ends (again false) or must rewind after wait.
// r.last moves over every unbroken run of acknowledged messages.
func (r *reader) deliverWindow() (wait time.Duration, again bool) {
	ctx, cancel := context.WithCancel(r.ctx) // the messages' context; ends with this round
	defer cancel()
	items := make(chan item)
	sub := r.sub
	go func() {
		for {
			e, err := sub.Next(ctx)
			select {
			case items <- item{e, err}:
			case <-ctx.Done():
				return
			}
			if err != nil {
				return
			}
		}
	}()
	var (
		pending []outstanding // delivered and not yet acknowledged, in order
		next    *message.Message
		nextPos eventstore.Position
	)
	for {
		var in <-chan item
		var out chan<- *message.Message
		if next == nil {
			in = items
		} else if len(pending) < r.window {
			out = r.out
		}
		// Only the oldest outstanding message is watched: r.last can only move over it, and a
		// Nack of a later one takes effect when the run before it is acknowledged. One select
		// here instead of a goroutine per message keeps a busy log from waking hundreds of them.
		var headAcked, headNacked <-chan struct{}
		if len(pending) > 0 {
			headAcked, headNacked = pending[0].msg.Acked(), pending[0].msg.Nacked()
		}
		select {
		case it := <-in:
			if r.ctx.Err() != nil || errors.Is(it.err, eventstore.ErrClosed) {
				return 0, false
			}
			if it.err != nil {
				r.logger.Error("Reading the store failed; following again", it.err, watermill.LogFields{"after": r.last.String(), "retry_in": r.s.cfg.RetryDelay})
				return r.s.cfg.RetryDelay, true
			}
			next, nextPos = eventMessage(it.e), it.e.Position
			next.SetContext(ctx)
		case out <- next:
			pending = append(pending, outstanding{msg: next, pos: nextPos})
			next = nil
		case <-headAcked:
			for len(pending) > 0 && isAcked(pending[0].msg) {
				r.last = pending[0].pos
				pending = pending[1:]
			}
			if len(pending) > 0 && isNacked(pending[0].msg) {
				return r.s.cfg.NackResendDelay, true
			}
		case <-headNacked: // rewind after what was acknowledged before the Nack
			return r.s.cfg.NackResendDelay, true
		case <-r.ctx.Done():
			return 0, false
		}
	}
}

func isAcked(msg *message.Message) bool {
	select {
	case <-msg.Acked():
		return true
	default:
		return false
	}
}

func isNacked(msg *message.Message) bool {
	select {
	case <-msg.Nacked():
		return true
	default:
		return false
	}
}
