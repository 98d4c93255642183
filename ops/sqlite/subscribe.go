package sqlite

import (
	"context"
	"sync"
	"time"

	"github.com/civicflow/civicflow/domain/eventstore"
)

// subscribePage is how many events a subscription reads at once.
const subscribePage = 512

// notifier wakes waiting subscribers when the writer commits.
type notifier struct {
	mu sync.Mutex
	ch chan struct{}
}

func newNotifier() *notifier { return &notifier{ch: make(chan struct{})} }

// wait returns a channel that is closed at the next broadcast.
func (n *notifier) wait() <-chan struct{} {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.ch
}

func (n *notifier) broadcast() {
	n.mu.Lock()
	defer n.mu.Unlock()
	close(n.ch)
	n.ch = make(chan struct{})
}

// Subscribe starts a catch-up subscription; see eventstore.Store.
func (s *Store) Subscribe(ctx context.Context, opts eventstore.SubscribeOptions) (eventstore.Subscription, error) {
	if err := eventstore.ValidateFilter(opts.Filter); err != nil {
		return nil, err
	}
	if s.isClosed() {
		return nil, eventstore.ErrClosed
	}
	return &subscription{store: s, after: int64(opts.After.Commit()), filter: opts.Filter, stop: make(chan struct{})}, nil
}

type subscription struct {
	store  *Store
	after  int64 // everything up to here is delivered or filtered out
	filter eventstore.Filter
	buf    []eventstore.Event
	stop   chan struct{}
	once   sync.Once
}

// Next returns the next event, waiting for one to be committed when the history is exhausted.
func (sub *subscription) Next(ctx context.Context) (eventstore.Event, error) {
	var poll *time.Timer
	defer func() {
		if poll != nil {
			poll.Stop()
		}
	}()
	fromTail := true // false right after a poll: another process may have appended
	for len(sub.buf) == 0 {
		select {
		case <-sub.stop:
			return eventstore.Event{}, eventstore.ErrClosed
		case <-sub.store.quit:
			return eventstore.Event{}, eventstore.ErrClosed
		default:
		}
		woken := sub.store.notify.wait() // before reading, so no commit is missed
		if err := ctx.Err(); err != nil {
			return eventstore.Event{}, err
		}
		var events []eventstore.Event
		var head int64
		ok := false
		if fromTail {
			events, head, ok = sub.store.tail.read(sub.after, sub.filter, subscribePage)
		}
		if !ok {
			// A page is bounded, and a cancellable query costs the driver a watcher goroutine per
			// statement, which the subscription would pay on every commit: read without it.
			var err error
			events, head, err = sub.store.readPage(context.WithoutCancel(ctx), eventstore.ReadAllOptions{
				After: eventstore.SequencePosition(uint64(sub.after)), Limit: subscribePage, Filter: sub.filter,
			}, true)
			if err != nil {
				if ctx.Err() != nil {
					return eventstore.Event{}, ctx.Err()
				}
				return eventstore.Event{}, err
			}
			if len(events) == subscribePage {
				head = sub.after // a full page: what lies after it is not known yet
			}
		}
		sub.buf = events
		if head > sub.after {
			sub.after = head // the filter passed over everything up to head
		}
		if len(events) > 0 {
			break
		}
		if poll == nil {
			poll = time.NewTimer(sub.store.cfg.PollInterval)
		} else {
			poll.Reset(sub.store.cfg.PollInterval)
		}
		select {
		case <-ctx.Done():
			return eventstore.Event{}, ctx.Err()
		case <-sub.stop:
			return eventstore.Event{}, eventstore.ErrClosed
		case <-sub.store.quit:
			return eventstore.Event{}, eventstore.ErrClosed
		case <-woken:
			fromTail = true
		case <-poll.C:
			fromTail = false
		}
	}
	e := sub.buf[0]
	sub.buf = sub.buf[1:]
	if p := int64(e.Position.Commit()); p > sub.after {
		sub.after = p
	}
	return e, nil
}

// Close ends the subscription.
func (sub *subscription) Close() error {
	sub.once.Do(func() { close(sub.stop) })
	return nil
}
